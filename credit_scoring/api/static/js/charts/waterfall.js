// The client's waterfall: from the model's base value, each of the largest contributions in turn, then
// all the others together, so that the last bar ends exactly at the client's score. The axis is in
// log-odds (where contributions add up) but labelled in probabilities, which officers read.
import { formatFeatureValue, formatPercent, formatSigned } from "../format.js";
import { featureLabel, t } from "../i18n.js";
import { dataTable } from "../html.js";
import { chartSvg, el, fitText, linear, spacedTicks, textSize, textWidth } from "../svg.js";

const PROBABILITY_TICKS = [
  0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995,
];

const sigmoid = (z) => 1 / (1 + Math.exp(-z));
const logit = (p) => Math.log(p / (1 - p));

/**
 * The waterfall's steps: the `top` contributions largest in absolute value, in that order, then one
 * "other features" step summing the rest. Returns {steps, score} with score = base + every contribution.
 */
function waterfallSteps(base, contributions, top) {
  const sorted = [...contributions].sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  const steps = [];
  let cumulative = base;
  for (const item of sorted.slice(0, top)) {
    steps.push({ ...item, start: cumulative, end: cumulative + item.contribution });
    cumulative += item.contribution;
  }
  const rest = sorted.slice(top);
  if (rest.length > 0) {
    const contribution = rest.reduce((sum, item) => sum + item.contribution, 0);
    steps.push({
      feature: null,
      count: rest.length,
      contribution,
      start: cumulative,
      end: cumulative + contribution,
    });
    cumulative += contribution;
  }
  return { steps, score: cumulative };
}

function stepLabel(step) {
  if (step.feature === null) {
    return t("otherFeatures", { count: step.count });
  }
  return `${featureLabel(step.feature)} = ${formatFeatureValue(step.feature, step.value)}`;
}

function effectLabel(contribution) {
  return contribution > 0 ? `▲ ${t("raisesRisk")}` : `▼ ${t("lowersRisk")}`;
}

export function renderWaterfall(container, { base, contributions, threshold, top = 8 }) {
  const { steps, score } = waterfallSteps(base, contributions, top);
  const size = textSize();
  const labelHeight = size * 1.5;
  const barHeight = size * 1.3;
  const rowHeight = labelHeight + barHeight + size * 0.5;
  const header = size * 2;
  const rows = steps.length + 2;
  const axisY = header + rows * rowHeight + size * 0.3;
  const { svg, width } = chartSvg(container, axisY + size * 2.5, t("reasonsLabel"));
  const left = size * 0.5;
  const right = width - size * 0.5;

  const positions = [base, score, logit(threshold), ...steps.flatMap((step) => [step.start, step.end])];
  const low = Math.min(...positions);
  const high = Math.max(...positions);
  const pad = Math.max((high - low) * 0.06, 0.15);
  const x = linear(low - pad, high + pad, left, right);

  const thresholdX = x(logit(threshold));
  svg.append(
    el("line", {
      class: "marker-threshold",
      x1: thresholdX,
      x2: thresholdX,
      y1: header - size * 0.6,
      y2: axisY,
    }),
  );
  svg.append(
    el("text", {
      x: thresholdX,
      y: header - size,
      "text-anchor": thresholdX > width / 2 ? "end" : "start",
      text: `${t("threshold")} ${formatPercent(threshold)}`,
    }),
  );

  const drawRow = (index, label, valueText, draw) => {
    const top = header + index * rowHeight;
    const room = right - left - textWidth(valueText) - size;
    svg.append(el("text", { x: left, y: top + size * 1.05, text: fitText(label, room) }));
    svg.append(
      el("text", { x: right, y: top + size * 1.05, "text-anchor": "end", class: "strong", text: valueText }),
    );
    draw(top + labelHeight);
  };
  const marker = (value) => (y) => {
    const cx = x(value);
    const r = barHeight * 0.45;
    svg.append(
      el("path", {
        class: "marker-client-fill",
        d: `M${cx} ${y} L${cx + r} ${y + r} L${cx} ${y + 2 * r} L${cx - r} ${y + r} Z`,
      }),
    );
  };

  drawRow(0, t("baseRisk"), formatPercent(sigmoid(base)), marker(base));
  steps.forEach((step, i) => {
    drawRow(i + 1, stepLabel(step), formatSigned(step.contribution), (y) => {
      const from = x(Math.min(step.start, step.end));
      svg.append(
        el("rect", {
          class: step.contribution > 0 ? "fill-risk" : "fill-safe",
          x: from,
          y,
          width: Math.max(x(Math.max(step.start, step.end)) - from, 1.5),
          height: barHeight,
        }),
      );
      svg.append(
        el("line", {
          class: "connector",
          x1: x(step.end),
          x2: x(step.end),
          y1: y + barHeight,
          y2: y + rowHeight,
        }),
      );
    });
  });
  drawRow(rows - 1, t("clientScore"), formatPercent(sigmoid(score)), marker(score));

  svg.append(el("line", { class: "axis", x1: left, x2: right, y1: axisY, y2: axisY }));
  const inDomain = PROBABILITY_TICKS.filter((p) => logit(p) >= low - pad && logit(p) <= high + pad);
  for (const p of spacedTicks(
    inDomain,
    (p) => x(logit(p)),
    (p) => formatPercent(p, p < 0.01 || p > 0.99 ? 1 : 0),
  )) {
    const tickX = x(logit(p));
    svg.append(el("line", { class: "axis", x1: tickX, x2: tickX, y1: axisY, y2: axisY + size * 0.4 }));
    svg.append(
      el("text", {
        x: tickX,
        y: axisY + size * 1.6,
        "text-anchor": "middle",
        class: "muted",
        text: formatPercent(p, p < 0.01 || p > 0.99 ? 1 : 0),
      }),
    );
  }
  return { steps, score };
}

/** The caption: where the score starts and ends, and the main factors with their direction. */
export function waterfallCaption({ steps, score }, base) {
  const named = steps.filter((step) => step.feature !== null);
  const list = named
    .slice(0, 4)
    .map(
      (step) =>
        `${featureLabel(step.feature)} (${step.contribution > 0 ? t("raisesRisk") : t("lowersRisk")})`,
    )
    .join(", ");
  return t("waterfallCaption", {
    base: formatPercent(sigmoid(base)),
    score: formatPercent(sigmoid(score)),
    count: Math.min(named.length, 4),
    list,
  });
}

/** The waterfall's data as a table: each step with its value, contribution, effect and running probability. */
export function waterfallTable({ steps, score }, base) {
  const rows = [[t("baseRisk"), "", "", "", formatPercent(sigmoid(base))]];
  for (const step of steps) {
    rows.push([
      step.feature === null ? t("otherFeatures", { count: step.count }) : featureLabel(step.feature),
      step.feature === null ? "" : formatFeatureValue(step.feature, step.value),
      formatSigned(step.contribution, 3),
      effectLabel(step.contribution),
      formatPercent(sigmoid(step.end)),
    ]);
  }
  rows.push([t("clientScore"), "", "", "", formatPercent(sigmoid(score))]);
  return dataTable(
    t("reasonsLabel"),
    [
      { label: t("feature") },
      { label: t("value") },
      { label: t("contribution"), numeric: true },
      { label: t("effect") },
      { label: t("cumulative"), numeric: true },
    ],
    rows,
  );
}
