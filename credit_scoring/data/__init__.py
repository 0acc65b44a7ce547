"""Loading and validating the Kaggle tables of a data directory (training side: uses pandas).

`load_tables(data_dir)` returns the tables with the schema's dtypes or raises `DataError` listing every
problem; `load_data` returns them with the notices of reading them (unlinked history rows, ignored
files); `validate_tables(data_dir)` returns the problems, `inspect_tables` problems and notices. They are
imported on first use, so that
importing this package (or `Problem` and `DataError`) does not load pandas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from credit_scoring.data.files import table_paths
from credit_scoring.data.problems import DataError, Problem

if TYPE_CHECKING:
    from credit_scoring.data.loading import load_data, load_tables
    from credit_scoring.data.validation import inspect_tables, validate_tables

_LAZY = {
    "load_data": "credit_scoring.data.loading",
    "load_tables": "credit_scoring.data.loading",
    "inspect_tables": "credit_scoring.data.validation",
    "validate_tables": "credit_scoring.data.validation",
}

__all__ = [
    "DataError",
    "Problem",
    "inspect_tables",
    "load_data",
    "load_tables",
    "table_paths",
    "validate_tables",
]


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
