// The client among the others: for the variable the officer picks, the distributions of clients who
// repaid and who defaulted (GET /population) with this client marked, and a scatter of two variables.
// Only aggregates and a blurred, id-less sample reach the browser.
import { getJSON } from "./api.js";
import {
  boxplotSummary,
  distributionTable,
  histogramSummary,
  renderBoxplot,
  renderHistogram,
} from "./charts/distribution.js";
import { renderScatter, scatterSummary, scatterTable } from "./charts/scatter.js";
import { featureLabel, t } from "./i18n.js";
import { h, legend } from "./html.js";
import { onRedraw } from "./preferences.js";

const DEFAULT_SCATTER = ["AGE_YEARS", "EXT_SOURCE_2"];

function fillSelect(select, variables, chosen) {
  select.replaceChildren(
    ...variables.map((variable) =>
      h("option", {
        value: variable.key,
        selected: variable.key === chosen,
        text: featureLabel(variable.key),
      }),
    ),
  );
  select.value = chosen;
}

export function initCompare(clientEvents) {
  const body = document.getElementById("compare-body");
  const unavailable = document.getElementById("compare-unavailable");
  const selects = {
    variable: document.getElementById("compare-variable"),
    x: document.getElementById("scatter-x"),
    y: document.getElementById("scatter-y"),
  };
  let population = null;
  let failure = null;
  let client = null;
  const chosen = { variable: null, x: null, y: null };

  const summaryOf = (key) => population.variables.find((variable) => variable.key === key);
  const clientValue = (key) => client?.record?.variables?.[key] ?? null;

  const drawDistribution = () => {
    const summary = summaryOf(chosen.variable);
    const value = clientValue(summary.key);
    renderHistogram(document.getElementById("histogram"), summary, value);
    document.getElementById("histogram-summary").textContent = histogramSummary(summary, value);
    renderBoxplot(document.getElementById("boxplot"), summary, value);
    document.getElementById("boxplot-summary").textContent = boxplotSummary(summary, value);
    document
      .getElementById("distribution-table")
      .replaceChildren(distributionTable(summary, population.centiles));
  };
  const drawScatter = () => {
    const options = {
      sample: population.sample,
      xSummary: summaryOf(chosen.x),
      ySummary: summaryOf(chosen.y),
      client: { x: clientValue(chosen.x), y: clientValue(chosen.y) },
    };
    const points = renderScatter(document.getElementById("scatter"), options);
    document.getElementById("scatter-summary").textContent = scatterSummary(points, options);
    document.getElementById("scatter-table").replaceChildren(scatterTable(points, options));
  };
  const draw = () => {
    if (!client || (!population && !failure)) {
      return;
    }
    const message =
      failure?.status === 409
        ? t("compareUnavailable")
        : failure && t("serviceError", { message: failure.message });
    unavailable.hidden = !failure;
    body.hidden = Boolean(failure);
    if (failure) {
      unavailable.textContent = message;
      return;
    }
    document.getElementById("distribution-legend").replaceChildren(
      legend([
        { swatch: "safe", label: t("repaid") },
        { swatch: "risk", label: t("defaulted") },
        { swatch: "client", label: t("client") },
      ]),
    );
    document.getElementById("scatter-legend").replaceChildren(
      legend([
        { swatch: "pointRepaid", label: t("repaid") },
        { swatch: "pointDefaulted", label: t("defaulted") },
        { swatch: "pointClient", label: t("client") },
      ]),
    );
    for (const [name, select] of Object.entries(selects)) {
      fillSelect(select, population.variables, chosen[name]);
    }
    drawDistribution();
    drawScatter();
  };

  const usable = (variable) => variable.edges !== null;
  getJSON("population")
    .then((body) => {
      population = { ...body, variables: body.variables.filter(usable) };
      const keys = population.variables.map((variable) => variable.key);
      if (keys.length === 0) {
        failure = { status: 409 };
        return;
      }
      chosen.variable = keys[0];
      [chosen.x, chosen.y] = DEFAULT_SCATTER.every((key) => keys.includes(key))
        ? DEFAULT_SCATTER
        : [keys[0], keys[1] ?? keys[0]];
    })
    .catch((error) => {
      failure = error;
    })
    .finally(draw);

  for (const [name, select] of Object.entries(selects)) {
    select.addEventListener("change", () => {
      chosen[name] = select.value;
      if (name === "variable") {
        drawDistribution();
      } else {
        drawScatter();
      }
    });
  }
  clientEvents.onClient((next) => {
    client = next;
    draw();
  });
  onRedraw(draw);
}
