// Two variables at once: the population's anonymised sample (blurred values, no ids), clients who
// repaid as filled circles and clients who defaulted as open triangles, and this client as a star.
import { formatAxis, formatVariable, variableTitle } from "../format.js";
import { featureLabel, t } from "../i18n.js";
import { dataTable, starPath } from "../html.js";
import {
  axisTitle,
  chartSvg,
  chartWidth,
  el,
  lineHeight,
  lines,
  linear,
  niceTicks,
  textSize,
  textWidth,
  wrapLines,
  xAxis,
  yGrid,
} from "../svg.js";

function pairs(sample, xKey, yKey) {
  const xs = sample.values[xKey] ?? [];
  const ys = sample.values[yKey] ?? [];
  return sample.outcome
    .map((outcome, i) => ({ outcome, x: xs[i], y: ys[i] }))
    .filter(
      (point) => point.x !== null && point.x !== undefined && point.y !== null && point.y !== undefined,
    );
}

export function renderScatter(container, { sample, xSummary, ySummary, client }) {
  const size = textSize();
  const width = chartWidth(container);
  const xTitle = wrapLines(variableTitle(xSummary.key, xSummary.unit), width - size);
  const yTitle = wrapLines(variableTitle(ySummary.key, ySummary.unit), width - size, true);
  // The vertical axis's title above the plot, the horizontal one's below its ticks.
  const top = size * 1.6 + yTitle.length * lineHeight();
  const bottom = top + Math.min(width * 0.5, size * 24);
  const height = bottom + size * 2.4 + xTitle.length * lineHeight();
  const { svg } = chartSvg(
    container,
    height,
    t("scatterLabel", { x: featureLabel(xSummary.key), y: featureLabel(ySummary.key) }),
  );
  const yTicks = niceTicks(ySummary.edges[0], ySummary.edges.at(-1), 5);
  const left = Math.max(...yTicks.map((v) => textWidth(formatAxis(ySummary.unit, v)))) + size;
  const right = width - size;
  const [xLow, xHigh] = [xSummary.edges[0], xSummary.edges.at(-1)];
  const [yLow, yHigh] = [ySummary.edges[0], ySummary.edges.at(-1)];
  const x = linear(xLow, xHigh, left, right);
  const y = linear(yLow, yHigh, bottom, top);

  yGrid(svg, { ticks: yTicks, position: y, label: (tick) => formatAxis(ySummary.unit, tick), left, right });
  svg.append(el("line", { class: "axis", x1: left, x2: left, y1: top, y2: bottom }));
  xAxis(svg, {
    ticks: niceTicks(xLow, xHigh, 5),
    position: x,
    label: (v) => formatAxis(xSummary.unit, v),
    y: bottom,
    left,
    right,
  });
  svg.append(lines(yTitle, { x: size * 0.25, y: size, class: "strong" }));
  axisTitle(svg, xTitle, { y: bottom + size * 3.1, left: size * 0.5, right: width - size * 0.5 });

  const points = pairs(sample, xSummary.key, ySummary.key);
  const radius = size * 0.25;
  // Defaulted clients are fewer: drawn last so that they are not hidden under the repaid ones.
  for (const point of points.filter((p) => p.outcome === 0)) {
    svg.append(el("circle", { class: "point-repaid", cx: x(point.x), cy: y(point.y), r: radius }));
  }
  for (const point of points.filter((p) => p.outcome === 1)) {
    const [px, py, r] = [x(point.x), y(point.y), radius * 1.5];
    svg.append(
      el("path", {
        class: "point-defaulted",
        d: `M${px} ${py - r} L${px + r} ${py + r * 0.8} L${px - r} ${py + r * 0.8} Z`,
      }),
    );
  }

  if (client.x !== null && client.x !== undefined && client.y !== null && client.y !== undefined) {
    const cx = x(Math.min(Math.max(client.x, xLow), xHigh));
    const cy = y(Math.min(Math.max(client.y, yLow), yHigh));
    svg.append(el("path", { class: "marker-client-fill", d: starPath(cx, cy, size * 0.75) }));
    const label = t("client");
    const onLeft = cx + size + textWidth(label, true) > right;
    svg.append(
      el("text", {
        x: onLeft ? cx - size : cx + size,
        y: cy - size * 0.6,
        "text-anchor": onLeft ? "end" : "start",
        class: "strong",
        text: label,
      }),
    );
  }
  return points;
}

export function scatterSummary(points, { xSummary, ySummary, client }) {
  const count = points.length;
  const defaulted = points.filter((p) => p.outcome === 1).length;
  if (client.x === null || client.x === undefined || client.y === null || client.y === undefined) {
    return t("scatterNoClient", { count, defaulted });
  }
  return t("scatterSummary", {
    count,
    defaulted,
    x: `${featureLabel(xSummary.key)} ${formatVariable(xSummary.unit, client.x)}`,
    y: `${featureLabel(ySummary.key)} ${formatVariable(ySummary.unit, client.y)}`,
  });
}

/** The scatter's data: the client first, then every point of the sample by group and value. */
export function scatterTable(points, { xSummary, ySummary, client }) {
  const value = (summary, v) => formatVariable(summary.unit, v);
  const sorted = [...points].sort((a, b) => a.outcome - b.outcome || a.x - b.x || a.y - b.y);
  return dataTable(
    t("scatterLabel", { x: featureLabel(xSummary.key), y: featureLabel(ySummary.key) }),
    [
      { label: t("group") },
      { label: variableTitle(xSummary.key, xSummary.unit), numeric: true },
      { label: variableTitle(ySummary.key, ySummary.unit), numeric: true },
    ],
    [
      [t("client"), value(xSummary, client.x), value(ySummary, client.y)],
      ...sorted.map((point) => [
        t(point.outcome === 1 ? "defaulted" : "repaid"),
        value(xSummary, point.x),
        value(ySummary, point.y),
      ]),
    ],
  );
}
