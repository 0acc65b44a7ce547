// Calibration on the held-out test split (GET /model's model_card): per tenth of the clients, the
// observed default rate against the mean predicted probability, beside the diagonal of a perfectly
// calibrated model. Both axes are probabilities, on one scale so that the diagonal is the 45° line.
import { formatPercent } from "../format.js";
import { dataTable } from "../html.js";
import { t } from "../i18n.js";
import { chartSvg, el, linear, niceTicks, textSize, xAxis, yGrid } from "../svg.js";

export function renderReliability(container, bins) {
  const size = textSize();
  const { svg, width } = chartSvg(container, size * 22, t("reliabilityLabel"));
  const left = size * 4;
  const right = width - size;
  const top = size;
  const bottom = size * 17;
  const largest = Math.max(...bins.flatMap((bin) => [bin.mean_probability, bin.default_rate]), 0.01);
  const ticks = niceTicks(0, largest * 1.05, 5);
  const end = ticks[ticks.length - 1];
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
  svg.append(
    el("text", { x: (left + right) / 2, y: bottom + size * 3.2, "text-anchor": "middle", text: t("reliabilityX") }),
  );
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
