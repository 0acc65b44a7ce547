// One variable, clients who repaid vs clients who defaulted, with this client marked: a histogram of
// each group's share per bin (the groups differ in size, so shares compare them fairly) and box plots
// from the published centiles. Repaid is solid blue, defaulted hatched vermillion, the client a black
// line with a star: readable without colour.
import { formatAxis, formatPercent, formatVariable, variableTitle } from "../format.js";
import { colon, featureLabel, t } from "../i18n.js";
import { dataTable, starPath } from "../html.js";
import {
  axisTitle,
  chartSvg,
  chartWidth,
  clampAnchor,
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

export const GROUPS = ["repaid", "defaulted"];
const FILL = { repaid: "fill-safe", defaulted: "fill-risk" };
const BOX_FILL = { repaid: "fill-safe-zone", defaulted: "fill-risk" };

function shares(counts) {
  const total = counts.reduce((sum, count) => sum + count, 0);
  return counts.map((count) => (total > 0 ? count / total : 0));
}

/** The share of a group at or below `value`, reading the histogram as uniform within each bin. */
function shareAtOrBelow(edges, counts, value) {
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) {
    return 0;
  }
  let below = 0;
  counts.forEach((count, i) => {
    const [from, to] = [edges[i], edges[i + 1]];
    if (value >= to) {
      below += count;
    } else if (value > from) {
      below += (count * (value - from)) / (to - from);
    }
  });
  return below / total;
}

function clientMark(svg, x, top, bottom, label, left, right) {
  const size = textSize();
  svg.append(el("line", { class: "marker-client", x1: x, x2: x, y1: top + size * 0.6, y2: bottom }));
  svg.append(el("path", { class: "marker-client-fill", d: starPath(x, top + size * 0.4, size * 0.55) }));
  const placed = clampAnchor(x, textWidth(label, true), left, right);
  svg.append(
    el("text", {
      x: placed.x,
      y: top - size * 0.5,
      "text-anchor": placed.anchor,
      class: "strong",
      text: label,
    }),
  );
}

/** The variable's name: a feature summary brings its own (`name`), a dashboard variable's is its key's. */
function nameOf(summary) {
  return summary.name ?? featureLabel(summary.key);
}

function domain(summary) {
  const [low, high] = [summary.edges[0], summary.edges.at(-1)];
  return { low, high, clamp: (value) => Math.min(Math.max(value, low), high) };
}

// The variable's axis along the bottom of either chart, in its own unit, titled with the unit below
// its ticks; `titleLines` come from axisLines so that the chart's height leaves room for them, and
// their width is the chart's: they are centred on the chart, not on the plot beside the share axis.
function valueAxis(svg, summary, x, bottom, left, right, titleLines) {
  const { low, high } = domain(summary);
  xAxis(svg, {
    ticks: niceTicks(low, high, 5),
    position: x,
    label: (v) => formatAxis(summary.unit, v),
    y: bottom,
    left,
    right,
  });
  const width = Number(svg.getAttribute("width"));
  axisTitle(svg, titleLines, { y: bottom + textSize() * 3.1, left: 0, right: width });
}

/** The value axis title's lines and the height the axis takes under the plot. */
function axisLines(summary, width) {
  const size = textSize();
  const titleLines = wrapLines(variableTitle(summary.key, summary.unit, nameOf(summary)), width - size);
  return { titleLines, height: size * 2.4 + titleLines.length * lineHeight() };
}

/** `clientText` states the client's value when it is said otherwise than in the summary's unit (a
 * reason's own words). */
export function renderHistogram(container, summary, clientValue, clientText = null) {
  const size = textSize();
  const name = nameOf(summary);
  const axis = axisLines(summary, chartWidth(container));
  // The share axis's title, then the client's label, above the plot.
  const top = size * 1.4 + 2 * lineHeight();
  const bottom = top + size * 11.8;
  const { svg, width } = chartSvg(container, bottom + axis.height, t("histogramLabel", { variable: name }));
  const groupShares = Object.fromEntries(
    GROUPS.filter((g) => summary.counts[g]).map((g) => [g, shares(summary.counts[g])]),
  );
  const highest = Math.max(...Object.values(groupShares).flat(), 0.01);
  const yTicks = niceTicks(0, highest, 4);
  // Ticks 2.5 % apart need a decimal; whole percentages do not.
  const digits = yTicks.every((tick) => Number.isInteger(Math.round(tick * 1e6) / 1e4)) ? 0 : 1;
  const left = textWidth(formatPercent(yTicks.at(-1), digits)) + size;
  const right = width - size * 0.5;
  const { low, high, clamp } = domain(summary);
  const x = linear(low, high, left, right);
  const y = linear(0, Math.max(highest, yTicks.at(-1)), bottom, top);

  yGrid(svg, { ticks: yTicks, position: y, label: (tick) => formatPercent(tick, digits), left, right });
  svg.append(el("text", { x: size * 0.25, y: size, text: `${t("shareOfGroup")} (%)` }));
  const edges = summary.edges;
  for (let i = 0; i < edges.length - 1; i += 1) {
    const from = x(edges[i]);
    const span = x(edges[i + 1]) - from;
    const gap = Math.min(span * 0.1, 2);
    const half = (span - 2 * gap) / 2;
    GROUPS.forEach((group, k) => {
      if (!groupShares[group]) {
        return;
      }
      const share = groupShares[group][i];
      svg.append(
        el("rect", {
          class: FILL[group],
          x: from + gap + k * half,
          y: y(share),
          width: Math.max(half, 0.5),
          height: bottom - y(share),
        }),
      );
    });
  }
  valueAxis(svg, summary, x, bottom, left, right, axis.titleLines);
  if (clientValue !== null && clientValue !== undefined) {
    clientMark(
      svg,
      x(clamp(clientValue)),
      top,
      bottom,
      `${t("client")}${colon()}${clientText ?? formatVariable(summary.unit, clientValue)}`,
      // Nothing else is on the label's line: it may run over the share axis's labels.
      0,
      width,
    );
  }
}

export function histogramSummary(summary, clientValue, clientText = null) {
  const variable = nameOf(summary);
  if (clientValue === null || clientValue === undefined) {
    return t("histogramNoClient", { variable });
  }
  const share = (group) =>
    summary.counts[group]
      ? formatPercent(shareAtOrBelow(summary.edges, summary.counts[group], clientValue), 0)
      : t("unknown");
  return t("histogramSummary", {
    variable,
    value: clientText ?? formatVariable(summary.unit, clientValue),
    repaidShare: share("repaid"),
    defaultedShare: share("defaulted"),
  });
}

export function renderBoxplot(container, summary, clientValue) {
  const size = textSize();
  const labelHeight = size * 1.5;
  const boxHeight = size * 1.8;
  const rowHeight = labelHeight + boxHeight + size * 0.6;
  const top = size * 2.2;
  // The client's star sits between its label and the first row.
  const rowsTop = top + size * 1.2;
  const bottom = rowsTop + GROUPS.length * rowHeight;
  const axis = axisLines(summary, chartWidth(container));
  const { svg, width } = chartSvg(
    container,
    bottom + axis.height,
    t("boxLabel", { variable: nameOf(summary) }),
  );
  const left = size * 0.5;
  const right = width - size * 0.5;
  const { low, high, clamp } = domain(summary);
  const x = linear(low, high, left, right);

  GROUPS.forEach((group, i) => {
    const rowTop = rowsTop + i * rowHeight;
    svg.append(el("text", { x: left, y: rowTop + size * 1.05, text: t(group) }));
    const q = summary.quantiles[group];
    const boxTop = rowTop + labelHeight;
    const middle = boxTop + boxHeight / 2;
    if (!q) {
      svg.append(el("text", { x: left, y: middle + size * 0.35, class: "muted", text: t("groupTooSmall") }));
      return;
    }
    const [p5, p25, p50, p75, p95] = q.map(clamp);
    svg.append(el("line", { class: "axis", x1: x(p5), x2: x(p25), y1: middle, y2: middle }));
    svg.append(el("line", { class: "axis", x1: x(p75), x2: x(p95), y1: middle, y2: middle }));
    for (const whisker of [p5, p95]) {
      svg.append(
        el("line", {
          class: "axis",
          x1: x(whisker),
          x2: x(whisker),
          y1: boxTop + boxHeight * 0.25,
          y2: boxTop + boxHeight * 0.75,
        }),
      );
    }
    svg.append(
      el("rect", {
        class: BOX_FILL[group],
        x: x(p25),
        y: boxTop,
        width: Math.max(x(p75) - x(p25), 1),
        height: boxHeight,
      }),
    );
    svg.append(
      el("line", { class: "marker-client", x1: x(p50), x2: x(p50), y1: boxTop, y2: boxTop + boxHeight }),
    );
  });
  valueAxis(svg, summary, x, bottom, left, right, axis.titleLines);
  if (clientValue !== null && clientValue !== undefined) {
    clientMark(svg, x(clamp(clientValue)), top, bottom, t("client"), left, right);
  }
}

export function boxplotSummary(summary, clientValue) {
  const median = (group) =>
    summary.quantiles[group] ? formatVariable(summary.unit, summary.quantiles[group][2]) : t("unknown");
  return t("boxSummary", {
    repaidMedian: median("repaid"),
    defaultedMedian: median("defaulted"),
    value: formatVariable(summary.unit, clientValue),
  });
}

/** Both charts' data: each bin's share per group, then each group's centiles. */
export function distributionTable(summary, centiles) {
  const groupShares = Object.fromEntries(
    GROUPS.map((g) => [g, summary.counts[g] ? shares(summary.counts[g]) : null]),
  );
  const last = summary.edges.length - 2;
  const rows = summary.edges.slice(0, -1).map((from, i) => {
    const to = summary.edges[i + 1];
    // The end bins also hold the values beyond the 1st and 99th centiles: they are open-ended.
    let range = `${formatVariable(summary.unit, from)} – ${formatVariable(summary.unit, to)}`;
    if (i === 0) {
      range = `≤ ${formatVariable(summary.unit, to)}`;
    } else if (i === last) {
      range = `≥ ${formatVariable(summary.unit, from)}`;
    }
    return [range, ...GROUPS.map((g) => (groupShares[g] ? formatPercent(groupShares[g][i]) : t("unknown")))];
  });
  for (const [k, centile] of centiles.entries()) {
    rows.push([
      `${t("centile")} ${centile}`,
      ...GROUPS.map((g) =>
        summary.quantiles[g] ? formatVariable(summary.unit, summary.quantiles[g][k]) : t("unknown"),
      ),
    ]);
  }
  return dataTable(
    t("histogramLabel", { variable: nameOf(summary) }),
    [
      { label: t("binRange") },
      { label: t("repaid"), numeric: true },
      { label: t("defaulted"), numeric: true },
    ],
    rows,
  );
}
