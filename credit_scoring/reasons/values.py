"""A feature's value stated in its unit, as an officer reads it to the client: amounts in the currency,
durations in years, months or days rather than negative day counts, shares in %, flags as yes or no.
Standard library only: serving imports it."""

from __future__ import annotations

import math
from typing import Final

CURRENCY: Final = "€"
"""The company's currency, that of every amount of the application and history tables."""

DAYS_PER_YEAR: Final = 365.25
DAYS_PER_MONTH: Final = DAYS_PER_YEAR / 12

NOT_PROVIDED: Final = {"fr": "non renseigné", "en": "not provided"}
_YES_NO: Final = {"fr": ("non", "oui"), "en": ("no", "yes")}
_UNITS: Final = {
    "fr": {"year": ("an", "ans"), "month": ("mois", "mois"), "day": ("jour", "jours")},
    "en": {"year": ("year", "years"), "month": ("month", "months"), "day": ("day", "days")},
}
_RELATIVE: Final = {"fr": ("il y a {}", "dans {}"), "en": ("{} ago", "in {}")}

SCALES: Final = {
    "currency": ("currency", 1.0, False),
    "share": ("percent", 100.0, False),
    "ratio": ("ratio", 1.0, False),
    "score": ("score", 1.0, False),
    "rating": ("count", 1.0, False),
    "count": ("count", 1.0, False),
    "flag": ("yes_no", 1.0, False),
    "category": ("yes_no", 1.0, False),
    "years": ("years", 1.0, False),
    "age_days": ("years", 1 / DAYS_PER_YEAR, True),
    "elapsed_days": ("years", 1 / DAYS_PER_YEAR, True),
    "relative_days": ("relative_years", 1 / DAYS_PER_YEAR, False),
    "days": ("days", 1.0, True),
    "months": ("months", 1.0, True),
    "relative_months": ("relative_months", 1.0, False),
    "hour": ("hour", 1.0, False),
}
"""Each catalogue unit's scale on a chart, as `state` reads it: (the scale's unit, factor, whether the
length of time is taken without its sign). A chart of a feature is drawn on one scale for every client,
where `state` picks years, months or days per value; relative dates keep their sign (negative: before
the application)."""


def measured(value: float, unit: str) -> float:
    """A feature's raw value on its unit's chart scale (`SCALES`): years rather than negative days,
    % for shares."""
    _, factor, unsigned = SCALES[unit]
    return (abs(value) if unsigned else value) * factor


def number(value: float, digits: int, language: str) -> str:
    """`value` rounded to `digits` decimals, grouped by thousands as the language writes numbers."""
    text = f"{value:,.{digits}f}"
    if language == "fr":
        # French: narrow no-break space between thousands, decimal comma.
        return text.replace(",", "\u202f").replace(".", ",")
    return text


def _count(value: float, language: str) -> str:
    return number(value, 0 if float(value).is_integer() else 1, language)


def duration(days: float, language: str) -> str:
    """A length of time: years from a year on, months from a month on, days below."""
    days = abs(days)
    names = _UNITS[language]
    if days >= DAYS_PER_YEAR:
        amount, unit, digits = days / DAYS_PER_YEAR, "year", 1
    elif days >= DAYS_PER_MONTH:
        amount, unit, digits = days / DAYS_PER_MONTH, "month", 0
    else:
        amount, unit, digits = days, "day", 0
    rounded = round(amount, digits)
    singular = rounded < 2 if language == "fr" else rounded == 1  # "1,5 an" but "1.5 years"
    return f"{number(rounded, digits, language)} {names[unit][0 if singular else 1]}"


def _relative(days: float, language: str) -> str:
    """A date given in days relative to the application: before it (negative) or after."""
    past, future = _RELATIVE[language]
    return (past if days <= 0 else future).format(duration(days, language))


def _currency(value: float, language: str) -> str:
    amount = number(value, 0, language)
    return f"{amount}\u00a0{CURRENCY}" if language == "fr" else f"{CURRENCY}{amount}"


def state(value: float | None, unit: str, language: str) -> str:
    """`value` (a feature's value; None or NaN when missing) in `unit` (`catalogue.UNITS`)."""
    if value is None or math.isnan(value):
        return NOT_PROVIDED[language]
    match unit:
        case "currency":
            return _currency(value, language)
        case "share":
            percent = measured(value, unit)
            return f"{number(percent, 1, language)}\u00a0%" if language == "fr" else f"{percent:.1f}%"
        case "ratio":
            return number(value, 2, language)
        case "score":
            return number(value, 3, language)
        case "flag":
            return _YES_NO[language][value >= 0.5]
        case "years":
            return duration(value * DAYS_PER_YEAR, language)
        case "age_days" | "elapsed_days" | "days":
            return duration(value, language)
        case "relative_days":
            return _relative(value, language)
        case "months":
            return duration(value * DAYS_PER_MONTH, language)
        case "relative_months":
            return _relative(value * DAYS_PER_MONTH, language)
        case "hour":
            return f"{int(value)}\u00a0h" if language == "fr" else f"{int(value):02d}:00"
        case _:  # count, rating
            return _count(value, language)
