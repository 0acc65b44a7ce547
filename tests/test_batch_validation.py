"""Row validation agrees with the API's field rule, value by value, column by column."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credit_scoring import schema
from credit_scoring.batch.csv_reader import FileLayout, parse_block, read_layout
from credit_scoring.batch.validation import check_rows
from credit_scoring.features.application import CodedLabels

NUMERIC = sorted(schema.APPLICATION_RANGES.keys() - {schema.CLIENT_ID, schema.TARGET})
CATEGORICAL = sorted(schema.APPLICATION_CATEGORIES)


def numeric_candidates(column: str) -> list[str]:
    """CSV texts around and beyond a numeric column's bounds, and texts that are not numbers at all."""
    low, high = schema.APPLICATION_RANGES[column]
    values = [
        low,
        high,
        (low + high) / 2,
        low + 0.5,
        high - 0.25,
        math.nextafter(low, -math.inf),
        math.nextafter(high, math.inf),
        low - 1,
        high + 1,
        float(schema.DAYS_EMPLOYED_ANOMALY),
    ]
    texts = [repr(value) for value in values]
    texts += [str(int(value)) for value in values if value.is_integer() and abs(value) < 2**53]
    return [*texts, "", "abc", "nan", "inf", "-Infinity", "1e400", "1,5", "0x10", "True"]


def categorical_candidates(column: str) -> list[str]:
    return [
        *schema.APPLICATION_CATEGORIES[column],
        "",
        "unknown",
        " " + schema.APPLICATION_CATEGORIES[column][0],
        "1",
    ]


def as_request_value(text: str) -> object:
    """What a JSON request would carry for this CSV text: a number when it reads as one, else the text."""
    if text == "":
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, int | float) and not isinstance(value, bool) else text


def row_values(values: np.ndarray | CodedLabels) -> list[object]:
    """Each row's value in a checked column: a number, or a categorical column's label (None: missing)."""
    if isinstance(values, CodedLabels):
        return [values.labels[code] if code >= 0 else None for code in values.codes.tolist()]
    return values.tolist()


def csv_field(text: str) -> str:
    return f'"{text}"' if "," in text or text.startswith(" ") else text


@pytest.mark.parametrize("column", NUMERIC + CATEGORICAL)
def test_each_value_is_judged_as_the_api_judges_it(column: str) -> None:
    texts = (
        numeric_candidates(column) if column in schema.APPLICATION_RANGES else categorical_candidates(column)
    )
    layout = read_layout(f"SK_ID_CURR,{column}".encode())
    block = "".join(f"{100000 + i},{csv_field(text)}\n" for i, text in enumerate(texts)).encode()
    checked = check_rows(parse_block(block, 2, layout), layout)
    reasons = {rejection.line: rejection.reason for rejection in checked.rejected}
    for line, text in enumerate(texts, start=2):
        expected = schema.check_application_value(column, as_request_value(text))
        reason = reasons.get(line)
        assert (reason is None) == (expected is None), f"{column} = {text!r}: {reason} / {expected}"
        if reason is not None and expected is not None:
            # The same rule's words; only the echo of the value may differ ("-1" for "-1.0").
            assert reason.rsplit(", got ", 1)[0] == expected.rsplit(", got ", 1)[0]
    accepted = dict(zip(checked.lines.tolist(), row_values(checked.columns[column]), strict=True))
    for line, text in enumerate(texts, start=2):
        if line in accepted and text != "":
            value = as_request_value(text)
            assert accepted[line] == (float(value) if column in schema.APPLICATION_RANGES else value)


@pytest.mark.parametrize(
    ("text", "readable"),
    [
        ("100002", True),
        ("999999", True),
        ("12345", False),
        ("1234567", False),
        ("-100002", False),
        ("100002.0", False),
        ("+100002", False),
        ("abcdef", False),
        ("", False),
        ("012345", False),
        ("\u0661\u0662\u0663\u0664\u0665\u0666", False),  # Arabic-Indic digits: not ASCII
        (" 100002", False),
        ("100002 ", False),
    ],
)
def test_client_ids_follow_the_api_rule(text: str, readable: bool) -> None:
    assert (schema.parse_client_id(text) is not None) == readable
    layout = read_layout(b"SK_ID_CURR")
    checked = check_rows(parse_block(f'"{text}"\n'.encode(), 2, layout), layout)
    if readable:
        assert checked.client_ids.tolist() == [int(text)]
        assert checked.rejected == ()
    else:
        assert len(checked.rejected) == 1
        assert checked.rejected[0].client_id is None
        assert checked.rejected[0].reason.startswith("SK_ID_CURR")
        assert "exactly 6 digits" in checked.rejected[0].reason


def test_client_ids_of_a_block_are_judged_each_as_if_alone() -> None:
    """Ids of several lengths in one block (read together, as fixed-width text) get each its own verdict."""
    texts = ["100002", "1234567", "12345", "", "999999", "1000020", "10000", "0123456", "654321"]
    layout = read_layout(b"SK_ID_CURR")
    block = "".join(f'"{text}"\n' for text in texts).encode()
    checked = check_rows(parse_block(block, 2, layout), layout)
    valid = [
        (line, int(text))
        for line, text in enumerate(texts, start=2)
        if text in {"100002", "999999", "654321"}
    ]
    assert list(zip(checked.lines.tolist(), checked.client_ids.tolist(), strict=True)) == valid
    assert [rejection.line for rejection in checked.rejected] == [
        line for line, text in enumerate(texts, start=2) if line not in dict(valid)
    ]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="0123456789 +-.e\u0661x", max_size=8), min_size=1, max_size=30))
def test_a_block_of_client_ids_is_read_by_the_schema_rule(texts: list[str]) -> None:
    """The vectorised reading of a block of ids gives each the verdict of `schema.parse_client_id`."""
    layout = read_layout(b"SK_ID_CURR")
    block = "".join(f'"{text}"\n' for text in texts).encode()
    checked = check_rows(parse_block(block, 2, layout), layout)
    expected = [
        (line, schema.parse_client_id(text))
        for line, text in enumerate(texts, start=2)
        if schema.parse_client_id(text) is not None
    ]
    assert list(zip(checked.lines.tolist(), checked.client_ids.tolist(), strict=True)) == expected


def test_a_malformed_line_names_its_client_id_only_when_the_schema_rule_reads_it() -> None:
    layout = read_layout(b"SK_ID_CURR,AMT_CREDIT")
    checked = check_rows(parse_block(b"100002,1,extra\n012345,1,extra\n", 2, layout), layout)
    assert [rejection.client_id for rejection in checked.rejected] == [100002, None]


def test_every_problem_of_a_row_is_in_its_reason_with_its_readable_id() -> None:
    layout = FileLayout("applications", ("SK_ID_CURR", "AMT_CREDIT", "FLAG_OWN_CAR", "DAYS_BIRTH"), ())
    checked = check_rows(parse_block(b"100002,-5,maybe,-10000\n100003,5,Y,-10000\n", 2, layout), layout)
    (rejection,) = checked.rejected
    assert rejection.line == 2
    assert rejection.client_id == 100002
    assert rejection.reason == "; ".join(
        [
            schema.check_application_value("AMT_CREDIT", -5),
            schema.check_application_value("FLAG_OWN_CAR", "maybe"),
        ]
    )
    assert checked.client_ids.tolist() == [100003]
    assert row_values(checked.columns["FLAG_OWN_CAR"]) == ["Y"]
