"""Which file holds each Kaggle table in a data directory. Standard library only."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from credit_scoring import schema
from credit_scoring.data.problems import DataError, Problem

APPLICATION_TABLES = (schema.APPLICATION, schema.APPLICATION_TEST)


@dataclass(frozen=True)
class Located:
    """Where each table of a data directory is, what is wrong with its files, and what is ignored."""

    paths: dict[str, Path]
    problems: list[Problem]
    ignored: tuple[str, ...]
    """Files of the directory that are no table read here (Kaggle's column descriptions and sample
    submission, or anything else), sorted."""


def locate_tables(data_dir: Path, application: str = schema.APPLICATION, history: bool = True) -> Located:
    """The file of each table present in `data_dir`, the problems of the directory's files, the others.

    `application` (application_train, or application_test for unlabelled scoring) is required; beside
    application_train, application_test is read when present (the applicants to decide). The six history
    tables are optional and looked up only when `history` is true. A table may be `<table>.csv` or
    `<table>.csv.gz`, not both. Raises DataError when the directory itself cannot be used.
    """
    if application not in APPLICATION_TABLES:
        raise ValueError(f"application must be one of {APPLICATION_TABLES}, got {application!r}")
    directory = str(data_dir)
    if not data_dir.exists():
        raise DataError([Problem(directory, None, None, "no such directory")])
    if not data_dir.is_dir():
        raise DataError(
            [Problem(directory, None, None, "not a directory: expected the directory of the CSV files")]
        )
    try:
        present = {entry.name for entry in data_dir.iterdir()}
    except OSError as error:
        raise DataError(
            [Problem(directory, None, None, f"cannot read the directory: {error.strerror}")]
        ) from None

    applicants = (schema.APPLICATION_TEST,) if application == schema.APPLICATION else ()
    paths: dict[str, Path] = {}
    problems: list[Problem] = []
    for table in (application, *applicants, *(schema.HISTORY_TABLES if history else ())):
        names = [name for name in schema.table_file_names(table) if name in present]
        if len(names) > 1:
            problems.append(
                Problem(names[1], None, None, f"both {names[0]} and {names[1]} are present: keep one")
            )
        elif names:
            paths[table] = data_dir / names[0]
        elif table == application:
            expected = " or ".join(schema.table_file_names(table))
            problems.append(Problem(expected, None, None, f"required file missing from {directory}"))
    used = {path.name for path in paths.values()}
    return Located(paths, problems, tuple(sorted(present - used)))


def table_paths(
    data_dir: Path, application: str = schema.APPLICATION, history: bool = True
) -> dict[str, Path]:
    """The file of each table present in `data_dir` (see `locate_tables`); raises DataError on a problem."""
    located = locate_tables(data_dir, application, history)
    if located.problems:
        raise DataError(located.problems)
    return located.paths
