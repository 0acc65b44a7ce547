// The served model's card (GET /model): its version and threshold, an example client number for the
// lookup hint, the global importances chart and the calibration (reliability) chart, with their tables.
import { getJSON } from "./api.js";
import { importanceCaption, importanceTable, renderImportance, topImportances } from "./charts/importance.js";
import { reliabilityCaption, reliabilityTable, renderReliability } from "./charts/reliability.js";
import { formatNumber, formatPercent } from "./format.js";
import { t } from "./i18n.js";
import { onRedraw } from "./preferences.js";

const FALLBACK_EXAMPLE = 100002;

export function initModel() {
  let card = null;
  let failure = null;

  const draw = () => {
    const example = card?.example_client_ids?.[0] ?? FALLBACK_EXAMPLE;
    document.getElementById("client-id-hint").textContent = t("clientIdHint", { example });
    const summary = document.getElementById("model-summary");
    if (failure) {
      summary.textContent = t("serviceError", { message: failure.message });
      return;
    }
    if (!card) {
      return;
    }
    const auc = card.metrics?.test?.auc;
    summary.textContent = `${t("modelSummary", { version: card.model_version, threshold: formatPercent(card.threshold) })}${
      typeof auc === "number" ? ` ${t("modelMetrics", { auc: formatNumber(auc) })}` : ""
    }`;
    document.getElementById("footer-model").textContent = t("footerModel", { version: card.model_version });
    const items = topImportances(card.global_importance);
    renderImportance(document.getElementById("importance"), items);
    document.getElementById("importance-caption").textContent = importanceCaption(items);
    document.getElementById("importance-table").replaceChildren(importanceTable(items));
    const calibration = card.model_card.calibration;
    const bins = calibration.reliability;
    document.getElementById("reliability-caption").textContent = reliabilityCaption(calibration);
    if (bins.length) {
      renderReliability(document.getElementById("reliability"), bins);
    }
    document.getElementById("reliability-table").replaceChildren(reliabilityTable(bins));
  };
  onRedraw(draw);

  return getJSON("model")
    .then((body) => {
      card = body;
      return card;
    })
    .catch((error) => {
      failure = error;
      return null;
    })
    .finally(draw);
}
