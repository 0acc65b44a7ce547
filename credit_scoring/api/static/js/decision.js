// How a decision reads everywhere on the page: a badge with an icon and a word (never colour alone),
// the probability against the threshold, and the reasons that push the risk up.
import { formatFeatureValue, formatPercent, formatSigned } from "./format.js";
import { colon, featureLabel, t } from "./i18n.js";
import { h } from "./html.js";
import { el } from "./svg.js";

function badge(decision) {
  const refused = decision === "refused";
  const icon = el(
    "svg",
    { class: "badge-icon", viewBox: "0 0 20 20", "aria-hidden": "true", focusable: "false" },
    [el("path", { d: refused ? "M5 5 L15 15 M15 5 L5 15" : "M4 10.5 L8.5 15 L16 5.5" })],
  );
  return h("span", { class: `badge ${refused ? "refused" : "accepted"}` }, [
    icon,
    h("span", { text: t(refused ? "refused" : "accepted") }),
  ]);
}

/** The badge, the probability of default and the threshold, as one block. */
export function decisionBlock(prediction) {
  return [
    badge(prediction.decision),
    h("p", { class: "figures" }, [
      h("span", { text: `${t("probability")}${colon()}` }),
      h("strong", { text: formatPercent(prediction.probability) }),
      h("br"),
      h("span", { text: `${t("threshold")}${colon()}${formatPercent(prediction.threshold)}` }),
    ]),
  ];
}

/** The decision's reasons (the features raising the risk most), or a sentence saying there are none. */
export function reasonsList(reasons) {
  if (reasons.length === 0) {
    return h("p", { text: t("noReasons") });
  }
  return h("div", {}, [
    h("h3", { text: t("topReasons") }),
    h(
      "ol",
      { class: "comparison-list" },
      reasons.map((reason) =>
        h("li", {
          text: `${featureLabel(reason.feature)} = ${formatFeatureValue(reason.feature, reason.value)} (▲ ${formatSigned(reason.contribution)})`,
        }),
      ),
    ),
  ]);
}
