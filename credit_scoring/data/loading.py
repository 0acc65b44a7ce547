"""Loading the Kaggle tables of a data directory, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from credit_scoring import schema
from credit_scoring.data.problems import DataError
from credit_scoring.data.validation import inspect_tables


def load_tables(
    data_dir: Path, application: str = schema.APPLICATION, history: bool = True
) -> dict[str, pd.DataFrame]:
    """The tables of `data_dir` by Kaggle name, with the schema's dtypes (see `credit_scoring.data.reading`).

    `application` is the required table: application_train (labelled) or application_test (unlabelled
    scoring). The six history tables are optional, and read only when `history` is true (the real sample's
    history tables are not linked to its applications: load it with history=False). Raises DataError
    listing every problem when there is any, so that nothing is trained on data known to be wrong.
    """
    tables, problems = inspect_tables(Path(data_dir), application, history)
    if problems:
        raise DataError(problems)
    return tables
