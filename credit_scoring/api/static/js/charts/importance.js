// Global importances from GET /model: the mean absolute contribution of each feature over the
// stored clients, largest first, one labelled bar per feature, coloured and worded by the direction of
// its effect (higher values raising or lowering the risk).
import { formatNumber } from "../format.js";
import { featureLabel, t } from "../i18n.js";
import { dataTable } from "../html.js";
import { chartSvg, chartWidth, el, lineHeight, lines, linear, textSize, textWidth, wrapLines } from "../svg.js";

export function topImportances(importances, count = 10) {
  return [...importances].sort((a, b) => b.importance - a.importance).slice(0, count);
}

const DIRECTION = {
  1: { text: "higherRaises", fill: "fill-risk" },
  [-1]: { text: "higherLowers", fill: "fill-safe" },
  0: { text: "noDirection", fill: "fill-neutral" },
};

function direction(item) {
  return DIRECTION[item.direction] ?? DIRECTION[0];
}

export function renderImportance(container, items) {
  const size = textSize();
  const line = lineHeight();
  const barHeight = size * 1.1;
  const width = chartWidth(container);
  const left = size * 0.5;
  const right = width - size * 0.5;
  const rows = items.map((item) => {
    const value = formatNumber(item.importance);
    return {
      item,
      value,
      lines: wrapLines(featureLabel(item.feature), right - left - textWidth(value, true) - size),
      effect: wrapLines(t(direction(item).text), right - left),
    };
  });
  // The figures are mean absolute log-odds: said once above them.
  const header = wrapLines(t("importanceHeader"), right - left);
  let y = size * 0.4 + header.length * line;
  for (const row of rows) {
    row.top = y;
    y += (row.lines.length + row.effect.length) * line + barHeight + size * 0.6;
  }
  const { svg } = chartSvg(container, y, t("importanceLabel"));
  svg.append(lines(header, { x: right, y: size, "text-anchor": "end", class: "muted" }));
  const largest = Math.max(...items.map((item) => item.importance), Number.MIN_VALUE);
  const x = linear(0, largest, left, right);
  for (const { item, value, lines: label, effect, top } of rows) {
    svg.append(lines(label, { x: left, y: top + size * 1.05 }));
    svg.append(el("text", { x: right, y: top + size * 1.05, "text-anchor": "end", class: "strong", text: value }));
    const barTop = top + label.length * line + size * 0.2;
    svg.append(
      el("rect", {
        class: direction(item).fill,
        x: left,
        y: barTop,
        width: Math.max(x(item.importance) - left, 1.5),
        height: barHeight,
      }),
    );
    svg.append(lines(effect, { x: left, y: barTop + barHeight + size * 1.05, class: "muted" }));
  }
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
    [{ label: t("feature") }, { label: t("importance"), numeric: true }, { label: t("effectDirection") }],
    items.map((item) => [featureLabel(item.feature), formatNumber(item.importance), t(direction(item).text)]),
  );
}
