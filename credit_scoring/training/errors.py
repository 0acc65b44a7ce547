"""The errors training and evaluation raise, and how a data error is told to the person running them."""

from __future__ import annotations

from credit_scoring import schema
from credit_scoring.data.problems import DataError

_HISTORY_FILES = frozenset(name for table in schema.HISTORY_TABLES for name in schema.table_file_names(table))


class TrainingError(ValueError):
    """The data or the options cannot give a sound result; the message says what and what is expected."""


def data_error_message(error: DataError) -> str:
    """Every problem of the data, plus the way out when only history tables are at fault (as with a
    sample whose history rows belong to other clients): reading application_train.csv alone."""
    message = str(error)
    if error.problems and all(problem.file in _HISTORY_FILES for problem in error.problems):
        message += (
            "\n(only history tables are at fault: --application-only reads application_train.csv alone)"
        )
    return message
