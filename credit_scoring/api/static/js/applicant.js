// A new applicant's main fields, sent to POST /predict. Choices and ranges come from the API's own
// rules (GET /application-fields); age and years in employment are typed in years and sent in days
// before the application, as the Home Credit data records them. A value a field accepts besides its
// range (`special_values`: DAYS_EMPLOYED's placeholder for "not employed or retired") is a box to tick
// under the field, sent as is.
import { postJSON } from "./api.js";
import { decisionBlock, reasonsList } from "./decision.js";
import { loadFields, readNumber } from "./fields.js";
import { DAYS_PER_YEAR, formatPercent } from "./format.js";
import { categoryLabel, featureLabel, onLanguageChange, t } from "./i18n.js";
import { h } from "./html.js";

const GROUPS = [
  ["groupLoan", ["NAME_CONTRACT_TYPE", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE"]],
  [
    "groupApplicant",
    [
      "AGE",
      "NAME_FAMILY_STATUS",
      "CNT_CHILDREN",
      "CNT_FAM_MEMBERS",
      "NAME_EDUCATION_TYPE",
      "NAME_HOUSING_TYPE",
      "FLAG_OWN_CAR",
      "FLAG_OWN_REALTY",
    ],
  ],
  ["groupIncome", ["AMT_INCOME_TOTAL", "NAME_INCOME_TYPE", "OCCUPATION_TYPE", "EMPLOYMENT"]],
  ["groupScores", ["EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"]],
];

// Typed in years, sent in days before the application (negative), as recorded in the data.
const IN_YEARS = {
  AGE: { column: "DAYS_BIRTH", label: "ageYears" },
  EMPLOYMENT: { column: "DAYS_EMPLOYED", label: "employmentYears" },
};

// The label of each field's special values; one the page has no words for shows the value itself.
const SPECIAL_LABELS = { DAYS_EMPLOYED: "notEmployedChoice" };
const SPECIAL = "-special";

const columnOf = (name) => IN_YEARS[name]?.column ?? name;
const toDays = (years) => -Math.round(years * DAYS_PER_YEAR);

/** A field's rule as the officer types it: a days column's range becomes a range in years (its special
 * values, in days, are ticked rather than typed). */
function typedRule(name, rules) {
  const rule = rules[columnOf(name)];
  if (!(name in IN_YEARS)) {
    return rule;
  }
  return {
    ...rule,
    whole: false,
    minimum: Math.max(0, Math.ceil((-rule.maximum / DAYS_PER_YEAR) * 10) / 10),
    maximum: Math.floor((-rule.minimum / DAYS_PER_YEAR) * 10) / 10,
    special_values: null,
  };
}

/** One box per value the field's column accepts besides its range; ticking one sends that value. */
function specialChoices(name, rules, values) {
  const column = columnOf(name);
  return (rules[column].special_values ?? []).map((value, i) => {
    const id = `applicant-${name}${SPECIAL}-${i}`;
    const box = h("input", {
      id,
      name: `${name}${SPECIAL}`,
      type: "checkbox",
      value: String(value),
      checked: values[`${name}${SPECIAL}`] === String(value),
    });
    const text = column in SPECIAL_LABELS ? t(SPECIAL_LABELS[column]) : t("specialValue", { value });
    return h("label", { class: "choice", for: id }, [box, h("span", { text })]);
  });
}

function control(name, rule, value) {
  const id = `applicant-${name}`;
  const describedBy = `${id}-error`;
  if (rule.kind === "category") {
    const options = [
      h("option", { value: "", text: t("choose") }),
      ...rule.choices.map((choice) => h("option", { value: choice, text: categoryLabel(name, choice) })),
    ];
    const select = h("select", { id, name, "aria-describedby": describedBy }, options);
    select.value = value ?? "";
    return select;
  }
  const input = h("input", {
    id,
    name,
    type: "text",
    inputmode: rule.whole ? "numeric" : "decimal",
    autocomplete: "off",
    "aria-describedby": describedBy,
  });
  input.value = value ?? "";
  return input;
}

export function initApplicant(modelCard) {
  const form = document.getElementById("applicant-form");
  const result = document.getElementById("applicant-result");
  let rules = null;
  let loadFailure = null;
  let problems = {};
  let notice = null;
  let outcome = null;

  const names = GROUPS.flatMap(([, group]) => group);
  const drawProblems = () => {
    for (const name of names) {
      const problem = problems[name];
      document.getElementById(`applicant-${name}`).setAttribute("aria-invalid", String(Boolean(problem)));
      document.getElementById(`applicant-${name}-error`).textContent = problem
        ? t(problem.key, problem.values)
        : "";
    }
  };
  const drawResult = () => {
    if (!outcome) {
      result.replaceChildren(
        ...(notice ? [h("p", { class: "field-error", text: t(notice.key, notice.values) })] : []),
      );
      return;
    }
    result.replaceChildren(
      h("p", {
        text: t("applicantResult", {
          decision: t(outcome.decision),
          probability: formatPercent(outcome.probability),
          threshold: formatPercent(outcome.threshold),
        }),
      }),
      ...decisionBlock(outcome),
      reasonsList(outcome.reasons),
    );
  };
  const build = () => {
    const values = Object.fromEntries(new FormData(form).entries());
    form.replaceChildren(
      ...GROUPS.map(([legendKey, group]) =>
        h("fieldset", {}, [
          h("legend", { text: t(legendKey) }),
          h(
            "div",
            { class: "fields" },
            group.map((name) => {
              const field = control(name, typedRule(name, rules), values[name]);
              const choices = specialChoices(name, rules, values);
              // A ticked special value replaces the typed one, which is then not sent.
              field.disabled = choices.some((choice) => choice.querySelector("input").checked);
              return h("div", { class: "field" }, [
                h("label", {
                  for: field.id,
                  text: name in IN_YEARS ? t(IN_YEARS[name].label) : featureLabel(name),
                }),
                choices.length ? h("div", { class: "with-choices" }, [field, ...choices]) : field,
                h("p", { id: `${field.id}-error`, class: "field-error" }),
              ]);
            }),
          ),
        ]),
      ),
      h("div", { class: "actions" }, [
        h("button", { type: "submit", class: "primary", text: t("applicantSubmit") }),
      ]),
    );
  };
  const draw = () => {
    if (modelCard && !modelCard.accepts_applications) {
      form.replaceChildren(h("p", { class: "notice", text: t("whatifUnavailable") }));
    } else if (loadFailure) {
      form.replaceChildren(
        h("p", { class: "notice", text: t("serviceError", { message: loadFailure.message }) }),
      );
    } else if (rules) {
      build();
      drawProblems();
      drawResult();
    }
  };

  /** The request body, with a problem recorded for each field typed wrongly. */
  const readForm = () => {
    const payload = {};
    for (const [name, text] of new FormData(form).entries()) {
      if (name.endsWith(SPECIAL)) {
        payload[columnOf(name.slice(0, -SPECIAL.length))] = Number(text);
        continue;
      }
      const rule = typedRule(name, rules);
      if (rule.kind === "category") {
        if (text !== "") {
          payload[name] = text;
        }
        continue;
      }
      const read = readNumber(text, rule);
      if (read.problem) {
        problems[name] = read.problem;
      } else if (read.value !== null) {
        payload[columnOf(name)] = name in IN_YEARS ? toDays(read.value) : read.value;
      }
    }
    return payload;
  };

  form.addEventListener("change", (event) => {
    const box = event.target;
    if (box.type === "checkbox" && box.name.endsWith(SPECIAL)) {
      const name = box.name.slice(0, -SPECIAL.length);
      const ticked = form.querySelectorAll(`input[name="${box.name}"]:checked`).length > 0;
      document.getElementById(`applicant-${name}`).disabled = ticked;
      delete problems[name];
      drawProblems();
    }
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problems = {};
    notice = null;
    outcome = null;
    const payload = readForm();
    if (Object.keys(problems).length === 0) {
      try {
        outcome = await postJSON("predict", payload);
      } catch (failure) {
        for (const fieldError of failure.fields) {
          const name =
            Object.keys(IN_YEARS).find((key) => IN_YEARS[key].column === fieldError.field) ??
            fieldError.field;
          problems[name] = {
            key: "unknownField",
            values: { field: fieldError.field, message: fieldError.message },
          };
        }
        // An error no form field can show (the service is down, or the body as a whole) is shown as is.
        if (failure.fields.length === 0 || Object.keys(problems).some((name) => !names.includes(name))) {
          notice = { key: "serviceError", values: { message: failure.message } };
        }
      }
    }
    if (!notice && Object.keys(problems).length > 0) {
      notice = { key: "applicantInvalid", values: {} };
    }
    drawProblems();
    drawResult();
    const first = names.find((name) => problems[name]);
    if (first) {
      document.getElementById(`applicant-${first}`).focus();
    }
  });

  // Only words change with the language: a width or text-size change leaves the form, and the field
  // being typed in, as they are.
  onLanguageChange(draw);
  loadFields()
    .then((body) => {
      rules = body;
    })
    .catch((failure) => {
      loadFailure = failure;
    })
    .finally(draw);
}
