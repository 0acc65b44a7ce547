// The model-health view (GET /model-health): the score's distribution now and at training, the inputs
// that drift most and the realised AUC by month, as tables, with a sentence saying what they show;
// "no monitoring data yet" until the deployed monitoring (or `credit-scoring monitor --summary-dir`)
// has written a summary. "Refresh" reads the latest summaries again.
import { getJSON } from "./api.js";
import { formatNumber, formatPercent } from "./format.js";
import { dataTable, h } from "./html.js";
import { locale, t } from "./i18n.js";
import { onRedraw } from "./preferences.js";

const VALUE_BINS_EXCLUDED = 2; // the score's proportions end with its missing and outside bins

function when(timestamp) {
  return new Intl.DateTimeFormat(locale(), { dateStyle: "long", timeZone: "UTC" }).format(new Date(timestamp));
}

function figure(value, format = formatNumber) {
  return typeof value === "number" ? format(value) : t("healthNotAvailable");
}

function driftView(drift) {
  if (!drift) {
    return [h("p", { text: t("healthNoDrift") })];
  }
  const parts = [
    h("p", {
      text: t("healthDrift", {
        date: when(drift.computed_at),
        decisions: formatNumber(drift.decisions),
        applications: formatNumber(drift.applications),
        drifting: formatNumber(drift.inputs_drifting),
        observed: formatNumber(drift.inputs_observed),
      }),
    }),
  ];
  const score = drift.score;
  if (score) {
    const values = { psi: formatNumber(score.psi), critical: formatNumber(score.critical_psi) };
    parts.push(h("p", { text: t(score.drifting ? "healthScoreDrifting" : "healthScoreStable", values) }));
    const bins = score.proportions.length - VALUE_BINS_EXCLUDED;
    const rows = score.proportions
      .slice(0, bins)
      .map((now, i) => [
        t("healthBin", { n: i + 1 }),
        formatPercent(score.reference_proportions[i]),
        formatPercent(now),
      ]);
    parts.push(
      dataTable(
        t("healthScoreTable"),
        [
          { label: t("healthBinColumn") },
          { label: t("healthTraining"), numeric: true },
          { label: t("healthNow"), numeric: true },
        ],
        rows,
      ),
    );
  }
  const inputs = drift.most_drifting.map((input) => [
    input.name,
    formatNumber(input.psi),
    formatNumber(input.critical_psi),
    t(input.drifting ? "yes" : "no"),
    formatPercent(input.missing_rate),
    formatPercent(input.reference_missing_rate),
  ]);
  const columns = [
    "healthInput",
    "healthPsi",
    "healthCritical",
    "healthDrifting",
    "healthMissingNow",
    "healthMissingTraining",
  ];
  const numeric = (i) => i > 0 && columns[i] !== "healthDrifting";
  parts.push(dataTable(t("healthInputsTable"), columns.map((key, i) => ({ label: t(key), numeric: numeric(i) })), inputs));
  return parts;
}

function performanceView(performance) {
  if (!performance) {
    return [h("p", { text: t("healthNoOutcomes") })];
  }
  const row = (label, month) => [
    label,
    formatNumber(month.n),
    figure(month.default_rate, formatPercent),
    figure(month.auc),
  ];
  const rows = [
    ...performance.by_month.map((month) => row(month.month, month)),
    row(t("healthAll"), performance.overall),
  ];
  const columns = ["healthMonth", "healthClients", "healthDefaultRate", "healthAuc"];
  return [
    h("p", {
      text: t("healthPerformance", {
        date: when(performance.computed_at),
        joined: formatNumber(performance.joined),
        outcomes: formatNumber(performance.outcomes),
      }),
    }),
    dataTable(t("healthPerformanceTable"), columns.map((key, i) => ({ label: t(key), numeric: i > 0 })), rows),
  ];
}

export function initHealth() {
  let health = null;
  let failure = null;

  const draw = () => {
    const status = document.getElementById("health-status");
    const body = document.getElementById("health-body");
    if (failure) {
      status.textContent = t("serviceError", { message: failure.message });
      body.replaceChildren();
    } else if (health?.status === "no_data") {
      status.textContent = t("healthNoData");
      body.replaceChildren();
    } else if (health) {
      status.textContent = "";
      body.replaceChildren(...driftView(health.drift), ...performanceView(health.performance));
    }
  };
  onRedraw(draw);

  // The summaries change on their own schedule: read again on load and whenever the officer asks.
  const load = () =>
    getJSON("model-health")
      .then((body) => {
        health = body;
        failure = null;
      })
      .catch((error) => {
        failure = error;
      })
      .finally(draw);
  document.getElementById("health-refresh").addEventListener("click", load);
  return load();
}
