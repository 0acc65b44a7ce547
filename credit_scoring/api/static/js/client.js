// Looking up a client: the number is checked as it is typed, Enter submits, and the decision is shown
// as soon as GET /predict answers; the reasons (GET /explain) and the main information (GET /clients)
// follow as they arrive. Other panels (comparison, what-if) listen for the current client.
import { getJSON } from "./api.js";
import { renderGauge, riskZone } from "./charts/gauge.js";
import { renderWaterfall, waterfallCaption, waterfallTable } from "./charts/waterfall.js";
import { decisionBlock, reasonsList } from "./decision.js";
import { formatApplicationField, formatPercent, formatVariable } from "./format.js";
import { featureLabel, t } from "./i18n.js";
import { h } from "./html.js";
import { onRedraw } from "./preferences.js";

const ZONE_TEXT = { low: "zoneLow", moderate: "zoneModerate", high: "zoneHigh" };

const recorded = (column) => [column, (client) => formatApplicationField(column, client.application[column])];

// The main information panel, in the order an officer reads an application.
const INFO = [
  ["AGE_YEARS", (client) => formatVariable("years", client.variables.AGE_YEARS)],
  ["EMPLOYMENT_YEARS", (client) => formatApplicationField("DAYS_EMPLOYED", client.application.DAYS_EMPLOYED)],
  ...[
    "NAME_FAMILY_STATUS",
    "CNT_CHILDREN",
    "NAME_EDUCATION_TYPE",
    "NAME_INCOME_TYPE",
    "OCCUPATION_TYPE",
    "NAME_HOUSING_TYPE",
    "FLAG_OWN_REALTY",
    "FLAG_OWN_CAR",
    "NAME_CONTRACT_TYPE",
    "AMT_INCOME_TOTAL",
    "AMT_CREDIT",
    "AMT_ANNUITY",
    "AMT_GOODS_PRICE",
  ].map(recorded),
  [
    "PAYMENT_RATE",
    (client) =>
      client.variables.PAYMENT_RATE == null ? t("unknown") : formatPercent(client.variables.PAYMENT_RATE),
  ],
  ["CREDIT_INCOME_RATIO", (client) => formatVariable("ratio", client.variables.CREDIT_INCOME_RATIO)],
  ...["EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"].map(recorded),
];

/** Why a typed client number cannot be looked up ({key, values} of a message), or null when it can. */
function clientIdProblem(text, { complete }) {
  if (/[^0-9]/.test(text)) {
    return { key: "idDigitsOnly", values: {} };
  }
  if (text.length === 0) {
    return complete ? { key: "idEmpty", values: {} } : null;
  }
  if (text.length > 6 || (complete && text.length < 6)) {
    return { key: "idLength", values: { count: text.length } };
  }
  if (text.length === 6 && text.startsWith("0")) {
    return { key: "idLeadingZero", values: {} };
  }
  return null;
}

export function initClient() {
  const form = document.getElementById("lookup-form");
  const input = document.getElementById("client-id");
  const error = document.getElementById("client-id-error");
  const status = document.getElementById("lookup-status");
  const view = document.getElementById("client-view");
  const lookupPanel = document.querySelector(".lookup");
  const listeners = [];
  let current = null;
  let fieldMessage = null;
  let statusMessage = null;
  let requested = null;

  const showFieldMessage = (message) => {
    fieldMessage = message;
    error.textContent = message ? t(message.key, message.values) : "";
    input.setAttribute("aria-invalid", String(message !== null));
  };
  const showStatus = (message) => {
    statusMessage = message;
    status.textContent = message ? t(message.key, message.values) : "";
    status.classList.toggle("error", Boolean(message?.error));
  };
  const statusValues = (client) => ({
    id: client.id,
    decision: t(client.prediction.decision),
    probability: formatPercent(client.prediction.probability),
  });

  const drawDecision = () => {
    const { prediction } = current;
    document
      .getElementById("decision")
      .replaceChildren(...decisionBlock(prediction), h("p", { class: "hint", text: t("decisionRule") }));
    document.getElementById("decision-reasons").replaceChildren(reasonsList(prediction.reasons));
    renderGauge(document.getElementById("gauge"), prediction);
    document.getElementById("gauge-caption").textContent = t("gaugeCaption", {
      probability: formatPercent(prediction.probability),
      threshold: formatPercent(prediction.threshold),
      zone: t(ZONE_TEXT[riskZone(prediction.probability, prediction.threshold)]),
    });
  };
  const drawReasons = () => {
    const caption = document.getElementById("waterfall-caption");
    const chart = document.getElementById("waterfall");
    if (current.explanationError) {
      chart.replaceChildren();
      caption.textContent = t("serviceError", { message: current.explanationError.message });
      return;
    }
    if (!current.explanation) {
      return;
    }
    const { base, contributions } = current.explanation;
    const drawn = renderWaterfall(chart, { base, contributions, threshold: current.prediction.threshold });
    caption.textContent = waterfallCaption(drawn, base);
    document.getElementById("waterfall-table").replaceChildren(waterfallTable(drawn, base));
  };
  const drawInfo = () => {
    const panel = document.getElementById("client-info");
    if (current.recordError) {
      const message =
        current.recordError.status === 409
          ? t("infoUnavailable")
          : t("serviceError", { message: current.recordError.message });
      panel.replaceChildren(h("p", { class: "notice", text: message }));
    } else if (current.record) {
      panel.replaceChildren(
        h(
          "dl",
          { class: "info-list" },
          INFO.map(([key, value]) =>
            h("div", {}, [h("dt", { text: featureLabel(key) }), h("dd", { text: value(current.record) })]),
          ),
        ),
      );
    }
  };
  const drawAll = () => {
    document.title = current ? t("titleClient", { id: current.id }) : t("title");
    if (fieldMessage) {
      showFieldMessage(fieldMessage);
    }
    if (statusMessage) {
      showStatus({
        ...statusMessage,
        values: current && statusMessage.key === "loaded" ? statusValues(current) : statusMessage.values,
      });
    }
    if (current) {
      drawDecision();
      drawReasons();
      drawInfo();
    }
  };
  onRedraw(drawAll);

  const notify = () => {
    for (const listener of listeners) {
      listener(current);
    }
  };

  const failed = (id, failure) => {
    if (failure.status === 404) {
      showFieldMessage({ key: "unknownClient", values: { id } });
      showStatus(null);
    } else if (failure.status === 422) {
      showFieldMessage({ key: "serviceError", values: { message: failure.message } });
      showStatus(null);
    } else {
      showStatus(
        failure.status === 0
          ? { key: "networkError", values: {}, error: true }
          : { key: "serviceError", values: { message: failure.message }, error: true },
      );
    }
    current = null;
    view.hidden = true;
    document.title = t("title");
    notify();
  };

  const lookup = async (id) => {
    requested = id;
    performance.clearMarks("lookup-start");
    performance.clearMeasures("decision-shown");
    performance.mark("lookup-start");
    showStatus({ key: "loading", values: { id } });
    // The previous client's decision must never be read as this one's: cleared before the request.
    current = null;
    view.hidden = true;
    notify();
    document.title = t("loadingTitle", { id });
    lookupPanel.setAttribute("aria-busy", "true");
    lookupPanel.classList.add("busy");
    // The decision is asked for first: it is what the officer waits for.
    const decision = getJSON(`predict/${id}`);
    const explanation = getJSON(`explain/${id}`);
    const record = getJSON(`clients/${id}`);
    // Unhandled rejections of the follow-up calls are reported where each result is drawn.
    explanation.catch(() => null);
    record.catch(() => null);
    let prediction;
    try {
      prediction = await decision;
    } catch (failure) {
      if (requested === id) {
        failed(id, failure);
      }
      return;
    } finally {
      if (requested === id) {
        lookupPanel.removeAttribute("aria-busy");
        lookupPanel.classList.remove("busy");
      }
    }
    if (requested !== id) {
      return;
    }
    current = {
      id: Number(id),
      prediction,
      explanation: null,
      explanationError: null,
      record: null,
      recordError: null,
    };
    view.hidden = false;
    showFieldMessage(null);
    document.title = t("titleClient", { id });
    document.getElementById("client-info").replaceChildren();
    document.getElementById("waterfall").replaceChildren();
    document.getElementById("waterfall-caption").textContent = "";
    document.getElementById("waterfall-table").replaceChildren();
    drawDecision();
    showStatus({ key: "loaded", values: statusValues(current) });
    requestAnimationFrame(() => performance.measure("decision-shown", "lookup-start"));
    notify();

    const client = current;
    explanation
      .then((body) => {
        client.explanation = body;
      })
      .catch((failure) => {
        client.explanationError = failure;
      })
      .finally(() => {
        if (current === client) {
          drawReasons();
        }
      });
    record
      .then((body) => {
        client.record = body;
      })
      .catch((failure) => {
        client.recordError = failure;
      })
      .finally(() => {
        if (current === client) {
          drawInfo();
          notify();
        }
      });
  };

  input.addEventListener("input", () =>
    showFieldMessage(clientIdProblem(input.value.trim(), { complete: false })),
  );
  input.addEventListener("blur", () => {
    if (input.value.trim() !== "") {
      showFieldMessage(clientIdProblem(input.value.trim(), { complete: true }));
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const id = input.value.trim();
    const problem = clientIdProblem(id, { complete: true });
    showFieldMessage(problem);
    if (problem) {
      input.focus();
      return;
    }
    lookup(id);
  });

  return {
    /** The client shown (null when there is none). */
    current() {
      return current;
    },
    /** Call `listener(client)` whenever the current client changes (null when there is none). */
    onClient(listener) {
      listeners.push(listener);
    },
  };
}
