// Numbers as a credit officer reads them: amounts grouped in the locale and in euros, durations in
// years rather than negative day counts, probabilities as percentages.
import { categoryLabel, featureLabel, locale, t } from "./i18n.js";

const DAYS_PER_YEAR = 365.25;

function number(value, maximumFractionDigits = 0, minimumFractionDigits = 0) {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits, minimumFractionDigits }).format(value);
}

export function formatPercent(probability, digits = 1) {
  return new Intl.NumberFormat(locale(), {
    style: "percent",
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(probability);
}

// Every amount of the application and history tables is in the company's currency (the API's too).
function formatAmount(value) {
  return new Intl.NumberFormat(locale(), {
    style: "currency",
    currency: "EUR",
    maximumFractionDigits: 0,
  }).format(value);
}

function formatYears(years) {
  return t("years", { value: number(years, 1, 1) });
}

export function formatSigned(value, digits = 2) {
  const text = number(Math.abs(value), digits, digits);
  return value < 0 ? `−${text}` : `+${text}`;
}

/** A percentage-point difference, signed: "+3,2 pts" / "+3.2 pts". */
export function formatPoints(delta) {
  return `${formatSigned(delta * 100, 1)} pts`;
}

/** Any plain number with a precision suited to its size. */
export function formatNumber(value) {
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) {
    return number(value, 0);
  }
  if (magnitude >= 10) {
    return number(value, 1);
  }
  return number(value, 3);
}

// Intl's own unit names, in the page's language ("12 jours", "3 months").
const INTL_UNITS = {
  percent: ["percent", 1],
  days: ["day", 0],
  months: ["month", 1],
  relative_months: ["month", 1],
  hour: ["hour", 0],
};

/** A value of a dashboard variable in its unit (population.json's "years", "currency", "score", "ratio";
 * a feature summary's "percent", "count", "days", "months", "hour", "relative_years", "relative_months"). */
export function formatVariable(unit, value) {
  if (value === null || value === undefined || Number.isNaN(value)) {
    return t("unknown");
  }
  if (unit in INTL_UNITS) {
    const [name, digits] = INTL_UNITS[unit];
    return new Intl.NumberFormat(locale(), {
      style: "unit",
      unit: name,
      unitDisplay: name === "percent" ? "short" : "long",
      maximumFractionDigits: digits,
    }).format(value);
  }
  switch (unit) {
    case "years":
    case "relative_years":
      return formatYears(value);
    case "currency":
      return formatAmount(value);
    case "score":
      return number(value, 3, 3);
    case "count":
      return number(value, 1);
    default:
      return number(value, 3);
  }
}

const UNIT_WORDS = {
  years: "unitYears",
  currency: "unitCurrency",
  score: "unitScore",
  ratio: "unitRatio",
  percent: "unitPercent",
  count: "unitCount",
  days: "unitDays",
  months: "unitMonths",
  hour: "unitHour",
  relative_years: "unitYearsRelative",
  relative_months: "unitMonthsRelative",
};

/** An axis title: the variable's name (`name`, else its key's label) and its unit, "Âge (années)". */
export function variableTitle(key, unit, name = featureLabel(key)) {
  return `${name} (${t(UNIT_WORDS[unit] ?? "unitRatio")})`;
}

/** A short axis label for a value of a dashboard variable ("450 k" rather than "450 000"). */
export function formatAxis(unit, value) {
  if (unit === "currency") {
    return new Intl.NumberFormat(locale(), { notation: "compact", maximumFractionDigits: 1 }).format(value);
  }
  return number(value, unit === "years" || unit === "days" ? 0 : 2);
}

/** A model feature's raw value, read according to what the feature's name says it holds. */
export function formatFeatureValue(feature, value) {
  if (value === null || value === undefined) {
    return t("unknown");
  }
  if (feature.includes("=") || feature.startsWith("FLAG_") || feature === "DAYS_EMPLOYED_ANOMALY") {
    return value >= 0.5 ? t("yes") : t("no");
  }
  if (feature.startsWith("DAYS_")) {
    return formatYears(Math.abs(value) / DAYS_PER_YEAR);
  }
  if (feature.startsWith("AMT_")) {
    return formatAmount(value);
  }
  if (feature === "AGE_YEARS") {
    return formatYears(value);
  }
  return formatNumber(value);
}

/** A raw application field for the main-information panel. */
export function formatApplicationField(column, value) {
  if (value === null || value === undefined) {
    return t("unknown");
  }
  if (typeof value === "string") {
    return categoryLabel(column, value);
  }
  if (column === "DAYS_EMPLOYED" && value > 0) {
    return t("notEmployed");
  }
  return formatFeatureValue(column, value);
}

/** Parse a number typed in either locale ("150 000", "0,25", "0.25"); NaN when it is not one. */
export function parseLocaleNumber(text) {
  const compact = text.trim().replace(/[\s\u00a0\u202f]/g, "");
  if (!/^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/.test(compact)) {
    return Number.NaN;
  }
  return Number(compact.replace(",", "."));
}

export { DAYS_PER_YEAR };
