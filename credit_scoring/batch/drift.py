"""Drift monitoring of a batch file: each block's scored rows counted against the bundle's reference.

The monitor only reads what scoring produced (the checked input columns, the probabilities), after the
block's rows are written, so the scored output is the same with or without it. A file of client ids
gives the score's drift only: its inputs are the stored clients', not the file's.
"""

from __future__ import annotations

import numpy as np
from aws_lambda_powertools import Logger

from credit_scoring.batch.csv_reader import APPLICATIONS, FileLayout
from credit_scoring.batch.validation import CheckedRows
from credit_scoring.bundle.errors import BundleError
from credit_scoring.bundle.loader import LoadedBundle
from credit_scoring.monitoring.drift import DriftMonitor
from credit_scoring.monitoring.reference import Reference, load_reference

logger = Logger(service="batch-scoring")


def bundle_reference(bundle: LoadedBundle) -> Reference | None:
    """The bundle's reference, or None (no reference, or one that cannot be read: monitoring is then
    off, and scoring goes on)."""
    try:
        return load_reference(bundle.path, bundle.manifest)
    except BundleError as error:
        logger.error("drift monitoring off", extra={"bundle_file": error.file, "reason": error.logged_reason})
        return None


def observe_block(
    monitor: DriftMonitor, checked: CheckedRows, probabilities: np.ndarray, layout: FileLayout
) -> None:
    """Count one block's scored rows, their `probabilities` (and its rows rejected for a category
    outside the vocabulary)."""
    monitor.observe_score(probabilities)
    if layout.kind != APPLICATIONS:
        return
    monitor.observe_inputs(checked.columns, len(checked.lines))
    for column, rows in checked.outside_vocabulary.items():
        monitor.observe_unseen(column, rows)
