"""The Home Credit tables as Kaggle publishes them: file names, columns, kinds and vocabularies.

This module is the single description of the raw data. Validation, the synthetic generator, the
feature definitions and the API's request model are all derived from it, so that a column added or
renamed here changes every one of them together. Standard library only: serving imports it.
"""

from __future__ import annotations

import math
import numbers
import re
from typing import Final, Literal

ColumnKind = Literal["int", "float", "category"]
INT: Final = "int"
FLOAT: Final = "float"
CATEGORY: Final = "category"

CLIENT_ID: Final = "SK_ID_CURR"
CLIENT_ID_DIGITS: Final = 6
CLIENT_ID_MIN: Final = 100_000
CLIENT_ID_MAX: Final = 999_999
CLIENT_ID_EXAMPLE: Final = 100002
CLIENT_ID_EXPECTED: Final = (
    f"exactly {CLIENT_ID_DIGITS} digits ({CLIENT_ID_MIN} to {CLIENT_ID_MAX}), e.g. {CLIENT_ID_EXAMPLE}"
)
"""The client id rule, for every entry point: SK_ID_CURR is exactly 6 digits, as Kaggle's are."""
_CLIENT_ID_TEXT: Final = re.compile(rf"[1-9][0-9]{{{CLIENT_ID_DIGITS - 1}}}")
TARGET: Final = "TARGET"
DAYS_EMPLOYED_ANOMALY: Final = 365243
"""Kaggle's placeholder in DAYS_EMPLOYED for pensioners and the unemployed."""

APPLICATION: Final = "application_train"
APPLICATION_TEST: Final = "application_test"
HISTORY_TABLES: Final = (
    "bureau",
    "bureau_balance",
    "previous_application",
    "POS_CASH_balance",
    "installments_payments",
    "credit_card_balance",
)

TABLES: Final[dict[str, dict[str, ColumnKind]]] = {
    "application_train": {
        "SK_ID_CURR": INT,
        "TARGET": INT,
        "NAME_CONTRACT_TYPE": CATEGORY,
        "CODE_GENDER": CATEGORY,
        "FLAG_OWN_CAR": CATEGORY,
        "FLAG_OWN_REALTY": CATEGORY,
        "CNT_CHILDREN": INT,
        "AMT_INCOME_TOTAL": FLOAT,
        "AMT_CREDIT": FLOAT,
        "AMT_ANNUITY": FLOAT,
        "AMT_GOODS_PRICE": FLOAT,
        "NAME_TYPE_SUITE": CATEGORY,
        "NAME_INCOME_TYPE": CATEGORY,
        "NAME_EDUCATION_TYPE": CATEGORY,
        "NAME_FAMILY_STATUS": CATEGORY,
        "NAME_HOUSING_TYPE": CATEGORY,
        "REGION_POPULATION_RELATIVE": FLOAT,
        "DAYS_BIRTH": INT,
        "DAYS_EMPLOYED": INT,
        "DAYS_REGISTRATION": FLOAT,
        "DAYS_ID_PUBLISH": INT,
        "OWN_CAR_AGE": FLOAT,
        "FLAG_MOBIL": INT,
        "FLAG_EMP_PHONE": INT,
        "FLAG_WORK_PHONE": INT,
        "FLAG_CONT_MOBILE": INT,
        "FLAG_PHONE": INT,
        "FLAG_EMAIL": INT,
        "OCCUPATION_TYPE": CATEGORY,
        "CNT_FAM_MEMBERS": FLOAT,
        "REGION_RATING_CLIENT": INT,
        "REGION_RATING_CLIENT_W_CITY": INT,
        "WEEKDAY_APPR_PROCESS_START": CATEGORY,
        "HOUR_APPR_PROCESS_START": INT,
        "REG_REGION_NOT_LIVE_REGION": INT,
        "REG_REGION_NOT_WORK_REGION": INT,
        "LIVE_REGION_NOT_WORK_REGION": INT,
        "REG_CITY_NOT_LIVE_CITY": INT,
        "REG_CITY_NOT_WORK_CITY": INT,
        "LIVE_CITY_NOT_WORK_CITY": INT,
        "ORGANIZATION_TYPE": CATEGORY,
        "EXT_SOURCE_1": FLOAT,
        "EXT_SOURCE_2": FLOAT,
        "EXT_SOURCE_3": FLOAT,
        "APARTMENTS_AVG": FLOAT,
        "BASEMENTAREA_AVG": FLOAT,
        "YEARS_BEGINEXPLUATATION_AVG": FLOAT,
        "YEARS_BUILD_AVG": FLOAT,
        "COMMONAREA_AVG": FLOAT,
        "ELEVATORS_AVG": FLOAT,
        "ENTRANCES_AVG": FLOAT,
        "FLOORSMAX_AVG": FLOAT,
        "FLOORSMIN_AVG": FLOAT,
        "LANDAREA_AVG": FLOAT,
        "LIVINGAPARTMENTS_AVG": FLOAT,
        "LIVINGAREA_AVG": FLOAT,
        "NONLIVINGAPARTMENTS_AVG": FLOAT,
        "NONLIVINGAREA_AVG": FLOAT,
        "APARTMENTS_MODE": FLOAT,
        "BASEMENTAREA_MODE": FLOAT,
        "YEARS_BEGINEXPLUATATION_MODE": FLOAT,
        "YEARS_BUILD_MODE": FLOAT,
        "COMMONAREA_MODE": FLOAT,
        "ELEVATORS_MODE": FLOAT,
        "ENTRANCES_MODE": FLOAT,
        "FLOORSMAX_MODE": FLOAT,
        "FLOORSMIN_MODE": FLOAT,
        "LANDAREA_MODE": FLOAT,
        "LIVINGAPARTMENTS_MODE": FLOAT,
        "LIVINGAREA_MODE": FLOAT,
        "NONLIVINGAPARTMENTS_MODE": FLOAT,
        "NONLIVINGAREA_MODE": FLOAT,
        "APARTMENTS_MEDI": FLOAT,
        "BASEMENTAREA_MEDI": FLOAT,
        "YEARS_BEGINEXPLUATATION_MEDI": FLOAT,
        "YEARS_BUILD_MEDI": FLOAT,
        "COMMONAREA_MEDI": FLOAT,
        "ELEVATORS_MEDI": FLOAT,
        "ENTRANCES_MEDI": FLOAT,
        "FLOORSMAX_MEDI": FLOAT,
        "FLOORSMIN_MEDI": FLOAT,
        "LANDAREA_MEDI": FLOAT,
        "LIVINGAPARTMENTS_MEDI": FLOAT,
        "LIVINGAREA_MEDI": FLOAT,
        "NONLIVINGAPARTMENTS_MEDI": FLOAT,
        "NONLIVINGAREA_MEDI": FLOAT,
        "FONDKAPREMONT_MODE": CATEGORY,
        "HOUSETYPE_MODE": CATEGORY,
        "TOTALAREA_MODE": FLOAT,
        "WALLSMATERIAL_MODE": CATEGORY,
        "EMERGENCYSTATE_MODE": CATEGORY,
        "OBS_30_CNT_SOCIAL_CIRCLE": FLOAT,
        "DEF_30_CNT_SOCIAL_CIRCLE": FLOAT,
        "OBS_60_CNT_SOCIAL_CIRCLE": FLOAT,
        "DEF_60_CNT_SOCIAL_CIRCLE": FLOAT,
        "DAYS_LAST_PHONE_CHANGE": FLOAT,
        "FLAG_DOCUMENT_2": INT,
        "FLAG_DOCUMENT_3": INT,
        "FLAG_DOCUMENT_4": INT,
        "FLAG_DOCUMENT_5": INT,
        "FLAG_DOCUMENT_6": INT,
        "FLAG_DOCUMENT_7": INT,
        "FLAG_DOCUMENT_8": INT,
        "FLAG_DOCUMENT_9": INT,
        "FLAG_DOCUMENT_10": INT,
        "FLAG_DOCUMENT_11": INT,
        "FLAG_DOCUMENT_12": INT,
        "FLAG_DOCUMENT_13": INT,
        "FLAG_DOCUMENT_14": INT,
        "FLAG_DOCUMENT_15": INT,
        "FLAG_DOCUMENT_16": INT,
        "FLAG_DOCUMENT_17": INT,
        "FLAG_DOCUMENT_18": INT,
        "FLAG_DOCUMENT_19": INT,
        "FLAG_DOCUMENT_20": INT,
        "FLAG_DOCUMENT_21": INT,
        "AMT_REQ_CREDIT_BUREAU_HOUR": FLOAT,
        "AMT_REQ_CREDIT_BUREAU_DAY": FLOAT,
        "AMT_REQ_CREDIT_BUREAU_WEEK": FLOAT,
        "AMT_REQ_CREDIT_BUREAU_MON": FLOAT,
        "AMT_REQ_CREDIT_BUREAU_QRT": FLOAT,
        "AMT_REQ_CREDIT_BUREAU_YEAR": FLOAT,
    },
    "bureau": {
        "SK_ID_CURR": INT,
        "SK_ID_BUREAU": INT,
        "CREDIT_ACTIVE": CATEGORY,
        "CREDIT_CURRENCY": CATEGORY,
        "DAYS_CREDIT": INT,
        "CREDIT_DAY_OVERDUE": INT,
        "DAYS_CREDIT_ENDDATE": FLOAT,
        "DAYS_ENDDATE_FACT": FLOAT,
        "AMT_CREDIT_MAX_OVERDUE": FLOAT,
        "CNT_CREDIT_PROLONG": INT,
        "AMT_CREDIT_SUM": FLOAT,
        "AMT_CREDIT_SUM_DEBT": FLOAT,
        "AMT_CREDIT_SUM_LIMIT": FLOAT,
        "AMT_CREDIT_SUM_OVERDUE": FLOAT,
        "CREDIT_TYPE": CATEGORY,
        "DAYS_CREDIT_UPDATE": INT,
        "AMT_ANNUITY": FLOAT,
    },
    "bureau_balance": {
        "SK_ID_BUREAU": INT,
        "MONTHS_BALANCE": INT,
        "STATUS": CATEGORY,
    },
    "previous_application": {
        "SK_ID_PREV": INT,
        "SK_ID_CURR": INT,
        "NAME_CONTRACT_TYPE": CATEGORY,
        "AMT_ANNUITY": FLOAT,
        "AMT_APPLICATION": FLOAT,
        "AMT_CREDIT": FLOAT,
        "AMT_DOWN_PAYMENT": FLOAT,
        "AMT_GOODS_PRICE": FLOAT,
        "WEEKDAY_APPR_PROCESS_START": CATEGORY,
        "HOUR_APPR_PROCESS_START": INT,
        "FLAG_LAST_APPL_PER_CONTRACT": CATEGORY,
        "NFLAG_LAST_APPL_IN_DAY": INT,
        "RATE_DOWN_PAYMENT": FLOAT,
        "RATE_INTEREST_PRIMARY": FLOAT,
        "RATE_INTEREST_PRIVILEGED": FLOAT,
        "NAME_CASH_LOAN_PURPOSE": CATEGORY,
        "NAME_CONTRACT_STATUS": CATEGORY,
        "DAYS_DECISION": INT,
        "NAME_PAYMENT_TYPE": CATEGORY,
        "CODE_REJECT_REASON": CATEGORY,
        "NAME_TYPE_SUITE": CATEGORY,
        "NAME_CLIENT_TYPE": CATEGORY,
        "NAME_GOODS_CATEGORY": CATEGORY,
        "NAME_PORTFOLIO": CATEGORY,
        "NAME_PRODUCT_TYPE": CATEGORY,
        "CHANNEL_TYPE": CATEGORY,
        "SELLERPLACE_AREA": INT,
        "NAME_SELLER_INDUSTRY": CATEGORY,
        "CNT_PAYMENT": FLOAT,
        "NAME_YIELD_GROUP": CATEGORY,
        "PRODUCT_COMBINATION": CATEGORY,
        "DAYS_FIRST_DRAWING": FLOAT,
        "DAYS_FIRST_DUE": FLOAT,
        "DAYS_LAST_DUE_1ST_VERSION": FLOAT,
        "DAYS_LAST_DUE": FLOAT,
        "DAYS_TERMINATION": FLOAT,
        "NFLAG_INSURED_ON_APPROVAL": FLOAT,
    },
    "POS_CASH_balance": {
        "SK_ID_PREV": INT,
        "SK_ID_CURR": INT,
        "MONTHS_BALANCE": INT,
        "CNT_INSTALMENT": FLOAT,
        "CNT_INSTALMENT_FUTURE": FLOAT,
        "NAME_CONTRACT_STATUS": CATEGORY,
        "SK_DPD": INT,
        "SK_DPD_DEF": INT,
    },
    "installments_payments": {
        "SK_ID_PREV": INT,
        "SK_ID_CURR": INT,
        "NUM_INSTALMENT_VERSION": FLOAT,
        "NUM_INSTALMENT_NUMBER": INT,
        "DAYS_INSTALMENT": FLOAT,
        "DAYS_ENTRY_PAYMENT": FLOAT,
        "AMT_INSTALMENT": FLOAT,
        "AMT_PAYMENT": FLOAT,
    },
    "credit_card_balance": {
        "SK_ID_PREV": INT,
        "SK_ID_CURR": INT,
        "MONTHS_BALANCE": INT,
        "AMT_BALANCE": FLOAT,
        "AMT_CREDIT_LIMIT_ACTUAL": INT,
        "AMT_DRAWINGS_ATM_CURRENT": FLOAT,
        "AMT_DRAWINGS_CURRENT": FLOAT,
        "AMT_DRAWINGS_OTHER_CURRENT": FLOAT,
        "AMT_DRAWINGS_POS_CURRENT": FLOAT,
        "AMT_INST_MIN_REGULARITY": FLOAT,
        "AMT_PAYMENT_CURRENT": FLOAT,
        "AMT_PAYMENT_TOTAL_CURRENT": FLOAT,
        "AMT_RECEIVABLE_PRINCIPAL": FLOAT,
        "AMT_RECIVABLE": FLOAT,
        "AMT_TOTAL_RECEIVABLE": FLOAT,
        "CNT_DRAWINGS_ATM_CURRENT": FLOAT,
        "CNT_DRAWINGS_CURRENT": INT,
        "CNT_DRAWINGS_OTHER_CURRENT": FLOAT,
        "CNT_DRAWINGS_POS_CURRENT": FLOAT,
        "CNT_INSTALMENT_MATURE_CUM": FLOAT,
        "NAME_CONTRACT_STATUS": CATEGORY,
        "SK_DPD": INT,
        "SK_DPD_DEF": INT,
    },
}
"""Every column of every table, in Kaggle's order, with its kind."""

TABLE_KEYS: Final[dict[str, tuple[str, str | None]]] = {
    "bureau": ("SK_ID_BUREAU", CLIENT_ID),
    "bureau_balance": ("SK_ID_BUREAU", None),
    "previous_application": ("SK_ID_PREV", CLIENT_ID),
    "POS_CASH_balance": ("SK_ID_PREV", CLIENT_ID),
    "installments_payments": ("SK_ID_PREV", CLIENT_ID),
    "credit_card_balance": ("SK_ID_PREV", CLIENT_ID),
}
"""For each history table: its own record key, and the client key it joins on (bureau_balance joins
bureau through SK_ID_BUREAU)."""

APPLICATION_CATEGORIES: Final[dict[str, tuple[str, ...]]] = {
    "NAME_CONTRACT_TYPE": ("Cash loans", "Revolving loans"),
    "CODE_GENDER": ("F", "M", "XNA"),
    "FLAG_OWN_CAR": ("N", "Y"),
    "FLAG_OWN_REALTY": ("N", "Y"),
    "NAME_TYPE_SUITE": (
        "Children",
        "Family",
        "Group of people",
        "Other_A",
        "Other_B",
        "Spouse, partner",
        "Unaccompanied",
    ),
    "NAME_INCOME_TYPE": (
        "Businessman",
        "Commercial associate",
        "Maternity leave",
        "Pensioner",
        "State servant",
        "Student",
        "Unemployed",
        "Working",
    ),
    "NAME_EDUCATION_TYPE": (
        "Academic degree",
        "Higher education",
        "Incomplete higher",
        "Lower secondary",
        "Secondary / secondary special",
    ),
    "NAME_FAMILY_STATUS": (
        "Civil marriage",
        "Married",
        "Separated",
        "Single / not married",
        "Unknown",
        "Widow",
    ),
    "NAME_HOUSING_TYPE": (
        "Co-op apartment",
        "House / apartment",
        "Municipal apartment",
        "Office apartment",
        "Rented apartment",
        "With parents",
    ),
    "OCCUPATION_TYPE": (
        "Accountants",
        "Cleaning staff",
        "Cooking staff",
        "Core staff",
        "Drivers",
        "HR staff",
        "High skill tech staff",
        "IT staff",
        "Laborers",
        "Low-skill Laborers",
        "Managers",
        "Medicine staff",
        "Private service staff",
        "Realty agents",
        "Sales staff",
        "Secretaries",
        "Security staff",
        "Waiters/barmen staff",
    ),
    "WEEKDAY_APPR_PROCESS_START": (
        "FRIDAY",
        "MONDAY",
        "SATURDAY",
        "SUNDAY",
        "THURSDAY",
        "TUESDAY",
        "WEDNESDAY",
    ),
    "ORGANIZATION_TYPE": (
        "Advertising",
        "Agriculture",
        "Bank",
        "Business Entity Type 1",
        "Business Entity Type 2",
        "Business Entity Type 3",
        "Cleaning",
        "Construction",
        "Culture",
        "Electricity",
        "Emergency",
        "Government",
        "Hotel",
        "Housing",
        "Industry: type 1",
        "Industry: type 10",
        "Industry: type 11",
        "Industry: type 12",
        "Industry: type 13",
        "Industry: type 2",
        "Industry: type 3",
        "Industry: type 4",
        "Industry: type 5",
        "Industry: type 6",
        "Industry: type 7",
        "Industry: type 8",
        "Industry: type 9",
        "Insurance",
        "Kindergarten",
        "Legal Services",
        "Medicine",
        "Military",
        "Mobile",
        "Other",
        "Police",
        "Postal",
        "Realtor",
        "Religion",
        "Restaurant",
        "School",
        "Security",
        "Security Ministries",
        "Self-employed",
        "Services",
        "Telecom",
        "Trade: type 1",
        "Trade: type 2",
        "Trade: type 3",
        "Trade: type 4",
        "Trade: type 5",
        "Trade: type 6",
        "Trade: type 7",
        "Transport: type 1",
        "Transport: type 2",
        "Transport: type 3",
        "Transport: type 4",
        "University",
        "XNA",
    ),
    "FONDKAPREMONT_MODE": (
        "not specified",
        "org spec account",
        "reg oper account",
        "reg oper spec account",
    ),
    "HOUSETYPE_MODE": ("block of flats", "specific housing", "terraced house"),
    "WALLSMATERIAL_MODE": (
        "Block",
        "Mixed",
        "Monolithic",
        "Others",
        "Panel",
        "Stone, brick",
        "Wooden",
    ),
    "EMERGENCYSTATE_MODE": ("No", "Yes"),
}
"""The documented vocabulary of every categorical application column (the full Kaggle data's values)."""


def application_columns() -> dict[str, ColumnKind]:
    """The application columns a client is described by: application_train less TARGET."""
    return {name: kind for name, kind in TABLES[APPLICATION].items() if name != TARGET}


def parse_client_id(text: str) -> int | None:
    """The client id a text spells, or None when it is not exactly 6 ASCII digits without a leading zero
    (a sign, a space, decimals or non-ASCII digits, which int() alone would accept, are refused)."""
    return int(text) if _CLIENT_ID_TEXT.fullmatch(text) else None


def is_client_id(value: object) -> bool:
    """Whether a number is a client id: a whole number (not a boolean) from CLIENT_ID_MIN to CLIENT_ID_MAX."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return False
    return float(value).is_integer() and CLIENT_ID_MIN <= value <= CLIENT_ID_MAX


def table_file_names(table: str) -> tuple[str, str]:
    """The file names a table may have in a data directory: plain CSV, or gzip-compressed CSV."""
    return f"{table}.csv", f"{table}.csv.gz"


_DAYS_FLOOR: Final = -43_830.0
"""120 years back, in days: the oldest plausible date of an application's DAYS_* columns."""

_SPECIFIC_RANGES: Final[dict[str, tuple[float, float]]] = {
    CLIENT_ID: (float(CLIENT_ID_MIN), float(CLIENT_ID_MAX)),
    TARGET: (0.0, 1.0),
    "CNT_CHILDREN": (0.0, 30.0),
    "AMT_INCOME_TOTAL": (0.0, 1e9),
    "AMT_CREDIT": (0.0, 1e8),
    "AMT_ANNUITY": (0.0, 1e7),
    "AMT_GOODS_PRICE": (0.0, 1e8),
    "REGION_POPULATION_RELATIVE": (0.0, 1.0),
    "DAYS_BIRTH": (_DAYS_FLOOR, 0.0),
    "DAYS_EMPLOYED": (_DAYS_FLOOR, 0.0),
    "DAYS_REGISTRATION": (_DAYS_FLOOR, 0.0),
    "DAYS_ID_PUBLISH": (_DAYS_FLOOR, 0.0),
    "DAYS_LAST_PHONE_CHANGE": (_DAYS_FLOOR, 0.0),
    "OWN_CAR_AGE": (0.0, 100.0),
    "CNT_FAM_MEMBERS": (1.0, 30.0),
    "REGION_RATING_CLIENT": (1.0, 3.0),
    "REGION_RATING_CLIENT_W_CITY": (1.0, 3.0),
    "HOUR_APPR_PROCESS_START": (0.0, 23.0),
    "EXT_SOURCE_1": (0.0, 1.0),
    "EXT_SOURCE_2": (0.0, 1.0),
    "EXT_SOURCE_3": (0.0, 1.0),
}

_COUNT_PREFIXES: Final = ("OBS_", "DEF_", "AMT_REQ_CREDIT_BUREAU_")
_FLAG_PREFIXES: Final = ("FLAG_", "REG_REGION_", "REG_CITY_", "LIVE_REGION_", "LIVE_CITY_")
_BUILDING_SUFFIXES: Final = ("_AVG", "_MODE", "_MEDI")


def _plausible_range(column: str) -> tuple[float, float]:
    if column in _SPECIFIC_RANGES:
        return _SPECIFIC_RANGES[column]
    if column.startswith(_COUNT_PREFIXES):
        return 0.0, 1000.0
    if column.startswith(_FLAG_PREFIXES):
        return 0.0, 1.0
    if column.endswith(_BUILDING_SUFFIXES):
        return 0.0, 1.0  # normalised building information
    raise KeyError(f"no plausible range declared for application column {column}")


APPLICATION_RANGES: Final[dict[str, tuple[float, float]]] = {
    name: _plausible_range(name) for name, kind in TABLES[APPLICATION].items() if kind != CATEGORY
}
"""Plausible (lowest, highest) value of every numeric application column, bounds included. Generous:
they reject what cannot be (a negative amount, a date in the future, a score outside [0, 1]), not what
is merely unusual. DAYS_EMPLOYED also accepts DAYS_EMPLOYED_ANOMALY."""

WHOLE_NUMBER_COLUMNS: Final[frozenset[str]] = frozenset(
    name
    for name, kind in TABLES[APPLICATION].items()
    if kind == INT or name == "CNT_FAM_MEMBERS" or name.startswith(_COUNT_PREFIXES)
)
"""Numeric application columns that only hold whole numbers (counts, flags, ratings, hours, days)."""
MAX_SHOWN_CHARS: Final = 100
"""Longest text of a refused value that its message repeats: the message stays short whatever is sent."""


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


def expected_application_value(column: str) -> str:
    """What a valid value of an application column is, in words (for error messages).

    Raises KeyError for a column that is not an application column.
    """
    if column in APPLICATION_CATEGORIES:
        return "one of " + ", ".join(repr(value) for value in APPLICATION_CATEGORIES[column])
    low, high = APPLICATION_RANGES[column]
    if column in WHOLE_NUMBER_COLUMNS and (low, high) == (0.0, 1.0):
        return "0 or 1"
    kind = "a whole number" if column in WHOLE_NUMBER_COLUMNS else "a number"
    expected = f"{kind} between {_number(low)} and {_number(high)}"
    if column == "DAYS_EMPLOYED":
        expected += f", or {DAYS_EMPLOYED_ANOMALY} (not employed)"
    return expected


def _shown(value: object) -> str:
    """A refused value as its message repeats it: quoted when text, clipped to MAX_SHOWN_CHARS."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= MAX_SHOWN_CHARS else f"{text[:MAX_SHOWN_CHARS]}… ({len(text):,} characters)"


def check_application_value(column: str, value: object) -> str | None:
    """Why `value` is not a valid value of application column `column`, or None when it is valid.

    None and NaN mean missing, which is valid. The message names the column, says what is expected and
    repeats the value, e.g. "AMT_CREDIT must be a number between 0 and 100,000,000, got -5".
    """
    if column not in APPLICATION_RANGES and column not in APPLICATION_CATEGORIES:
        return f"{column} is not an application column"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    problem = f"{column} must be {expected_application_value(column)}, got {_shown(value)}"
    if column in APPLICATION_CATEGORIES:
        return None if isinstance(value, str) and value in APPLICATION_CATEGORIES[column] else problem
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return problem
    try:
        number = float(value)
    except OverflowError:  # an integer beyond a float's range is beyond every column's range too
        return problem
    if math.isnan(number):
        return None
    if column == "DAYS_EMPLOYED" and number == DAYS_EMPLOYED_ANOMALY:
        return None
    low, high = APPLICATION_RANGES[column]
    if not low <= number <= high or (column in WHOLE_NUMBER_COLUMNS and not number.is_integer()):
        return problem
    return None
