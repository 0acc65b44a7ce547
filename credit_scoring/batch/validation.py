"""Each parsed value judged by the rule the API applies to the same field of a request.

`schema.check_application_value` is that rule (plausible range, whole numbers, vocabulary), and it
words the reason. Calling it on every cell of a 50,000-row file would cost seconds, so a vectorized pass
first flags the cells that may break it: outside the column's range, not a whole number where one is
expected, not in the vocabulary, or not a number at all. The rule then judges only those cells. The pass
flags a superset of what the rule refuses (the tests check it column by column), so every verdict is the
rule's own, and a valid DAYS_EMPLOYED placeholder, flagged for being out of range, is let through by it.

SK_ID_CURR follows `schema.parse_client_id`, read for a whole block at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd

from credit_scoring import schema
from credit_scoring.batch.csv_reader import FileLayout, RecordBlock
from credit_scoring.batch.records import Rejection
from credit_scoring.features.application import CodedLabels

_DIGIT_WEIGHTS: Final = 10 ** np.arange(schema.CLIENT_ID_DIGITS - 1, -1, -1, dtype=np.int64)
_EXACT_INTEGERS: Final = 2.0**53


@dataclass(frozen=True)
class CheckedRows:
    """The valid rows of a block, ready to score, and the rejected ones with their reasons."""

    lines: np.ndarray
    client_ids: np.ndarray
    columns: dict[str, np.ndarray | CodedLabels]
    """Application columns of the valid rows, as `ApplicationFeatures.transform` reads them: float64
    with NaN for missing numbers, categorical columns as codes into their labels."""
    rejected: tuple[Rejection, ...]
    """In line order; malformed lines and invalid values together."""
    outside_vocabulary: dict[str, int] = field(default_factory=dict)
    """Per categorical column, the rows (rejected) whose value is outside its vocabulary: a new
    category, which drift monitoring reports."""

    def slice(self, start: int, stop: int) -> CheckedRows:
        """The valid rows start..stop (their rejections stay with the whole)."""
        return CheckedRows(
            lines=self.lines[start:stop],
            client_ids=self.client_ids[start:stop],
            columns={column: values[start:stop] for column, values in self.columns.items()},
            rejected=(),
        )


class _Problems:
    """The reasons found for each row, kept in the header's column order whatever order they come in."""

    def __init__(self, columns: tuple[str, ...]) -> None:
        self._position = {column: i for i, column in enumerate(columns)}
        self.rows: dict[int, list[tuple[int, str]]] = {}

    def add(self, row: int, column: str, message: str) -> None:
        self.rows.setdefault(row, []).append((self._position[column], message))

    def judge(self, column: str, value: object, row: int) -> None:
        """Ask the API's rule about one value; record its reason when it refuses the value."""
        problem = schema.check_application_value(column, value)
        if problem is not None:
            self.add(row, column, problem)

    def reason(self, row: int) -> str:
        return "; ".join(message for _, message in sorted(self.rows[row]))


def check_rows(block: RecordBlock, layout: FileLayout) -> CheckedRows:
    """Judge every value of the block's parsed rows; a row with any invalid value is rejected whole."""
    frame = block.frame
    problems = _Problems(layout.used)
    client_ids, readable = _client_ids(frame[schema.CLIENT_ID].to_numpy(dtype=object), problems)
    columns: dict[str, np.ndarray | CodedLabels] = {}
    outside: dict[str, int] = {}
    numeric = []
    for column in layout.used:
        if column in schema.APPLICATION_CATEGORIES:
            columns[column] = _category(column, frame[column].to_numpy(dtype=object), problems, outside)
        elif column != schema.CLIENT_ID:
            numeric.append(column)
    columns.update(_numbers(frame, numeric, problems))
    valid = np.ones(len(frame), dtype=bool)
    valid[list(problems.rows)] = False
    rejected = [
        Rejection(
            int(block.lines[row]), int(client_ids[row]) if readable[row] else None, problems.reason(row)
        )
        for row in problems.rows
    ]
    rejected += [
        Rejection(line, None if text is None else int(text), reason) for line, text, reason in block.malformed
    ]
    rejected.sort(key=lambda rejection: rejection.line)
    if not problems.rows:  # the usual block: every row valid, no column to copy
        return CheckedRows(block.lines, client_ids, columns, tuple(rejected))
    return CheckedRows(
        lines=block.lines[valid],
        client_ids=client_ids[valid],
        columns={column: values[valid] for column, values in columns.items()},
        rejected=tuple(rejected),
        outside_vocabulary=outside,
    )


def _client_ids(raw: np.ndarray, problems: _Problems) -> tuple[np.ndarray, np.ndarray]:
    """Client ids as int64 (0 where invalid), and which rows had a valid one."""
    present = pd.notna(raw)
    readable = np.zeros(len(raw), dtype=bool)
    ids = np.zeros(len(raw), dtype=np.int64)
    readable[present], ids[present] = _read_client_ids(raw[present].astype(str))
    for row in np.flatnonzero(~readable).tolist():
        problems.add(
            row,
            schema.CLIENT_ID,
            f"{schema.CLIENT_ID} is missing: expected {schema.CLIENT_ID_EXPECTED}"
            if not present[row]
            else f"{schema.CLIENT_ID} must be {schema.CLIENT_ID_EXPECTED}, got {raw[row]!r}",
        )
    return ids, readable


def _read_client_ids(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which of `texts` (fixed-width numpy text) are a client id by `schema.parse_client_id`, and their
    values (0 where they are not), read from the texts' code points for the whole block at once rather
    than with the rule's regular expression per row (the tests check both agree). numpy pads a shorter
    text with NULs, which cannot be part of a text here: a line holding a NUL byte is rejected before it
    is parsed."""
    width = texts.dtype.itemsize // 4
    if not len(texts) or width < schema.CLIENT_ID_DIGITS:
        return np.zeros(len(texts), dtype=bool), np.zeros(len(texts), dtype=np.int64)
    points = texts.view("<u4").reshape(len(texts), width).astype(np.int64)
    digits = points[:, : schema.CLIENT_ID_DIGITS] - ord("0")
    matched = (
        ((digits >= 0) & (digits <= 9)).all(axis=1)
        & (digits[:, 0] != 0)
        & (points[:, schema.CLIENT_ID_DIGITS :] == 0).all(axis=1)
    )
    return matched, np.where(matched, digits @ _DIGIT_WEIGHTS, 0)


def _category(column: str, raw: np.ndarray, problems: _Problems, outside: dict[str, int]) -> CodedLabels:
    """The column as codes into its distinct labels, the rows holding a label outside the vocabulary
    judged (and counted in `outside`). A column holds a handful of distinct labels: each is checked
    here, and encoded by the feature definition, once rather than once per row."""
    codes, labels = pd.factorize(raw)  # code -1: missing
    distinct = labels.tolist()
    vocabulary = schema.APPLICATION_CATEGORIES[column]
    unknown = [code for code, label in enumerate(distinct) if label not in vocabulary]
    if unknown:
        rows = np.flatnonzero(np.isin(codes, unknown)).tolist()
        outside[column] = len(rows)
        for row in rows:
            problems.judge(column, raw[row], row)
    return CodedLabels(codes, distinct)


def _floats(column: str, series: pd.Series, problems: _Problems) -> np.ndarray:
    """A numeric column as float64, NaN for an empty field; a field that is not a number is judged (and
    refused) by the rule."""
    if series.dtype.kind in "iuf":
        return series.to_numpy(dtype=np.float64)
    # pandas could not read the whole column as numbers: find the cells that are not.
    raw = series.to_numpy(dtype=object)
    present = pd.notna(raw)
    parsed = pd.to_numeric(pd.Series(raw[present]).astype(str), errors="coerce").to_numpy(dtype=np.float64)
    values = np.full(len(raw), np.nan)
    values[present] = parsed
    # "nan" is a number to pandas but not a value a request can send: only an empty field is missing.
    for row in np.flatnonzero(present)[np.isnan(parsed)].tolist():
        problems.judge(column, str(raw[row]), row)
    return values


def _numbers(frame: pd.DataFrame, columns: list[str], problems: _Problems) -> dict[str, np.ndarray]:
    """The numeric columns, their values checked together as one (rows, columns) matrix."""
    if not columns:
        return {}
    # Column-major, so that each column handed to the feature definition is contiguous.
    kinds = [dtype.kind for dtype in frame.dtypes[columns]]
    if all(kind in "iuf" for kind in kinds):
        # The usual block: pandas read every value as a number, converted in one pass over the frame
        # (column-major already, as pandas stores columns).
        values = np.asfortranarray(frame[columns].to_numpy(dtype=np.float64))
    else:
        values = np.empty((len(frame), len(columns)), order="F")
        for j, column in enumerate(columns):
            values[:, j] = _floats(column, frame[column], problems)
    integral = np.array([kind in "iu" for kind in kinds])
    for row, j in _suspect_cells(values, columns, integral):
        problems.judge(columns[j], _as_request_number(float(values[row, j])), row)
    return {column: values[:, j] for j, column in enumerate(columns)}


def _suspect_cells(values: np.ndarray, columns: list[str], integral: np.ndarray) -> list[tuple[int, int]]:
    """(row, column index) of every value outside its column's range, or not a whole number where one is
    expected (`integral`: columns pandas read as integers, which cannot hold a fraction); missing values
    and the DAYS_EMPLOYED placeholder are never suspect.

    Each column's minimum and maximum (NaN skipped) clear most columns at once; only the few columns whose
    extremes break the range, and the whole-number columns read as floats, are checked value by value."""
    if not len(values):
        return []
    low, high = np.array([schema.APPLICATION_RANGES[column] for column in columns]).T
    whole = np.array([column in schema.WHOLE_NUMBER_COLUMNS for column in columns])
    cells = []
    # An all-missing column has NaN extremes, never out of range; an infinite value, out of range, has
    # a NaN fraction.
    with np.errstate(invalid="ignore"):
        out_of_range = (np.fmin.reduce(values, axis=0) < low) | (np.fmax.reduce(values, axis=0) > high)
        fractional = whole & ~integral
        for j in np.flatnonzero(out_of_range | fractional).tolist():
            column = values[:, j]
            # NaN compares false: a missing value is neither out of range nor a fraction.
            suspect = (column < low[j]) | (column > high[j])
            if fractional[j]:
                suspect |= column - np.floor(column) > 0
            if columns[j] == "DAYS_EMPLOYED":  # the rule's one exception to a range: spare it the call
                suspect &= column != schema.DAYS_EMPLOYED_ANOMALY
            cells += [(row, j) for row in np.flatnonzero(suspect).tolist()]
    return cells


def _as_request_number(value: float) -> int | float:
    """A whole number as an int, as a JSON request would carry it (so the reason reads "got -5")."""
    return int(value) if value.is_integer() and abs(value) < _EXACT_INTEGERS else value
