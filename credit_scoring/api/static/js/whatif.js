// "What if": change one value of the current client's application and see the new decision. The
// client's record goes back to POST /predict with that one value changed and SK_ID_CURR, so that the
// stored credit history is joined exactly as for the original decision.
import { postJSON } from "./api.js";
import { decisionBlock } from "./decision.js";
import { loadFields, readNumber } from "./fields.js";
import { formatApplicationField, formatPercent, formatPoints } from "./format.js";
import { featureLabel, t } from "./i18n.js";
import { h } from "./html.js";
import { onRedraw } from "./preferences.js";

const CHANGEABLE = [
  "AMT_INCOME_TOTAL",
  "AMT_CREDIT",
  "AMT_ANNUITY",
  "AMT_GOODS_PRICE",
  "CNT_CHILDREN",
  "CNT_FAM_MEMBERS",
  "EXT_SOURCE_1",
  "EXT_SOURCE_2",
  "EXT_SOURCE_3",
];

export function initWhatif(clientEvents, modelCard) {
  const form = document.getElementById("whatif-form");
  const select = document.getElementById("whatif-field");
  const input = document.getElementById("whatif-value");
  const current = document.getElementById("whatif-current");
  const error = document.getElementById("whatif-error");
  const result = document.getElementById("whatif-result");
  const unavailable = document.getElementById("whatif-unavailable");
  let client = null;
  let rules = null;
  let problem = null;
  let outcome = null;

  const application = () => client?.record?.application ?? null;
  const showProblem = (next) => {
    problem = next;
    error.textContent = next ? t(next.key, next.values) : "";
    input.setAttribute("aria-invalid", String(next !== null));
  };
  const drawOutcome = () => {
    if (!outcome) {
      result.replaceChildren();
      return;
    }
    const { field, value, prediction, before } = outcome;
    result.replaceChildren(
      h("p", { class: "simulation-label", text: t("simulationLabel") }),
      ...decisionBlock(prediction),
      h("p", {
        text: t("whatifResult", {
          field: featureLabel(field),
          value: formatApplicationField(field, value),
          decision: t(prediction.decision),
          probability: formatPercent(prediction.probability),
          delta: formatPoints(prediction.probability - before.probability),
          current: formatPercent(before.probability),
        }),
      }),
      h("p", {}, [
        h("strong", { text: t(prediction.decision === before.decision ? "whatifSame" : "whatifChanged") }),
      ]),
    );
  };
  const drawCurrent = () => {
    const record = application();
    current.textContent = record
      ? t("whatifCurrent", { value: formatApplicationField(select.value, record[select.value]) })
      : "";
  };
  const draw = () => {
    const reason =
      modelCard && !modelCard.accepts_applications
        ? "whatifUnavailable"
        : client?.recordError
          ? "whatifNoRecord"
          : null;
    unavailable.hidden = reason === null;
    unavailable.textContent = reason ? t(reason) : "";
    form.hidden = reason !== null;
    const chosen = select.value || CHANGEABLE[0];
    select.replaceChildren(
      ...CHANGEABLE.map((field) => h("option", { value: field, text: featureLabel(field) })),
    );
    select.value = chosen;
    // Nothing to simulate from until the client's record has arrived.
    form.querySelector("button[type=submit]").disabled = !application();
    drawCurrent();
    if (problem) {
      showProblem(problem);
    }
    drawOutcome();
  };

  const prefill = () => {
    const value = application()?.[select.value];
    input.value = value == null ? "" : String(value);
  };

  select.addEventListener("change", () => {
    prefill();
    showProblem(null);
    drawCurrent();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const record = application();
    if (!record) {
      return;
    }
    rules ??= await loadFields();
    const field = select.value;
    const read = readNumber(input.value, rules[field]);
    const problemFound = read.problem ?? (read.value === null ? { key: "numberExpected", values: {} } : null);
    showProblem(problemFound);
    if (problemFound) {
      input.focus();
      return;
    }
    const payload = Object.fromEntries(Object.entries(record).filter(([, value]) => value !== null));
    payload[field] = read.value;
    payload.SK_ID_CURR = client.id;
    const before = client.prediction;
    try {
      const prediction = await postJSON("predict", payload);
      outcome = { field, value: read.value, prediction, before };
    } catch (failure) {
      outcome = null;
      showProblem({
        key: "unknownField",
        values: { field: failure.fields[0]?.field ?? field, message: failure.message },
      });
    }
    drawOutcome();
  });

  const show = (next) => {
    if (next?.id !== client?.id) {
      outcome = null;
      showProblem(null);
    }
    client = next;
    draw();
    prefill();
  };
  show(clientEvents.current());
  clientEvents.onClient(show);
  onRedraw(draw);
}
