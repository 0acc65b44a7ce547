// Calibration on the held-out test split (GET /model's model_card): per tenth of the clients, the
// observed default rate against the mean predicted probability, beside the diagonal of a perfectly
// calibrated model. Both axes are probabilities, on one scale so that the diagonal is the 45° line.
import { formatPercent } from "../format.js";
import { dataTable } from "../html.js";
import { t } from "../i18n.js";
import {
  axisTitle,
  chartSvg,
  chartWidth,
  el,
  lineHeight,
  linear,
  niceTicks,
  textSize,
  textWidth,
  wrapLines,
  xAxis,
  yGrid,
} from "../svg.js";

export function renderReliability(container, bins) {
  const size = textSize();
  const width = chartWidth(container);
  const xTitle = wrapLines(t("reliabilityX"), width - size);
  const top = size;
  const bottom = size * 17;
  const { svg } = chartSvg(container, bottom + size * 2.4 + xTitle.length * lineHeight(), t("reliabilityLabel"));
  const right = width - size;
  const largest = Math.max(...bins.flatMap((bin) => [bin.mean_probability, bin.default_rate]), 0.01);
  const ticks = niceTicks(0, largest, 5);
  // The scale ends on a tick at or above the largest value, so that no point is drawn off the chart.
  while (ticks.at(-1) < largest) {
    ticks.push(Number((ticks.at(-1) + ticks[1] - ticks[0]).toPrecision(12)));
  }
  // The rotated title takes the first column, the tick labels the next.
  const left = size * 1.9 + Math.max(...ticks.map((tick) => textWidth(formatPercent(tick, 0))));
  const end = ticks.at(-1);
  const x = linear(0, end, left, right);
  const y = linear(0, end, bottom, top);
  yGrid(svg, { ticks, position: y, label: (tick) => formatPercent(tick, 0), left, right });
  xAxis(svg, { ticks, position: x, label: (tick) => formatPercent(tick, 0), y: bottom, left, right });
  svg.append(el("line", { class: "axis diagonal", x1: x(0), y1: y(0), x2: x(end), y2: y(end) }));
  svg.append(
    el("polyline", {
      class: "stroke-neutral",
      fill: "none",
      points: bins.map((bin) => `${x(bin.mean_probability)},${y(bin.default_rate)}`).join(" "),
    }),
  );
  for (const bin of bins) {
    svg.append(el("circle", { class: "fill-neutral", cx: x(bin.mean_probability), cy: y(bin.default_rate), r: size * 0.35 }));
  }
  axisTitle(svg, xTitle, { y: bottom + size * 3.1, left: size * 0.5, right: width - size * 0.5 });
  svg.append(
    el("text", {
      x: size,
      y: (top + bottom) / 2,
      "text-anchor": "middle",
      transform: `rotate(-90 ${size} ${(top + bottom) / 2})`,
      text: t("reliabilityY"),
    }),
  );
}

export function reliabilityCaption(calibration) {
  if (!calibration.calibrated) {
    return t("uncalibrated");
  }
  return t("reliabilityCaption", {
    method: calibration.method,
    ece: formatPercent(calibration.ece, 1),
    predicted: formatPercent(calibration.mean_probability, 1),
    observed: formatPercent(calibration.default_rate, 1),
  });
}

export function reliabilityTable(bins) {
  return dataTable(
    t("reliabilityLabel"),
    [
      { label: t("reliabilityClients"), numeric: true },
      { label: t("reliabilityX"), numeric: true },
      { label: t("reliabilityY"), numeric: true },
    ],
    bins.map((bin) => [String(bin.n), formatPercent(bin.mean_probability, 1), formatPercent(bin.default_rate, 1)]),
  );
}
