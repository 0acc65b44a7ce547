"""Each parsed value judged by the rule the API applies to the same field of a request.

`schema.check_application_value` is that rule (plausible range, whole numbers, vocabulary), and it
words the reason. Calling it on every cell of a 50,000-row file would cost seconds, so a vectorized pass
first flags the cells that may break it: outside the column's range, not a whole number where one is
expected, not in the vocabulary, or not a number at all. The rule then judges only those cells. The pass
flags a superset of what the rule refuses (the tests check it column by column), so every verdict is the
rule's own, and a valid DAYS_EMPLOYED placeholder, flagged for being out of range, is let through by it.

SK_ID_CURR follows the API's client id rule for text: exactly 6 digits, no sign, space or decimals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from credit_scoring import schema
from credit_scoring.batch.csv_reader import FileLayout, RecordBlock
from credit_scoring.batch.records import Rejection

CLIENT_ID_TEXT: Final = re.compile(r"[1-9][0-9]{5}")
CLIENT_ID_EXPECTED: Final = "exactly 6 digits (100000 to 999999), e.g. 100002"
_EXACT_INTEGERS: Final = 2.0**53


@dataclass(frozen=True)
class CheckedRows:
    """The valid rows of a block, ready to score, and the rejected ones with their reasons."""

    lines: np.ndarray
    client_ids: np.ndarray
    columns: dict[str, np.ndarray]
    """Application columns of the valid rows, as `ApplicationFeatures.transform` reads them: float64
    with NaN for missing numbers, object arrays of labels with NaN for missing categories."""
    rejected: tuple[Rejection, ...]
    """In line order; malformed lines and invalid values together."""

    def slice(self, start: int, stop: int) -> CheckedRows:
        """The valid rows start..stop (their rejections stay with the whole)."""
        return CheckedRows(
            lines=self.lines[start:stop],
            client_ids=self.client_ids[start:stop],
            columns={column: values[start:stop] for column, values in self.columns.items()},
            rejected=(),
        )


def check_rows(block: RecordBlock, layout: FileLayout) -> CheckedRows:
    """Judge every value of the block's parsed rows; a row with any invalid value is rejected whole."""
    frame = block.frame
    problems: dict[int, list[str]] = {}
    client_ids, readable = _client_ids(frame[schema.CLIENT_ID].to_numpy(dtype=object), problems)
    columns: dict[str, np.ndarray] = {}
    for column in layout.used:
        if column == schema.CLIENT_ID:
            continue
        if column in schema.APPLICATION_CATEGORIES:
            columns[column] = _category(column, frame[column].to_numpy(dtype=object), problems)
        else:
            columns[column] = _number(column, frame[column], problems)
    valid = np.ones(len(frame), dtype=bool)
    valid[list(problems)] = False
    rejected = [
        Rejection(int(line), int(client_id) if ok else None, "; ".join(problems[row]))
        for row, (line, client_id, ok) in enumerate(
            zip(block.lines.tolist(), client_ids.tolist(), readable.tolist(), strict=True)
        )
        if row in problems
    ]
    rejected += [
        Rejection(line, None if text is None else int(text), reason) for line, text, reason in block.malformed
    ]
    rejected.sort(key=lambda rejection: rejection.line)
    return CheckedRows(
        lines=block.lines[valid],
        client_ids=client_ids[valid],
        columns={column: values[valid] for column, values in columns.items()},
        rejected=tuple(rejected),
    )


def _client_ids(raw: np.ndarray, problems: dict[int, list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Client ids as int64 (0 where invalid), and which rows had a valid one."""
    present = pd.notna(raw)
    readable = present.copy()
    readable[present] = [CLIENT_ID_TEXT.fullmatch(text) is not None for text in raw[present]]
    ids = np.zeros(len(raw), dtype=np.int64)
    ids[readable] = raw[readable].astype(np.int64)
    for row in np.flatnonzero(~readable).tolist():
        problems.setdefault(row, []).append(
            f"{schema.CLIENT_ID} is missing: expected {CLIENT_ID_EXPECTED}"
            if not present[row]
            else f"{schema.CLIENT_ID} must be {CLIENT_ID_EXPECTED}, got {raw[row]!r}"
        )
    return ids, readable


def _category(column: str, raw: np.ndarray, problems: dict[int, list[str]]) -> np.ndarray:
    suspects = pd.notna(raw) & ~pd.Series(raw).isin(schema.APPLICATION_CATEGORIES[column]).to_numpy()
    for row in np.flatnonzero(suspects).tolist():
        _judge(column, raw[row], row, problems)
    return raw


def _number(column: str, series: pd.Series, problems: dict[int, list[str]]) -> np.ndarray:
    if series.dtype.kind in "iuf":
        values = series.to_numpy(dtype=np.float64)
    else:
        # pandas could not read the whole column as numbers: find the cells that are not.
        raw = series.to_numpy(dtype=object)
        present = pd.notna(raw)
        text = pd.Series(raw[present]).astype(str)
        parsed = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64)
        values = np.full(len(raw), np.nan)
        values[present] = parsed
        # "nan" is a number to pandas but not a value a request can send: only an empty field is missing.
        for row in np.flatnonzero(present)[np.isnan(parsed)].tolist():
            _judge(column, str(raw[row]), row, problems)
    low, high = schema.APPLICATION_RANGES[column]
    with np.errstate(invalid="ignore"):
        inside = (values >= low) & (values <= high)
        if column in schema.WHOLE_NUMBER_COLUMNS:
            inside &= values == np.floor(values)
    for row in np.flatnonzero(~inside & ~np.isnan(values)).tolist():
        _judge(column, _as_request_number(float(values[row])), row, problems)
    return values


def _as_request_number(value: float) -> int | float:
    """A whole number as an int, as a JSON request would carry it (so the reason reads "got -5")."""
    return int(value) if value.is_integer() and abs(value) < _EXACT_INTEGERS else value


def _judge(column: str, value: object, row: int, problems: dict[int, list[str]]) -> None:
    problem = schema.check_application_value(column, value)
    if problem is not None:
        problems.setdefault(row, []).append(problem)
