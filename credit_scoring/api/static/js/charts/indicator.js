// A yes/no feature (a flag, a one-hot category), clients who repaid vs clients who defaulted: for
// each answer, the share of each group giving it, with a star over the client's answer. Bars carry
// the histogram's fills (solid blue, hatched vermillion): readable without colour.
import { formatPercent } from "../format.js";
import { colon, t } from "../i18n.js";
import { dataTable, starPath } from "../html.js";
import { GROUPS } from "./distribution.js";
import { chartSvg, clampAnchor, el, linear, niceTicks, textSize, textWidth, yGrid } from "../svg.js";

const FILL = { repaid: "fill-safe", defaulted: "fill-risk" };
const ANSWERS = ["no", "yes"];

/** Each group's share answering yes (null for a group too small to publish). */
function yesShares(summary, outcomes) {
  return Object.fromEntries(
    GROUPS.map((group) => {
      const known = outcomes[group] - summary.missing[group];
      const yes = summary.yes[group];
      return [group, yes === null || known <= 0 ? null : yes / known];
    }),
  );
}

function answerOf(clientValue) {
  if (clientValue === null || clientValue === undefined) {
    return null;
  }
  return clientValue >= 0.5 ? "yes" : "no";
}

export function renderIndicator(container, summary, outcomes, clientValue, clientText) {
  const size = textSize();
  const top = size * 3.2;
  const bottom = top + size * 10;
  const label = t("indicatorLabel", { variable: summary.name });
  const { svg, width } = chartSvg(container, bottom + size * 2, label);
  const shares = yesShares(summary, outcomes);
  const yTicks = niceTicks(0, 1, 4);
  const left = textWidth(formatPercent(1, 0)) + size;
  const right = width - size * 0.5;
  const y = linear(0, 1, bottom, top);
  yGrid(svg, { ticks: yTicks, position: y, label: (tick) => formatPercent(tick, 0), left, right });
  svg.append(el("text", { x: size * 0.25, y: size, text: `${t("shareOfGroup")} (%)` }));
  const slot = (right - left) / ANSWERS.length;
  ANSWERS.forEach((answer, i) => {
    const from = left + i * slot + slot * 0.15;
    const bar = (slot * 0.7) / GROUPS.length;
    GROUPS.forEach((group, k) => {
      if (shares[group] === null) {
        return;
      }
      const share = answer === "yes" ? shares[group] : 1 - shares[group];
      const height = bottom - y(share);
      svg.append(el("rect", { class: FILL[group], x: from + k * bar, y: y(share), width: bar, height }));
    });
    const middle = left + (i + 0.5) * slot;
    svg.append(el("text", { x: middle, y: bottom + size * 1.4, "text-anchor": "middle", text: t(answer) }));
    if (answer === answerOf(clientValue)) {
      const star = starPath(middle, top - size * 0.9, size * 0.55);
      svg.append(el("path", { class: "marker-client-fill", d: star }));
      const mark = `${t("client")}${colon()}${clientText}`;
      const placed = clampAnchor(middle, textWidth(mark, true), 0, width);
      const anchor = placed.anchor;
      svg.append(el("text", { x: placed.x, y: top - size * 1.9, "text-anchor": anchor, class: "strong", text: mark }));
    }
  });
}

export function indicatorSummary(summary, outcomes, clientValue, clientText) {
  const shares = yesShares(summary, outcomes);
  const share = (group) => (shares[group] === null ? t("unknown") : formatPercent(shares[group], 0));
  return t("indicatorSummary", {
    variable: summary.name,
    repaidShare: share("repaid"),
    defaultedShare: share("defaulted"),
    value: answerOf(clientValue) === null ? t("unknown") : `${t(answerOf(clientValue))} (${clientText})`,
  });
}

/** The chart's data: each answer's share of each group. */
export function indicatorTable(summary, outcomes) {
  const shares = yesShares(summary, outcomes);
  const rows = ANSWERS.map((answer) => [
    t(answer),
    ...GROUPS.map((group) =>
      shares[group] === null
        ? t("unknown")
        : formatPercent(answer === "yes" ? shares[group] : 1 - shares[group]),
    ),
  ]);
  return dataTable(
    t("indicatorLabel", { variable: summary.name }),
    [
      { label: t("answer") },
      { label: t("repaid"), numeric: true },
      { label: t("defaulted"), numeric: true },
    ],
    rows,
  );
}
