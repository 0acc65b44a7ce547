"""How the synthetic generator models each Kaggle column: shared by the fitter and the generators.

The fitter (`fit_stats`) reads this layout to decide which aggregate statistics to compute from the
real sample, and the generators read the same layout to draw values from them, so that a column moved
from one treatment to another changes both sides together. numpy only.

Treatments of an application column:
- by group: a marginal (missing rate + frequencies or grid quantiles) per employment regime, the
  largest source of structure in the data (pensioners and the unemployed have DAYS_EMPLOYED = 365243,
  ORGANIZATION_TYPE = "XNA", no occupation, no work phone);
- copula: the continuous core of a client (age, employment, income, price, loan terms, external
  scores) drawn jointly through a Gaussian copula whose correlation is fitted on normal scores;
- patterns: groups of columns drawn together from the frequencies of their joint values (the six
  bureau-request counts, the twenty document flags...), which keeps their internal logic;
- building: the forty-seven building-information columns, present or absent together for a client and
  correlated with one another.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from credit_scoring.schema import DAYS_EMPLOYED_ANOMALY, TABLES

Columns = Mapping[str, np.ndarray]
Derivation = Callable[[Columns], np.ndarray]

REGIME: str = "REGIME"
"""Derived application column: "employed", or "not_employed" for the DAYS_EMPLOYED anomaly."""
EMPLOYED, NOT_EMPLOYED = "employed", "not_employed"
NOT_EMPLOYED_INCOME_TYPES: tuple[str, ...] = ("Pensioner", "Unemployed")
"""Income types whose DAYS_EMPLOYED is Kaggle's 365243 placeholder."""


def regime_of(income_type: np.ndarray) -> np.ndarray:
    """The employment regime of each client, from NAME_INCOME_TYPE."""
    not_employed = np.isin(np.asarray(income_type, dtype=object), NOT_EMPLOYED_INCOME_TYPES)
    return np.where(not_employed, NOT_EMPLOYED, EMPLOYED).astype(object)


def _float(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=float)


def ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator as float, NaN where the denominator is missing or zero."""
    denominator = _float(denominator)
    return _float(numerator) / np.where(denominator == 0, np.nan, denominator)


def _finite_days(values: np.ndarray) -> np.ndarray:
    """A DAYS column as float with Kaggle's 365243 placeholder turned into NaN."""
    values = np.asarray(values, dtype=float)
    return np.where(values == DAYS_EMPLOYED_ANOMALY, np.nan, values)


def _pending(values: np.ndarray) -> np.ndarray:
    """1.0 where a DAYS column holds the 365243 placeholder (not happened yet), 0.0 for a date."""
    values = np.asarray(values, dtype=float)
    return np.where(np.isnan(values), np.nan, (values == DAYS_EMPLOYED_ANOMALY).astype(float))


def _start_day(columns: Columns) -> np.ndarray:
    """When a previous loan started: its first due date, or its decision when that date is pending."""
    first_due = _finite_days(columns["DAYS_FIRST_DUE"])
    return np.where(np.isnan(first_due), _float(columns["DAYS_DECISION"]), first_due)


# --- application_train ----------------------------------------------------------------------------

APPLICATION_DERIVED: dict[str, Derivation] = {
    REGIME: lambda c: regime_of(c["NAME_INCOME_TYPE"]),
    # Cash loans cost more than the goods they buy (insurance, fees); revolving loans match the price.
    "CREDIT_GOODS_RATIO": lambda c: ratio(c["AMT_CREDIT"], c["AMT_GOODS_PRICE"]),
    # Annuity = credit / this ratio: about the number of monthly payments (exactly 20 for revolving).
    "CREDIT_ANNUITY_RATIO": lambda c: ratio(c["AMT_CREDIT"], c["AMT_ANNUITY"]),
}

APPLICATION_GROUP_KEY: dict[str, str | None] = {
    "NAME_INCOME_TYPE": None,
    "NAME_CONTRACT_TYPE": None,
    "CREDIT_GOODS_RATIO": "NAME_CONTRACT_TYPE",
    "CREDIT_ANNUITY_RATIO": "NAME_CONTRACT_TYPE",
}
"""The column whose value selects a marginal for each application column; REGIME when not listed."""

COPULA_COLUMNS: tuple[str, ...] = (
    "DAYS_BIRTH",
    "DAYS_EMPLOYED",
    "DAYS_REGISTRATION",
    "DAYS_ID_PUBLISH",
    "DAYS_LAST_PHONE_CHANGE",
    "AMT_INCOME_TOTAL",
    "AMT_GOODS_PRICE",
    "CREDIT_GOODS_RATIO",
    "CREDIT_ANNUITY_RATIO",
    "EXT_SOURCE_1",
    "EXT_SOURCE_2",
    "EXT_SOURCE_3",
)
"""Continuous variables drawn jointly (Gaussian copula over per-group marginals)."""

APPLICATION_PATTERNS: dict[str, tuple[str, ...]] = {
    "region": ("REGION_POPULATION_RELATIVE", "REGION_RATING_CLIENT", "REGION_RATING_CLIENT_W_CITY"),
    "addresses": (
        "REG_REGION_NOT_LIVE_REGION",
        "REG_REGION_NOT_WORK_REGION",
        "LIVE_REGION_NOT_WORK_REGION",
        "REG_CITY_NOT_LIVE_CITY",
        "REG_CITY_NOT_WORK_CITY",
        "LIVE_CITY_NOT_WORK_CITY",
    ),
    "contacts": (
        "FLAG_MOBIL",
        "FLAG_EMP_PHONE",
        "FLAG_WORK_PHONE",
        "FLAG_CONT_MOBILE",
        "FLAG_PHONE",
        "FLAG_EMAIL",
    ),
    "documents": tuple(f"FLAG_DOCUMENT_{number}" for number in range(2, 22)),
    "social_circle": (
        "OBS_30_CNT_SOCIAL_CIRCLE",
        "DEF_30_CNT_SOCIAL_CIRCLE",
        "OBS_60_CNT_SOCIAL_CIRCLE",
        "DEF_60_CNT_SOCIAL_CIRCLE",
    ),
    "bureau_requests": tuple(
        f"AMT_REQ_CREDIT_BUREAU_{period}" for period in ("HOUR", "DAY", "WEEK", "MON", "QRT", "YEAR")
    ),
}
"""Column groups drawn as one joint value (per regime), from the frequencies of their combinations."""

_APPLICATION = tuple(TABLES["application_train"])
BUILDING_COLUMNS: tuple[str, ...] = _APPLICATION[
    _APPLICATION.index("APARTMENTS_AVG") : _APPLICATION.index("EMERGENCYSTATE_MODE") + 1
]
"""The building-information block: fourteen measures as _AVG/_MODE/_MEDI, TOTALAREA_MODE, four categories."""
BUILDING_MEASURES: tuple[str, ...] = tuple(
    name.removesuffix("_AVG") for name in BUILDING_COLUMNS if name.endswith("_AVG")
)
"""Each measure's _AVG, _MODE and _MEDI are drawn at one quantile level, so they are missing together."""
BUILDING_COPULA: tuple[str, ...] = (*(f"{m}_AVG" for m in BUILDING_MEASURES), "TOTALAREA_MODE")
BUILDING_CATEGORIES: tuple[str, ...] = (
    "FONDKAPREMONT_MODE",
    "HOUSETYPE_MODE",
    "WALLSMATERIAL_MODE",
    "EMERGENCYSTATE_MODE",
)
BUILDING_PRESENT: str = "BUILDING_PRESENT"
"""Application statistic (per regime): 1.0 when any building-information column is known."""

RULE_COLUMNS: frozenset[str] = frozenset(
    {"SK_ID_CURR", "TARGET", "AMT_CREDIT", "AMT_ANNUITY", "CNT_FAM_MEMBERS"}
)
"""Application columns computed by rules from other columns, not drawn from a marginal of their own."""

APPLICATION_MARGINALS: tuple[str, ...] = tuple(
    name
    for name in (*_APPLICATION, *APPLICATION_DERIVED, BUILDING_PRESENT)
    if name not in RULE_COLUMNS
    and name not in BUILDING_COLUMNS
    and name != REGIME
    and not any(name in members for members in APPLICATION_PATTERNS.values())
)
"""Application columns with a marginal per group (this includes the copula columns)."""

LIFE_EVENT_DATES: tuple[str, ...] = (
    "DAYS_EMPLOYED",
    "DAYS_REGISTRATION",
    "DAYS_ID_PUBLISH",
    "DAYS_LAST_PHONE_CHANGE",
)
"""Dates of a client's life: none can precede the age at which the real clients' earliest ones happen
(an identity document is renewed at 20, a job starts at 18...), fitted as a low quantile."""
EARLIEST_AGE_LEVEL = 0.005

PARTNER_FAMILY_STATUSES: tuple[str, ...] = ("Married", "Civil marriage")
"""CNT_FAM_MEMBERS = CNT_CHILDREN + 2 for these family statuses, + 1 otherwise (exact in the data)."""


# --- history tables -------------------------------------------------------------------------------

HISTORY_GROUP_KEYS: dict[str, tuple[str, ...]] = {
    "bureau": ("CREDIT_ACTIVE",),
    "bureau_balance": (),
    "previous_application": ("NAME_CONTRACT_TYPE", "NAME_CONTRACT_STATUS"),
    "POS_CASH_balance": (),
    "installments_payments": (),
    "credit_card_balance": (),
}
"""Marginals of a history column are fitted per value of these keys (with coarser fallbacks)."""

HISTORY_DERIVED: dict[str, dict[str, Derivation]] = {
    "bureau": {
        "TERM_DAYS": lambda c: _float(c["DAYS_CREDIT_ENDDATE"]) - c["DAYS_CREDIT"],
        "FACT_DAYS": lambda c: _float(c["DAYS_ENDDATE_FACT"]) - c["DAYS_CREDIT"],
        "OVERDUE": lambda c: (_float(c["CREDIT_DAY_OVERDUE"]) > 0).astype(float),
        "UPDATE_DAYS_AGO": lambda c: -np.asarray(c["DAYS_CREDIT_UPDATE"], dtype=float),
        "DEBT_SHARE": lambda c: ratio(c["AMT_CREDIT_SUM_DEBT"], c["AMT_CREDIT_SUM"]),
        "ANNUITY_SHARE": lambda c: ratio(c["AMT_ANNUITY"], c["AMT_CREDIT_SUM"]),
    },
    "bureau_balance": {},
    "previous_application": {
        "APPLICATION_RATIO": lambda c: ratio(c["AMT_APPLICATION"], c["AMT_CREDIT"]),
        # Instalment loans: annuity x number of payments / credit, the total repaid per unit lent.
        "REPAYMENT_RATIO": lambda c: ratio(
            np.asarray(c["AMT_ANNUITY"], dtype=float) * c["CNT_PAYMENT"], c["AMT_CREDIT"]
        ),
        # Revolving lines (no number of payments): the monthly payment per unit of limit.
        "ANNUITY_RATE": lambda c: np.where(
            np.asarray(c["CNT_PAYMENT"], dtype=float) == 0, ratio(c["AMT_ANNUITY"], c["AMT_CREDIT"]), np.nan
        ),
        "FIRST_DUE_LAG": lambda c: _finite_days(c["DAYS_FIRST_DUE"]) - c["DAYS_DECISION"],
        "FIRST_DRAWING_LAG": lambda c: _finite_days(c["DAYS_FIRST_DRAWING"]) - c["DAYS_DECISION"],
        "FIRST_DUE_PENDING": lambda c: _pending(c["DAYS_FIRST_DUE"]),
        "FIRST_DRAWING_PENDING": lambda c: _pending(c["DAYS_FIRST_DRAWING"]),
        # Loans without a schedule of payments (revolving lines): whether they have ended, and when.
        "LAST_DUE_PENDING": lambda c: _pending(c["DAYS_LAST_DUE"]),
        "LAST_DUE_LAG": lambda c: _finite_days(c["DAYS_LAST_DUE"]) - _start_day(c),
        "EARLY_CLOSE_DAYS": lambda c: (
            _finite_days(c["DAYS_LAST_DUE"]) - _finite_days(c["DAYS_LAST_DUE_1ST_VERSION"])
        ),
        "TERMINATION_LAG": lambda c: _finite_days(c["DAYS_TERMINATION"]) - _finite_days(c["DAYS_LAST_DUE"]),
    },
    "POS_CASH_balance": {},
    "installments_payments": {
        "PAYMENT_DELAY": lambda c: _float(c["DAYS_ENTRY_PAYMENT"]) - c["DAYS_INSTALMENT"],
        "PAYMENT_RATIO": lambda c: ratio(c["AMT_PAYMENT"], c["AMT_INSTALMENT"]),
    },
    "credit_card_balance": {
        "UTILISATION": lambda c: ratio(c["AMT_BALANCE"], c["AMT_CREDIT_LIMIT_ACTUAL"]),
        "ATM_SHARE": lambda c: ratio(c["AMT_DRAWINGS_ATM_CURRENT"], c["AMT_DRAWINGS_CURRENT"]),
        "MIN_PAYMENT_RATE": lambda c: ratio(c["AMT_INST_MIN_REGULARITY"], c["AMT_BALANCE"]),
        "PAYMENT_TO_MINIMUM": lambda c: ratio(c["AMT_PAYMENT_TOTAL_CURRENT"], c["AMT_INST_MIN_REGULARITY"]),
        "PRINCIPAL_SHARE": lambda c: ratio(c["AMT_RECEIVABLE_PRINCIPAL"], c["AMT_BALANCE"]),
    },
}
"""Relations between columns of a history table, fitted as marginals of their own."""
