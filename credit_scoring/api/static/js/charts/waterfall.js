// The client's waterfall: from the model's base value, each of the largest contributions in turn, then
// all the others together, so that the last bar ends exactly at the client's score. The axis is in
// log-odds (where contributions add up) but labelled in probabilities, which officers read.
import { formatFeatureValue, formatPercent, formatSigned } from "../format.js";
import { featureLabel, t } from "../i18n.js";
import { dataTable } from "../html.js";
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
} from "../svg.js";

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

/** The smallest number of decimals (at most 2) that writes a probability exactly as a percentage. */
function percentDigits(p) {
  return [0, 1].find((digits) => Math.abs(Number((p * 100).toFixed(digits)) - p * 100) < 1e-9) ?? 2;
}

/** Probability ticks across [low, high] in log-odds: the usual round ones, and enough evenly spaced
 * ones that a narrow range still gets more than two. */
function probabilityTicks(low, high) {
  const even = niceTicks(sigmoid(low), sigmoid(high), 4).filter((p) => p > 0 && p < 1);
  const all = [...new Set([...PROBABILITY_TICKS, ...even])].sort((a, b) => a - b);
  return all.filter((p) => logit(p) >= low && logit(p) <= high);
}

export function renderWaterfall(container, { base, contributions, threshold, top = 8 }) {
  const { steps, score } = waterfallSteps(base, contributions, top);
  const size = textSize();
  const line = lineHeight();
  const barHeight = size * 1.3;
  const width = chartWidth(container);
  const left = size * 0.5;
  const right = width - size * 0.5;
  // Each row's label wraps beside its figure: rows are as tall as their label.
  const rows = [
    { label: t("baseRisk"), value: formatPercent(sigmoid(base)), at: base },
    ...steps.map((step) => ({ label: stepLabel(step), value: formatSigned(step.contribution), step })),
    { label: t("clientScore"), value: formatPercent(sigmoid(score)), at: score },
  ].map((row) => ({
    ...row,
    lines: wrapLines(row.label, right - left - textWidth(row.value, true) - size),
  }));
  // Above the rows: what the figures are, then the threshold's label beside its line.
  const figuresLines = wrapLines(t("contribution"), right - left);
  const thresholdText = `${t("threshold")} ${formatPercent(threshold)}`;
  const thresholdLines = wrapLines(thresholdText, (right - left) * 0.6);
  const thresholdY = size + figuresLines.length * line;
  const header = thresholdY + size * 0.2 + thresholdLines.length * line;
  let y = header;
  for (const row of rows) {
    row.top = y;
    row.barTop = y + row.lines.length * line + size * 0.2;
    y = row.barTop + barHeight + size * 0.3;
  }
  const axisY = y + size * 0.3;
  const titleLines = wrapLines(t("waterfallAxis"), right - left);
  const height = axisY + size * 2.4 + titleLines.length * line;
  const { svg } = chartSvg(container, height, t("reasonsLabel"));

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
      y1: thresholdY - size * 0.6,
      y2: axisY,
    }),
  );
  const thresholdWidth = Math.max(...thresholdLines.map((text) => textWidth(text)));
  // The label runs from the line towards the wider side, and stays inside the chart.
  const towardsRight = thresholdX <= width / 2;
  svg.append(
    lines(thresholdLines, {
      x: towardsRight
        ? Math.min(thresholdX + size * 0.3, right - thresholdWidth)
        : Math.max(thresholdX - size * 0.3, left + thresholdWidth),
      y: thresholdY,
      "text-anchor": towardsRight ? "start" : "end",
    }),
  );
  // The figures beside the contributions are log-odds, which add up: said once above them.
  svg.append(lines(figuresLines, { x: right, y: size, "text-anchor": "end", class: "muted" }));

  const marker = (value, barTop) => {
    const [cx, r] = [x(value), barHeight * 0.45];
    svg.append(
      el("path", {
        class: "marker-client-fill",
        d: `M${cx} ${barTop} L${cx + r} ${barTop + r} L${cx} ${barTop + 2 * r} L${cx - r} ${barTop + r} Z`,
      }),
    );
  };
  rows.forEach((row, i) => {
    const baseline = row.top + size * 1.05;
    svg.append(lines(row.lines, { x: left, y: baseline }));
    svg.append(el("text", { x: right, y: baseline, "text-anchor": "end", class: "strong", text: row.value }));
    const { step, barTop } = row;
    if (!step) {
      marker(row.at, barTop);
      return;
    }
    const from = x(Math.min(step.start, step.end));
    svg.append(
      el("rect", {
        class: step.contribution > 0 ? "fill-risk" : "fill-safe",
        x: from,
        y: barTop,
        width: Math.max(x(Math.max(step.start, step.end)) - from, 1.5),
        height: barHeight,
      }),
    );
    svg.append(
      el("line", {
        class: "connector",
        x1: x(step.end),
        x2: x(step.end),
        y1: barTop + barHeight,
        y2: rows[i + 1].barTop,
      }),
    );
  });

  xAxis(svg, {
    ticks: probabilityTicks(low - pad, high + pad),
    position: (p) => x(logit(p)),
    label: (p) => formatPercent(p, percentDigits(p)),
    y: axisY,
    left,
    right,
  });
  axisTitle(svg, titleLines, { y: axisY + size * 3.2, left, right });
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
