"""Bin counts of decisions served one at a time (API, SQS requests), on the reference's bins.

Every decision counts its score. A decision on an application also counts its inputs, read back from
the model's feature row (the feature definition keeps each numeric input under its own name, a Y/N flag
as 0/1, and a category as one `COLUMN=value` indicator per value, all zero when missing), so that no
raw field is kept. A stored client's decision counts its score only, as a batch file of client ids
does: its inputs are the training store's, not a new applicant's.

Counting costs a binary search for the score; an application's inputs are binned in a few vectorised
operations over one flat array of counts. `counts_json` hands them on in `DriftMonitor`'s format.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from typing import Any

import numpy as np

from credit_scoring import schema
from credit_scoring.features.application import BINARY_FLAGS, EMPLOYED_ANOMALY_FLAG
from credit_scoring.monitoring.reference import SCORE, Reference


class RequestCounts:
    """Counts of the decisions observed so far; `reset` starts again on the same bins."""

    def __init__(self, reference: Reference, feature_names: Sequence[str]) -> None:
        self.reference = reference
        self._score_edges = reference.score.edges.tolist()
        position = {name: j for j, name in enumerate(feature_names)}
        self._layout: dict[str, tuple[int, int]] = {}
        """Each observed input's first slot in the flat counts and its number of value bins."""
        numeric = [name for name, b in reference.inputs.items() if b.kind == "numeric" and name in position]
        flags = [name for name in BINARY_FLAGS if name in reference.inputs and name in position]
        one_hot = [
            name
            for name, b in reference.inputs.items()
            if b.kind == "category"
            and name not in BINARY_FLAGS
            and all(f"{name}={category}" in position for category in b.categories)
        ]
        used = 0
        for name in (*numeric, *flags, *one_hot):
            bins = len(reference.inputs[name].counts)
            self._layout[name] = (used, bins)
            used += bins + 1  # its value bins, then its missing count
        self._size = used
        self._numeric_columns = np.array([position[name] for name in numeric], dtype=np.intp)
        width = max((len(reference.inputs[name].edges) for name in numeric), default=0)
        self._edges = np.full((len(numeric), width), np.inf)
        for i, name in enumerate(numeric):
            edges = reference.inputs[name].edges
            self._edges[i, : len(edges)] = edges
        self._ones = np.ones(width)
        self._numeric_first = np.array([self._layout[name][0] for name in numeric], dtype=np.intp)
        self._numeric_missing = np.array([self._missing_slot(name) for name in numeric], dtype=np.intp)
        employed = "DAYS_EMPLOYED"
        self._employed = (
            (numeric.index(employed), position[EMPLOYED_ANOMALY_FLAG])
            if employed in numeric and EMPLOYED_ANOMALY_FLAG in position
            else None
        )
        self._flags: list[tuple[int, tuple[int, int, int]]] = []
        """Each Y/N flag's feature column, and its slots for 0, 1 and missing."""
        for name in flags:
            first, categories = self._layout[name][0], reference.inputs[name].categories
            no, yes = (first + categories.index(value) for value in BINARY_FLAGS[name])
            self._flags.append((position[name], (no, yes, self._missing_slot(name))))
        indicators = [
            (position[f"{name}={category}"], self._layout[name][0] + k, i)
            for i, name in enumerate(one_hot)
            for k, category in enumerate(reference.inputs[name].categories)
        ]
        self._indicator_columns = np.array([c for c, _, _ in indicators], dtype=np.intp)
        self._indicator_slots = np.array([s for _, s, _ in indicators], dtype=np.intp)
        inputs_of = np.array([i for _, _, i in indicators], dtype=np.intp)
        self._indicator_starts = np.searchsorted(inputs_of, np.arange(len(one_hot)))
        self._category_missing = np.array([self._missing_slot(name) for name in one_hot], dtype=np.intp)
        self.reset()

    def _missing_slot(self, name: str) -> int:
        first, bins = self._layout[name]
        return first + bins

    @property
    def observed_inputs(self) -> tuple[str, ...]:
        """The reference's inputs an application's feature row gives back."""
        return tuple(self._layout)

    def reset(self) -> None:
        self.decisions = 0
        self.applications = 0
        self._score_counts = [0] * (len(self._score_edges) + 1)
        self._inputs = np.zeros(self._size, dtype=np.int64)

    def observe(self, probability: float, application_features: np.ndarray | None = None) -> None:
        """Count one decision's score and, given its feature row, its application inputs."""
        # bisect_left is searchsorted's side="left": a score on an edge falls in the bin it closes.
        self._score_counts[bisect_left(self._score_edges, probability)] += 1
        self.decisions += 1
        if application_features is not None:
            self._observe_inputs(application_features)

    def _observe_inputs(self, x: np.ndarray) -> None:
        self.applications += 1
        values = x[self._numeric_columns]
        if self._employed is not None and x[self._employed[1]] == 1.0:
            values[self._employed[0]] = schema.DAYS_EMPLOYED_ANOMALY  # the raw input the reference binned
        # Edges below each value, counted by a product with ones: searchsorted's side="left" for every
        # input at once (padding edges are +inf; NaN compares below nothing and is sent to missing).
        below = (self._edges < values[:, None]) @ self._ones
        numeric = np.where(
            np.isnan(values), self._numeric_missing, self._numeric_first + below.astype(np.intp)
        )
        indicators = x[self._indicator_columns] == 1.0
        given = np.logical_or.reduceat(indicators, self._indicator_starts)
        slots = (numeric, self._indicator_slots[indicators], self._category_missing[~given])
        self._inputs[np.concatenate(slots)] += 1
        for column, (no, yes, missing) in self._flags:
            flag = x[column]
            self._inputs[missing if flag != flag else yes if flag == 1.0 else no] += 1  # NaN != NaN

    def counts_json(self) -> dict[str, Any]:
        """The counts in `DriftMonitor.counts_json`'s format (inputs only once an application came)."""
        data: dict[str, Any] = {SCORE: {"counts": list(self._score_counts), "missing": 0, "unseen": 0}}
        if self.applications:
            for name, (first, bins) in self._layout.items():
                data[name] = {
                    "counts": self._inputs[first : first + bins].tolist(),
                    "missing": int(self._inputs[first + bins]),
                    "unseen": 0,
                }
        return data
