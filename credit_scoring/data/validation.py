"""Validation of a data directory's Kaggle tables: every problem, each said once, with where to look.

Per file: unreadable, empty, not CSV, missing columns, values that are not numbers (see `reading`).
Application table: duplicate SK_ID_CURR, TARGET missing or outside {0, 1}, values outside the plausible
ranges and documented vocabularies of `schema` (the very rule the API applies to one application).
Between tables: duplicate bureau and previous-application keys, a client in both application tables,
bureau_balance without bureau. A fault is reported once per file, column and kind, with its count and
first row, so a bad column of a million rows takes one line. History rows that link to no labelled
application are no fault: they are counted (`links`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from credit_scoring import schema
from credit_scoring.data.files import APPLICATION_TABLES, locate_tables
from credit_scoring.data.links import Unlinked, unlinked_rows
from credit_scoring.data.problems import Problem
from credit_scoring.data.reading import first_position, line_of, read_table, rows_problem

UNIQUE_KEYS = {
    schema.APPLICATION: schema.CLIENT_ID,
    schema.APPLICATION_TEST: schema.CLIENT_ID,
    "bureau": "SK_ID_BUREAU",
    "previous_application": "SK_ID_PREV",
}
"""Tables whose record key identifies one row (the balance tables repeat theirs, once per month)."""


def table_columns(table: str) -> dict[str, schema.ColumnKind]:
    """The schema columns of `table`; application_test is application_train less TARGET."""
    return schema.application_columns() if table == schema.APPLICATION_TEST else schema.TABLES[table]


def required_values(table: str) -> frozenset[str]:
    """Columns where every row needs a value: the keys, and TARGET of the training table."""
    keys = {UNIQUE_KEYS.get(table), *schema.TABLE_KEYS.get(table, ())}
    if table in (schema.APPLICATION, schema.APPLICATION_TEST):
        keys.add(schema.CLIENT_ID)
    if table == schema.APPLICATION:
        keys.add(schema.TARGET)
    return frozenset(key for key in keys if key is not None)


def _out_of_range(column: str, values: np.ndarray) -> np.ndarray:
    """Where `values` break schema.APPLICATION_RANGES (vectorised check_application_value; NaN is valid)."""
    low, high = schema.APPLICATION_RANGES[column]
    bad = (values < low) | (values > high)
    if column in schema.WHOLE_NUMBER_COLUMNS:
        bad |= ~np.isnan(values) & (np.mod(values, 1.0) != 0.0)
    if column == "DAYS_EMPLOYED":
        bad &= values != schema.DAYS_EMPLOYED_ANOMALY
    return bad


def _first_value_problem(file: str, column: str, frame: pd.DataFrame, bad: np.ndarray) -> Problem:
    value = frame[column].iloc[first_position(bad)]
    if isinstance(value, np.generic):
        value = value.item()
    if column in schema.WHOLE_NUMBER_COLUMNS and float(value).is_integer():
        value = int(value)  # read as float64 because of a missing value elsewhere in the column
    message = schema.check_application_value(column, value)
    return rows_problem(file, column, bad, message or f"{value!r} is not valid")


def application_problems(file: str, frame: pd.DataFrame) -> list[Problem]:
    """Values outside plausible ranges or documented vocabularies, and duplicate SK_ID_CURR."""
    problems = []
    for column in frame.columns:
        if column in schema.APPLICATION_CATEGORIES:
            values = frame[column]
            bad = (values.notna() & ~values.isin(schema.APPLICATION_CATEGORIES[column])).to_numpy()
        elif column in schema.APPLICATION_RANGES:
            bad = _out_of_range(column, frame[column].to_numpy(dtype=np.float64))
        else:
            continue
        if bad.any():
            problems.append(_first_value_problem(file, column, frame, bad))
    return [*problems, *_duplicate_keys(file, schema.CLIENT_ID, frame)]


def _duplicate_keys(file: str, key: str, frame: pd.DataFrame) -> list[Problem]:
    if key not in frame:
        return []
    keys = frame[key]
    duplicated = (keys.duplicated() & keys.notna()).to_numpy()
    if not duplicated.any():
        return []
    position = first_position(duplicated)
    value = keys.iloc[position]
    first = line_of(int(np.flatnonzero((keys == value).to_numpy())[0]))
    return [
        rows_problem(file, key, duplicated, f"{key} {value} appears more than once (first at line {first})")
    ]


def _clients_in_both(tables: Mapping[str, pd.DataFrame], files: Mapping[str, str]) -> list[Problem]:
    if not all(
        table in tables and schema.CLIENT_ID in tables[table]
        for table in (schema.APPLICATION, schema.APPLICATION_TEST)
    ):
        return []
    applicants = tables[schema.APPLICATION_TEST][schema.CLIENT_ID]
    both = applicants.isin(tables[schema.APPLICATION][schema.CLIENT_ID]).to_numpy()
    if not both.any():
        return []
    value = applicants.iloc[first_position(both)]
    message = (
        f"{schema.CLIENT_ID} {value} is also in {files[schema.APPLICATION]}: a client is one or the other"
    )
    return [rows_problem(files[schema.APPLICATION_TEST], schema.CLIENT_ID, both, message)]


def link_problems(tables: Mapping[str, pd.DataFrame], files: Mapping[str, str]) -> list[Problem]:
    """Duplicate record keys, a client in both application tables, bureau_balance without bureau."""
    problems = []
    for table, key in UNIQUE_KEYS.items():
        if table in tables and table not in APPLICATION_TABLES:
            problems.extend(_duplicate_keys(files[table], key, tables[table]))
    problems.extend(_clients_in_both(tables, files))
    if "bureau_balance" in files and "bureau" not in files:
        message = "bureau_balance needs bureau.csv (or bureau.csv.gz) to link its credits to clients"
        problems.append(Problem(files["bureau_balance"], None, None, message))
    return problems


@dataclass(frozen=True)
class Inspection:
    """What reading a data directory found: the tables, the faults, and what is only worth a notice."""

    tables: dict[str, pd.DataFrame]
    """The frames that could be read, by table name."""
    problems: list[Problem]
    unlinked: list[Unlinked]
    """History rows that link to no labelled application (normal in Kaggle's download)."""
    ignored: tuple[str, ...]
    """Files of the directory that are no table read here."""

    def notices(self) -> list[str]:
        """The unlinked rows and the ignored files, one line each."""
        lines = [str(item) for item in self.unlinked]
        if self.ignored:
            lines.append(f"files ignored (not a table read here): {', '.join(self.ignored)}")
        return lines


def inspect_tables(
    data_dir: Path,
    application: str = schema.APPLICATION,
    history: bool = True,
    progress: Callable[[str], None] = lambda line: None,
) -> Inspection:
    """Read and check the tables of `data_dir` (see `files.locate_tables` for which), telling `progress`
    each file's rows and time as it is read.

    Raises DataError when the directory itself cannot be used (missing, not a directory, unreadable).
    """
    located = locate_tables(data_dir, application, history)
    problems = list(located.problems)
    tables: dict[str, pd.DataFrame] = {}
    for index, (table, path) in enumerate(located.paths.items(), start=1):
        started = time.perf_counter()
        frame, found = read_table(path, table_columns(table), required_values(table))
        rows = "unreadable" if frame is None else f"{len(frame):,} rows"
        seconds = time.perf_counter() - started
        progress(f"read {path.name} ({index}/{len(located.paths)}): {rows} in {seconds:.1f} s")
        problems.extend(found)
        if frame is None:
            continue
        if table in APPLICATION_TABLES:
            if frame.empty and table == application:
                problems.append(Problem(path.name, None, None, "no rows: expected one line per application"))
            problems.extend(application_problems(path.name, frame))
        tables[table] = frame
    files = {table: path.name for table, path in located.paths.items()}
    problems.extend(link_problems(tables, files))
    return Inspection(tables, problems, unlinked_rows(tables, files, application), located.ignored)


def validate_tables(
    data_dir: Path, application: str = schema.APPLICATION, history: bool = True
) -> list[Problem]:
    """Every problem of the Kaggle tables in `data_dir` (empty when the data can be used).

    `application` is application_train (labelled; TARGET required) or application_test (unlabelled);
    history tables are checked when `history` is true. Raises DataError when the directory itself
    cannot be used.
    """
    return inspect_tables(data_dir, application, history).problems
