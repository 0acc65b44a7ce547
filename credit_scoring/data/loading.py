"""Loading the Kaggle tables of a data directory, all or nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from credit_scoring import schema
from credit_scoring.data.problems import DataError
from credit_scoring.data.validation import Inspection, inspect_tables


def load_data(
    data_dir: Path,
    application: str = schema.APPLICATION,
    history: bool = True,
    progress: Callable[[str], None] = lambda line: None,
) -> Inspection:
    """The tables of `data_dir` with what reading them noticed; raises DataError listing every fault.

    `application` is the required table: application_train (labelled; application_test is read beside it
    when present) or application_test (unlabelled scoring). The six history tables are optional, and read
    only when `history` is true. Nothing is returned when any fault is found, so that nothing is trained
    on data known to be wrong. `progress` hears of each file as it is read.
    """
    inspection = inspect_tables(Path(data_dir), application, history, progress)
    if inspection.problems:
        raise DataError(inspection.problems)
    return inspection


def load_tables(
    data_dir: Path, application: str = schema.APPLICATION, history: bool = True
) -> dict[str, pd.DataFrame]:
    """The tables of `data_dir` by Kaggle name, with the schema's dtypes (see `load_data`)."""
    return load_data(data_dir, application, history).tables
