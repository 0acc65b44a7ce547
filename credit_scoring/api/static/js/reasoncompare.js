// Each of a decision's reasons compared with the training population: a button on every reason shows,
// under the list, how the reason's feature is distributed among clients who repaid and who defaulted
// (GET /population/features/{feature}), with the client marked at the value the reason states. One
// comparison is open at a time; it stays open when the page draws the decision again.
import { getJSON } from "./api.js";
import { distributionTable, histogramSummary, renderHistogram } from "./charts/distribution.js";
import { indicatorSummary, indicatorTable, renderIndicator } from "./charts/indicator.js";
import { language, t } from "./i18n.js";
import { h, legend } from "./html.js";

const summaries = new Map();
// The open comparison of each list of reasons (a decision's), so that a redraw keeps it open.
const opened = new WeakMap();
let lists = 0;

function summaryOf(feature) {
  if (!summaries.has(feature)) {
    const request = getJSON(`population/features/${encodeURIComponent(feature)}`);
    // A failed answer is asked again next time rather than kept.
    request.catch(() => summaries.delete(feature));
    summaries.set(feature, request);
  }
  return summaries.get(feature);
}

/** Where a reason's value (the feature's raw value) lies on the summary's scale, as the API says. */
function onScale(value, scale) {
  if (value === null || value === undefined) {
    return null;
  }
  return (scale.unsigned ? Math.abs(value) : value) * scale.factor;
}

function draw(parts, reason, body) {
  const summary = { ...body, key: body.feature, name: body.label[language()] };
  const value = onScale(reason.value, body.scale);
  parts.title.textContent = t("reasonCompareTitle", { variable: summary.name });
  parts.legend.replaceChildren(
    legend([
      { swatch: "safe", label: t("repaid") },
      { swatch: "risk", label: t("defaulted") },
      // A yes/no chart marks the client's answer with a star, a histogram its value with a line.
      { swatch: summary.unit === "yes_no" ? "pointClient" : "client", label: t("client") },
    ]),
  );
  if (summary.unit === "yes_no") {
    renderIndicator(parts.chart, summary, body.outcomes, value, reason.value_text);
    parts.caption.textContent = indicatorSummary(summary, body.outcomes, value, reason.value_text);
    parts.table.replaceChildren(indicatorTable(summary, body.outcomes));
  } else if (summary.edges) {
    renderHistogram(parts.chart, summary, value, reason.value_text);
    parts.caption.textContent = histogramSummary(summary, value, reason.value_text);
    parts.table.replaceChildren(distributionTable(summary, body.centiles));
  } else {
    parts.chart.replaceChildren();
    parts.caption.textContent = t("reasonCompareUnavailable");
    parts.table.replaceChildren();
  }
}

function show(parts, reasons, index) {
  const reason = reasons[index];
  parts.panel.hidden = false;
  parts.figure.hidden = true;
  parts.status.textContent = t("reasonCompareLoading");
  summaryOf(reason.feature)
    .then((body) => {
      if (opened.get(reasons) !== index) {
        return; // the officer chose another reason meanwhile
      }
      parts.status.textContent = "";
      parts.figure.hidden = false;
      draw(parts, reason, body);
    })
    .catch((error) => {
      if (opened.get(reasons) !== index) {
        return;
      }
      parts.title.textContent = reason.label;
      parts.status.textContent =
        error.status === 409 ? t("reasonCompareUnavailable") : t("serviceError", { message: error.message });
    });
}

/**
 * The comparison of a list of reasons: `control(i)` is reason i's button, `panel` the comparison shown
 * under the list. Build the list's items with the controls, then add the panel after the list.
 */
export function reasonComparison(reasons) {
  lists += 1;
  const id = `reason-population-${lists}`;
  const parts = {
    title: h("h4", { id: `${id}-title` }),
    status: h("p", { class: "status", role: "status", "aria-live": "polite" }),
    legend: h("div"),
    chart: h("div", { id: `${id}-chart`, class: "chart", "data-caption": `${id}-caption` }),
    caption: h("p", { id: `${id}-caption`, class: "caption" }),
    table: h("div"),
  };
  parts.figure = h("div", { hidden: true }, [
    parts.legend,
    h("figure", { class: "chart-figure" }, [parts.chart, parts.caption]),
    h("details", { class: "data-table" }, [h("summary", { text: t("showTable") }), parts.table]),
  ]);
  parts.panel = h(
    "div",
    { id, class: "reason-population", role: "region", "aria-labelledby": parts.title.id, hidden: true },
    [parts.title, parts.status, parts.figure],
  );
  const buttons = reasons.map((reason, index) => {
    const button = h("button", {
      type: "button",
      class: "reason-compare",
      "aria-controls": id,
      "aria-expanded": "false",
      "aria-describedby": `${id}-reason-${index}`,
      text: t("reasonCompare"),
    });
    button.addEventListener("click", () => {
      const open = opened.get(reasons) === index;
      if (open) {
        opened.delete(reasons);
        parts.panel.hidden = true;
      } else {
        opened.set(reasons, index);
        show(parts, reasons, index);
      }
      buttons.forEach((other, i) => {
        const expanded = !open && i === index;
        other.setAttribute("aria-expanded", String(expanded));
        other.textContent = t(expanded ? "reasonCompareClose" : "reasonCompare");
      });
    });
    return button;
  });
  if (opened.has(reasons)) {
    const index = opened.get(reasons);
    buttons[index].setAttribute("aria-expanded", "true");
    buttons[index].textContent = t("reasonCompareClose");
    // Drawn once the list is in the page: the chart takes the width it is given there.
    queueMicrotask(() => show(parts, reasons, index));
  }
  return {
    /** Reason i's button; the reason's statement names it (its element id is `describedBy(i)`). */
    control: (index) => buttons[index],
    describedBy: (index) => `${id}-reason-${index}`,
    panel: parts.panel,
  };
}
