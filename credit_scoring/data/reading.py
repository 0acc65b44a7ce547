"""Reading one Kaggle CSV file into a frame with the schema's dtypes, reporting what does not fit.

Dtypes: a "category" column becomes a pandas categorical; a "float" column float64; an "int" column
int64, or float64 when it has missing values (only identifiers and TARGET must always have one). A value
that is not a number, or not finite, or not whole in an "int" column, is reported and read as missing, so
that the later checks still run on everything else.

Line numbers are the data row's position + 2 (the header is line 1): Kaggle's files have no line
breaks inside quoted values.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from credit_scoring import schema
from credit_scoring.data.problems import Problem

HEADER_LINES = 1


def line_of(position: int) -> int:
    """1-based CSV line number of the data row at `position` (0-based)."""
    return position + HEADER_LINES + 1


def rows_problem(file: str, column: str | None, mask: np.ndarray, message: str) -> Problem:
    """One problem covering every row where `mask` is true (at least one), located at the first."""
    positions = np.flatnonzero(mask)
    return Problem(file, column, line_of(int(positions[0])), message, count=len(positions))


def first_position(mask: np.ndarray) -> int:
    """Position of the first true value of `mask` (which has one)."""
    return int(np.flatnonzero(mask)[0])


def _read_error(file: str, error: Exception) -> Problem:
    if isinstance(error, pd.errors.EmptyDataError):
        return Problem(file, None, None, "empty file: expected a CSV header line, then one line per row")
    if isinstance(error, UnicodeDecodeError):
        return Problem(
            file, None, None, f"not UTF-8 text: byte {error.object[error.start]:#04x} at offset {error.start}"
        )
    if isinstance(error, pd.errors.ParserError):
        return Problem(file, None, None, f"not a well-formed CSV file: {error}")
    if isinstance(error, OSError):
        return Problem(file, None, None, f"cannot read the file: {error.strerror or error}")
    raise error


_READ_ERRORS = (pd.errors.EmptyDataError, UnicodeDecodeError, pd.errors.ParserError, OSError)


def _checked_numbers(
    file: str, column: str, kind: schema.ColumnKind, values: pd.Series, required: bool
) -> tuple[pd.Series, list[Problem]]:
    """A numeric column (read as float64, or as text when some value is not a number) checked and typed.

    Reports values that are not numbers, infinite values, fractions in whole-number columns and, when
    `required`, empty cells; the faulty values become missing.
    """
    problems = []
    if pd.api.types.is_float_dtype(values):
        array = values.to_numpy(dtype=np.float64, copy=True)
        empty = np.isnan(array)
    else:
        array = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, copy=True)
        empty = values.isna().to_numpy()
        not_number = ~empty & np.isnan(array)
        if not_number.any():
            value = values.iloc[first_position(not_number)]
            problems.append(rows_problem(file, column, not_number, f"{value!r} is not a number"))
    infinite = np.isinf(array)
    if infinite.any():
        value = array[first_position(infinite)]
        problems.append(rows_problem(file, column, infinite, f"{value} is not a finite number"))
        array[infinite] = np.nan
    if kind == schema.INT:
        fraction = ~np.isnan(array) & (np.mod(array, 1.0) != 0.0)
        if fraction.any():
            value = array[first_position(fraction)]
            problems.append(rows_problem(file, column, fraction, f"{value} is not a whole number"))
            array[fraction] = np.nan
    if required and empty.any():
        problems.append(rows_problem(file, column, empty, "missing value: every row needs one"))
    if kind == schema.INT and not np.isnan(array).any():
        return pd.Series(array.astype(np.int64), index=values.index, name=column), problems
    return pd.Series(array, index=values.index, name=column), problems


def _read_typed(path: Path, present: Mapping[str, schema.ColumnKind]) -> pd.DataFrame:
    """The file's columns, the `present` schema ones typed: categories as categoricals, numbers as float64
    (as text if one is not a number).

    Raises one of _READ_ERRORS when the file cannot be parsed as CSV. Every column is parsed, not only the
    schema's (no `usecols`): pandas would otherwise silently drop the extra fields of a malformed line.
    """
    numeric = [name for name, kind in present.items() if kind != schema.CATEGORY]
    categories = {name: "category" for name, kind in present.items() if kind == schema.CATEGORY}
    try:
        return pd.read_csv(path, dtype={**categories, **dict.fromkeys(numeric, "float64")})
    except _READ_ERRORS:
        raise
    except ValueError:
        pass  # some value is not a number: read the numbers as text, so that the checks say which and where
    return pd.read_csv(path, dtype={**categories, **dict.fromkeys(numeric, "str")})


def read_table(
    path: Path, columns: Mapping[str, schema.ColumnKind], required_values: frozenset[str] = frozenset()
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read the schema `columns` of the CSV file at `path` (plain or gzip).

    Returns the frame (None when the file cannot be read at all) and the problems found: missing
    columns, values that are not numbers, infinite values, fractions in whole-number columns, missing
    values in `required_values` columns. Other columns of the file are ignored.
    """
    file = path.name
    try:
        header = pd.read_csv(path, nrows=0, encoding="utf-8").columns
    except _READ_ERRORS as error:
        return None, [_read_error(file, error)]
    problems = [Problem(file, name, None, "missing column") for name in columns if name not in header]
    present = {name: kind for name, kind in columns.items() if name in header}
    try:
        frame = _read_typed(path, present)
    except _READ_ERRORS as error:
        return None, [*problems, _read_error(file, error)]
    for name, kind in present.items():
        if kind != schema.CATEGORY:
            frame[name], found = _checked_numbers(file, name, kind, frame[name], name in required_values)
            problems.extend(found)
    return frame[list(present)], problems
