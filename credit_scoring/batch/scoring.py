"""Checked rows of a batch file to decisions, through the decision core (`credit_scoring.decisions`),
as the API decides one request: see docs/batch.md. The core's refusals become rejected rows (an unknown
client) or a rejected file (a model that cannot score the file's layout or its values)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from credit_scoring import schema
from credit_scoring.batch.csv_reader import APPLICATIONS, FileLayout, FileRejectedError
from credit_scoring.batch.drift import bundle_reference
from credit_scoring.batch.records import Rejection
from credit_scoring.batch.validation import CheckedRows
from credit_scoring.bundle.loader import LoadedBundle
from credit_scoring.decisions.errors import DecisionError
from credit_scoring.decisions.service import DecisionService
from credit_scoring.scoring.scorer import DecisionArrays

SCORE_ROWS: Final = 1024
"""Rows scored at once: bounds the model's matrices, small enough for one to stay in the CPU cache
through the passes the model and the reasons make over it (docs/benchmarks.md, batch block size)."""


@dataclass(frozen=True)
class ScoredRows:
    """Decisions for the rows that could be scored, and the rows that could not (unknown clients)."""

    client_ids: np.ndarray
    lines: np.ndarray
    """The input line of each scored row (client_ids[i] was read from lines[i])."""
    decisions: DecisionArrays
    """Row i is the decision for client_ids[i]."""
    rejected: tuple[Rejection, ...]
    history_joined: int


class BatchScorer:
    """Scores blocks of checked rows with one loaded bundle."""

    def __init__(self, bundle: LoadedBundle) -> None:
        service = DecisionService(bundle)
        self.service = service
        """The bundle's decision service (SQS requests are answered with it too)."""
        self.feature_names = service.scorer.feature_names
        """The names `decisions.reason_index` points into."""
        self._max_reasons = service.scorer.max_reasons
        self.model_version = service.model_version
        self.reference = bundle_reference(bundle)
        """The training population drift is measured against (None: no drift measured)."""
        self._unknown = (
            f"{schema.CLIENT_ID} is not a client of the store of model version {self.model_version}"
        )

    def check_layout(self, layout: FileLayout) -> None:
        """Raise FileRejectedError when this model cannot score files of this layout (applications given to
        a model whose features cannot be computed from application fields)."""
        if layout.kind == APPLICATIONS:
            try:
                self.service.application_inputs()
            except DecisionError as error:
                raise FileRejectedError(error.detail) from None

    def score(self, rows: CheckedRows, layout: FileLayout) -> ScoredRows:
        """Decisions for `rows`, in their order, SCORE_ROWS rows at a time: a block of short lines (a file
        of client ids) holds many rows, and the model's matrices grow with the rows scored at once."""
        pieces = [
            self._score(rows.slice(start, start + SCORE_ROWS), layout)
            for start in range(0, len(rows.lines), SCORE_ROWS)
        ]
        if len(pieces) == 1:  # a block holds fewer than SCORE_ROWS application rows: nothing to copy
            return pieces[0]
        return ScoredRows(
            np.concatenate([np.empty(0, dtype=np.int64), *(piece.client_ids for piece in pieces)]),
            np.concatenate([np.empty(0, dtype=np.int64), *(piece.lines for piece in pieces)]),
            self._concatenate([piece.decisions for piece in pieces]),
            tuple(rejection for piece in pieces for rejection in piece.rejected),
            sum(piece.history_joined for piece in pieces),
        )

    def _concatenate(self, pieces: list[DecisionArrays]) -> DecisionArrays:
        """The pieces' rows one after another (an empty start keeps shapes and dtypes for no piece)."""
        return DecisionArrays(
            probability=np.concatenate([np.empty(0), *(piece.probability for piece in pieces)]),
            prediction=np.concatenate([np.empty(0, dtype=np.int8), *(piece.prediction for piece in pieces)]),
            reason_index=np.concatenate(
                [
                    np.empty((0, self._max_reasons), dtype=np.intp),
                    *(piece.reason_index for piece in pieces),
                ]
            ),
        )

    def _score(self, rows: CheckedRows, layout: FileLayout) -> ScoredRows:
        try:
            if layout.kind == APPLICATIONS:
                decided = self._score_applications(rows)
                return ScoredRows(rows.client_ids, rows.lines, decided[0], (), decided[1])
            store_rows = self.service.store.rows_of(rows.client_ids)
            stored = store_rows >= 0
            unknown = tuple(
                Rejection(line, client_id, self._unknown)
                for line, client_id in zip(
                    rows.lines[~stored].tolist(), rows.client_ids[~stored].tolist(), strict=True
                )
            )
            return ScoredRows(
                rows.client_ids[stored],
                rows.lines[stored],
                self.service.decide_stored(store_rows[stored]),
                unknown,
                0,
            )
        except DecisionError as error:
            # The rows passed the API's own field rules, so the model refusing them is a bundle problem:
            # the file is rejected whole, with the reason, rather than scored in part. A BundleError (a
            # store block that no longer matches its digest) is NOT caught: the bundle cannot be trusted,
            # which says nothing about the file, so it propagates and the caller's retries answer it.
            raise FileRejectedError(f"the model could not score these rows: {error}") from None

    def _score_applications(self, rows: CheckedRows) -> tuple[DecisionArrays, int]:
        """The rows' decisions and how many were joined to a stored client's history."""
        if not len(rows.client_ids):
            return self._concatenate([]), 0
        decided = self.service.decide_applications(rows.client_ids, rows.columns)
        return decided.decisions, int(decided.history_joined.sum())
