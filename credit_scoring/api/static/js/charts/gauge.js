// The decision gauge: the probability of default on a 0–100 % bar split into risk zones, with the
// decision threshold. Zones differ by fill pattern and carry their name, not colour alone.
import { formatPercent } from "../format.js";
import { t } from "../i18n.js";
import {
  chartSvg,
  chartWidth,
  clampAnchor,
  el,
  lineHeight,
  lines,
  linear,
  spacedTicks,
  textSize,
  textWidth,
  wrapLines,
} from "../svg.js";

/** The risk zone of a probability: below half the threshold, below it, or at/above it (refused). */
export function riskZone(probability, threshold) {
  if (probability >= threshold) {
    return "high";
  }
  return probability < threshold / 2 ? "low" : "moderate";
}

const ZONE_STYLE = { low: "fill-safe-zone", moderate: "fill-moderate", high: "fill-risk" };
const ZONE_NAME = { low: "zoneLowShort", moderate: "zoneModerateShort", high: "zoneHighShort" };

export function renderGauge(container, { probability, threshold }) {
  const size = textSize();
  const barTop = size * 3;
  const barHeight = size * 2.2;
  const barBottom = barTop + barHeight;
  const width = chartWidth(container);
  const left = size;
  const right = width - size;
  const thresholdLines = wrapLines(`${t("threshold")} ${formatPercent(threshold)}`, right - left);
  const thresholdY = barBottom + size * 2.6;
  const ticksY = thresholdY + (thresholdLines.length - 1) * lineHeight() + size * 1.8;
  const height = ticksY + size * 0.6;
  const { svg } = chartSvg(container, height, t("gaugeLabel"));
  const x = linear(0, 1, left, right);

  const zones = [
    ["low", 0, threshold / 2],
    ["moderate", threshold / 2, threshold],
    ["high", threshold, 1],
  ];
  for (const [zone, from, to] of zones) {
    if (to <= from) {
      continue;
    }
    svg.append(
      el("rect", {
        class: ZONE_STYLE[zone],
        x: x(from),
        y: barTop,
        width: x(to) - x(from),
        height: barHeight,
      }),
    );
    const name = t(ZONE_NAME[zone]);
    if (textWidth(name, true) + size < x(to) - x(from)) {
      svg.append(
        el("text", {
          x: (x(from) + x(to)) / 2,
          y: barTop + barHeight / 2 + size * 0.35,
          "text-anchor": "middle",
          class: "strong",
          text: name,
        }),
      );
    }
  }

  const thresholdX = x(threshold);
  svg.append(
    el("line", {
      class: "marker-threshold",
      x1: thresholdX,
      x2: thresholdX,
      y1: barTop - size * 0.5,
      y2: barBottom + size * 1.6,
    }),
  );
  const thresholdWidth = Math.max(...thresholdLines.map((text) => textWidth(text)));
  const thresholdLabel = clampAnchor(thresholdX, thresholdWidth, left, right);
  svg.append(
    lines(thresholdLines, { x: thresholdLabel.x, y: thresholdY, "text-anchor": thresholdLabel.anchor }),
  );

  const pointerX = x(Math.min(Math.max(probability, 0), 1));
  const pointerTip = barTop + barHeight * 0.55;
  svg.append(
    el("path", {
      class: "pointer",
      d: `M${pointerX} ${pointerTip} L${pointerX - size * 0.6} ${barTop - size * 0.6} L${pointerX + size * 0.6} ${barTop - size * 0.6} Z`,
    }),
  );
  const probabilityText = formatPercent(probability);
  const probabilityLabel = clampAnchor(pointerX, textWidth(probabilityText, true), left, right);
  svg.append(
    el("text", {
      x: probabilityLabel.x,
      y: barTop - size * 1.1,
      "text-anchor": probabilityLabel.anchor,
      class: "strong",
      text: probabilityText,
    }),
  );

  for (const tick of spacedTicks([0, 0.25, 0.5, 0.75, 1], x, (p) => formatPercent(p, 0))) {
    const label = formatPercent(tick, 0);
    const placed = clampAnchor(x(tick), textWidth(label), left, right);
    svg.append(
      el("text", {
        x: placed.x,
        y: ticksY,
        "text-anchor": placed.anchor,
        class: "muted",
        text: label,
      }),
    );
  }
}
