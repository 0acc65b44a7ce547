// How a decision reads everywhere on the page: a badge with an icon and a word (never colour alone),
// the probability against the threshold, and the reasons that push the risk up.
import { formatPercent } from "./format.js";
import { colon, locale, t } from "./i18n.js";
import { h } from "./html.js";
import { reasonComparison } from "./reasoncompare.js";
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

/** The warning of a decision made on little information, shown before the decision itself. */
function informationWarning(prediction) {
  const information = prediction.information;
  if (!information?.little_information) {
    return [];
  }
  return [
    h("p", {
      class: "notice warning",
      role: "note",
      text: t("littleInformation", { given: information.fields_given, used: information.fields_used }),
    }),
  ];
}

/** What an officer quotes: the decision id, its date and time, the model version. */
function decisionRecord(prediction) {
  const when = new Intl.DateTimeFormat(locale(), { dateStyle: "long", timeStyle: "medium" }).format(
    new Date(prediction.decided_at),
  );
  const items = [
    ["decisionId", prediction.decision_id],
    ["decidedAt", when],
    ["modelVersion", prediction.model_version],
  ];
  return h(
    "dl",
    { class: "decision-record" },
    items.map(([key, value]) => h("div", {}, [h("dt", { text: t(key) }), h("dd", { text: value })])),
  );
}

/** The little-information warning, the badge, the probability of default and the threshold, and the
 * decision's record, as one block. */
export function decisionBlock(prediction) {
  return [
    ...informationWarning(prediction),
    badge(prediction.decision),
    h("p", { class: "figures" }, [
      h("span", { text: `${t("probability")}${colon()}` }),
      h("strong", { text: formatPercent(prediction.probability) }),
      h("br"),
      h("span", { text: `${t("threshold")}${colon()}${formatPercent(prediction.threshold)}` }),
    ]),
    decisionRecord(prediction),
  ];
}

/** The decision's principal reasons in the API's words (statement, then the client's value, then the
 * share of the risk), each with its comparison with the population, or a sentence saying there are none. */
export function reasonsList(reasons) {
  if (reasons.length === 0) {
    return h("p", { text: t("noReasons") });
  }
  const comparison = reasonComparison(reasons);
  return h("div", {}, [
    h("h3", { text: t("topReasons") }),
    h(
      "ol",
      { class: "comparison-list" },
      reasons.map((reason, i) =>
        h("li", {}, [
          h("strong", { id: comparison.describedBy(i), text: reason.statement }),
          h("br"),
          h("span", {
            text: `${reason.label}${colon()}${reason.value_text} · ${t("riskShare", { share: formatPercent(reason.share, 0) })}`,
          }),
          h("br"),
          comparison.control(i),
        ]),
      ),
    ),
    comparison.panel,
  ]);
}
