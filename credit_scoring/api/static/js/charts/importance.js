// Global importances from GET /model: the mean absolute contribution of each feature over the
// stored clients, largest first, one labelled bar per feature.
import { formatNumber } from "../format.js";
import { featureLabel, t } from "../i18n.js";
import { dataTable } from "../html.js";
import { chartSvg, el, fitText, linear, textSize, textWidth } from "../svg.js";

export function topImportances(importances, count = 10) {
  return [...importances].sort((a, b) => b.importance - a.importance).slice(0, count);
}

export function renderImportance(container, items) {
  const size = textSize();
  const labelHeight = size * 1.5;
  const barHeight = size * 1.1;
  const rowHeight = labelHeight + barHeight + size * 0.5;
  const { svg, width } = chartSvg(container, items.length * rowHeight + size * 0.5, t("importanceLabel"));
  const left = size * 0.5;
  const right = width - size * 0.5;
  const largest = Math.max(...items.map((item) => item.importance), Number.MIN_VALUE);
  const x = linear(0, largest, left, right);
  items.forEach((item, i) => {
    const top = i * rowHeight;
    const value = formatNumber(item.importance);
    const room = right - left - textWidth(value) - size;
    svg.append(
      el("text", { x: left, y: top + size * 1.05, text: fitText(featureLabel(item.feature), room) }),
    );
    svg.append(
      el("text", { x: right, y: top + size * 1.05, "text-anchor": "end", class: "strong", text: value }),
    );
    svg.append(
      el("rect", {
        class: "fill-neutral",
        x: left,
        y: top + labelHeight,
        width: Math.max(x(item.importance) - left, 1.5),
        height: barHeight,
      }),
    );
  });
}

export function importanceCaption(items) {
  return t("importanceCaption", {
    count: Math.min(items.length, 5),
    list: items
      .slice(0, 5)
      .map((item) => featureLabel(item.feature))
      .join(", "),
  });
}

export function importanceTable(items) {
  return dataTable(
    t("importanceLabel"),
    [{ label: t("feature") }, { label: t("importance"), numeric: true }],
    items.map((item) => [featureLabel(item.feature), formatNumber(item.importance)]),
  );
}
