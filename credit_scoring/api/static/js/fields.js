// What POST /predict accepts for each application field (GET /application-fields: kind, plausible range,
// values accepted besides it, vocabulary), so that the forms check a value before sending it, with the
// same rules as the API.
import { getJSON } from "./api.js";
import { formatNumber, parseLocaleNumber } from "./format.js";

let fields = null;

/** The application fields' rules, fetched once. */
export function loadFields() {
  fields ??= getJSON("application-fields");
  return fields;
}

/**
 * Read a typed number against a field's rules: {value} when it is valid, {problem: {key, values}} when
 * it is not, {value: null} when the text is empty (a missing value).
 */
export function readNumber(text, rule) {
  if (text.trim() === "") {
    return { value: null };
  }
  const value = parseLocaleNumber(text);
  if (Number.isNaN(value)) {
    return { problem: { key: "numberExpected", values: {} } };
  }
  // A placeholder the API accepts besides the range (DAYS_EMPLOYED's 365243: not employed or retired).
  if (rule.special_values?.includes(value)) {
    return { value };
  }
  if (rule.whole && !Number.isInteger(value)) {
    return { problem: { key: "wholeExpected", values: {} } };
  }
  if (value < rule.minimum || value > rule.maximum) {
    return {
      problem: {
        key: "rangeExpected",
        values: { min: formatNumber(rule.minimum), max: formatNumber(rule.maximum) },
      },
    };
  }
  return { value };
}
