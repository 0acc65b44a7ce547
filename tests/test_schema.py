"""The schema's plausible-value rule: what it accepts, what it rejects, and what it says when it does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from credit_scoring import schema
from credit_scoring.schema import APPLICATION_RANGES, check_application_value

NUMERIC = [name for name, kind in schema.TABLES[schema.APPLICATION].items() if kind != schema.CATEGORY]
CATEGORICAL = list(schema.APPLICATION_CATEGORIES)


def test_every_application_column_has_a_rule() -> None:
    assert sorted(APPLICATION_RANGES) == sorted(NUMERIC)
    assert sorted(CATEGORICAL) == sorted(
        name for name, kind in schema.TABLES[schema.APPLICATION].items() if kind == schema.CATEGORY
    )
    assert all(low < high for low, high in APPLICATION_RANGES.values())


@pytest.mark.parametrize("column", [*NUMERIC, *CATEGORICAL])
@pytest.mark.parametrize("missing", [None, float("nan"), np.float64("nan")])
def test_missing_is_valid(column: str, missing: object) -> None:
    assert check_application_value(column, missing) is None


@pytest.mark.parametrize("column", NUMERIC)
def test_bounds_are_included_and_values_beyond_them_rejected(column: str) -> None:
    low, high = APPLICATION_RANGES[column]
    assert check_application_value(column, low) is None
    assert check_application_value(column, high) is None
    for outside in (low - 1, high + 1):
        message = check_application_value(column, outside)
        assert message is not None
        assert message.startswith(f"{column} must be ")
        assert message.endswith(f"got {outside}")


def test_message_says_what_is_expected() -> None:
    assert (
        check_application_value("AMT_CREDIT", -5)
        == "AMT_CREDIT must be a number between 0 and 100,000,000, got -5"
    )
    assert check_application_value("FLAG_MOBIL", 2) == "FLAG_MOBIL must be 0 or 1, got 2"
    assert (
        check_application_value("EXT_SOURCE_2", 1.5)
        == "EXT_SOURCE_2 must be a number between 0 and 1, got 1.5"
    )


@pytest.mark.parametrize("column", sorted(schema.WHOLE_NUMBER_COLUMNS))
def test_whole_number_columns_reject_fractions(column: str) -> None:
    low, _ = APPLICATION_RANGES[column]
    message = check_application_value(column, low + 0.5)
    assert message is not None
    assert "whole number" in message or "0 or 1" in message


def test_fractions_are_fine_where_the_column_is_continuous() -> None:
    assert check_application_value("AMT_ANNUITY", 24700.5) is None
    assert check_application_value("EXT_SOURCE_1", 0.083037) is None


def test_days_are_in_the_past_except_the_employment_placeholder() -> None:
    assert check_application_value("DAYS_EMPLOYED", schema.DAYS_EMPLOYED_ANOMALY) is None
    assert check_application_value("DAYS_BIRTH", schema.DAYS_EMPLOYED_ANOMALY) is not None
    message = check_application_value("DAYS_EMPLOYED", 10)
    assert message is not None
    assert str(schema.DAYS_EMPLOYED_ANOMALY) in message


@pytest.mark.parametrize("value", ["5", True, float("inf"), -float("inf"), [1], b"1"])
def test_a_number_column_rejects_what_is_not_a_finite_number(value: object) -> None:
    message = check_application_value("AMT_CREDIT", value)
    assert message is not None
    assert message.startswith("AMT_CREDIT must be a number")


def test_numpy_scalars_are_numbers() -> None:
    assert check_application_value("CNT_CHILDREN", np.int64(2)) is None
    assert check_application_value("AMT_CREDIT", np.float32(1000.0)) is None
    assert check_application_value("CNT_CHILDREN", np.int64(-1)) == (
        "CNT_CHILDREN must be a whole number between 0 and 30, got -1"
    )


@pytest.mark.parametrize("column", CATEGORICAL)
def test_categories_accept_exactly_their_documented_values(column: str) -> None:
    for value in schema.APPLICATION_CATEGORIES[column]:
        assert check_application_value(column, value) is None
    for value in ("not a documented value", schema.APPLICATION_CATEGORIES[column][0].lower() + " ", 1):
        message = check_application_value(column, value)
        assert message is not None
        assert message.startswith(f"{column} must be one of ")
        assert message.endswith(f"got {value!r}")


def test_unknown_column() -> None:
    assert check_application_value("AMT_CREDITS", 1) == "AMT_CREDITS is not an application column"


def test_schema_imports_nothing_but_the_standard_library() -> None:
    code = (
        "import sys, credit_scoring.schema; "
        "loaded = {m.split('.')[0] for m in sys.modules}; "
        "assert not loaded & {'numpy', 'pandas', 'pydantic'}, loaded"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent)


@pytest.mark.real_data
def test_no_value_of_the_real_sample_is_rejected(real_sample_dir: Path) -> None:
    frame = pd.read_csv(real_sample_dir / "application_train.csv")
    assert list(frame.columns) == list(schema.TABLES[schema.APPLICATION])
    rejected = {
        (column, message)
        for column in frame.columns
        for value in frame[column].unique().tolist()
        if (message := check_application_value(column, value)) is not None
    }
    assert rejected == set()
