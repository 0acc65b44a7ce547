"""Decisions and explanations: the one place where a score becomes "accepted" or "refused".

The probability is derived from the contributions: the bundle's calibration applied to base + Σ
contributions, the model's raw score in log-odds up to float rounding, which the export check bounds. So
a decision served from precomputed contributions needs no model evaluation at all, and a computed one
needs a single pass. Contributions stay in the raw score's log-odds: the calibration is monotone, so
they order and sign the reasons as the calibrated probability would.

A score (the probability and the reasons with their contributions) depends only on the features and the
model, so the bundle keeps every stored client's score as `scores` computes it (`scores_dtype`); the
threshold turns a score into a decision at request time, for stored and computed scores alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import numpy as np

from credit_scoring.scoring.calibration import UNCALIBRATED, Calibration
from credit_scoring.scoring.model import ServingModel, as_matrix

ACCEPTED: Final = "accepted"
REFUSED: Final = "refused"
MAX_REASONS: Final = 4
"""Adverse-action practice (ECOA / Regulation B): at most about four principal reasons."""


def scores_dtype(max_reasons: int = MAX_REASONS) -> np.dtype:
    """One row of `Scorer.scores`: the probability of default, the feature indices of the reasons (most
    adverse first, -1 after the last) and their contributions (NaN after the last)."""
    return np.dtype(
        [
            ("probability", "<f8"),
            ("reason_index", "<i4", (max_reasons,)),
            ("reason_contribution", "<f8", (max_reasons,)),
        ]
    )


def grounds_dtype(max_reasons: int = MAX_REASONS) -> np.dtype:
    """One row of a decision's grounds (`reasons.grounds`), kept by the client store for its clients:
    the principal reasons, one per family of features raising the risk, largest part first (`family`
    indexes the model's families in order of first appearance, `feature` the family's leading feature;
    -1 after the last, NaN in the float fields), then how many application fields were given (-1 for a
    model whose features are not computed from an application)."""
    shape = (max_reasons,)
    return np.dtype(
        [
            ("family", "<i2", shape),
            ("feature", "<i4", shape),
            ("contribution", "<f8", shape),
            ("family_contribution", "<f8", shape),
            ("share", "<f8", shape),
            ("fields_given", "<i2"),
        ]
    )


@dataclass(frozen=True)
class Reason:
    """One feature's part in a score: its raw value (None when missing) and its contribution to the
    model's raw score (log-odds of default before calibration): a line of an explanation."""

    feature: str
    value: float | None
    contribution: float


@dataclass(frozen=True)
class Decision:
    """The answer for one client: 1 = refused when the probability reaches the threshold. Its reasons
    are stated by the caller (`reasons.grounds`), or, for a batch file, are `DecisionArrays.reason_index`."""

    probability: float
    prediction: int
    decision: Literal["accepted", "refused"]


@dataclass(frozen=True)
class DecisionArrays:
    """Decisions for n rows as columns, for callers that write many rows at once (batch scoring) and have
    no use for one object per row. Row i reads as `Scorer.decide` would give it: refused iff
    prediction[i] == 1, reasons the feature indices reason_index[i] up to the first -1."""

    probability: np.ndarray
    """(n,) float64."""
    prediction: np.ndarray
    """(n,) int8: 1 = refused (probability at or above the threshold), 0 = accepted."""
    reason_index: np.ndarray
    """(n, max_reasons) intp: feature indices of the reasons, most adverse first, -1 after the last."""


@dataclass(frozen=True)
class Explanation:
    """Every feature's contribution (in feature order) with the base value: base + Σ = raw score, and the
    calibrated probability of that raw score."""

    base_value: float
    raw_score: float
    probability: float
    contributions: tuple[Reason, ...]


class Scorer:
    """Turns a serving model's output into decisions with their reasons, at a fixed threshold."""

    def __init__(
        self,
        model: ServingModel,
        threshold: float,
        max_reasons: int = MAX_REASONS,
        calibration: Calibration = UNCALIBRATED,
    ) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
        self.model = model
        self.calibration = calibration
        self.threshold = float(threshold)
        self.max_reasons = max_reasons
        self.feature_names = model.feature_names
        self._p = len(model.feature_names)

    def decide(self, X: np.ndarray, contributions: np.ndarray | None = None) -> list[Decision]:
        """Decisions for the rows of X (a single row may be a vector).

        `contributions`, when given (e.g. precomputed in the store), are used instead of computing them:
        shape (n, p + 1) with the base value last, rows matching X.
        """
        X = as_matrix(X, self._p)
        C = self._contributions(X, contributions)
        return [self.decision(probability) for probability in self._probability(C).tolist()]

    def decision(self, probability: float) -> Decision:
        """The decision for a probability (computed, or a stored score's): refused iff it reaches the
        threshold, the rule `_refused` applies to many rows."""
        refused = probability >= self.threshold
        return Decision(probability, int(refused), REFUSED if refused else ACCEPTED)

    def scores(self, X: np.ndarray, contributions: np.ndarray | None = None) -> np.ndarray:
        """Every row's score as a `scores_dtype` record (same arguments as `decide`): what a decision
        needs besides the threshold and the feature values, kept by the client store for its clients."""
        X = as_matrix(X, self._p)
        return self._records(self._contributions(X, contributions))

    def _records(self, C: np.ndarray) -> np.ndarray:
        arrays = self._decide_arrays(C)
        index = arrays.reason_index
        records = np.empty(len(C), dtype=scores_dtype(self.max_reasons))
        records["probability"] = arrays.probability
        records["reason_index"] = index
        chosen = np.take_along_axis(C, np.maximum(index, 0), axis=1)
        records["reason_contribution"] = np.where(index >= 0, chosen, np.nan)
        return records

    def decisions_from_scores(self, scores: np.ndarray) -> DecisionArrays:
        """`decide_arrays` for rows whose scores are known (`scores_dtype` records, e.g. stored)."""
        probability = np.asarray(scores["probability"], dtype=np.float64)
        return DecisionArrays(
            probability=probability,
            prediction=self._refused(probability),
            reason_index=np.asarray(scores["reason_index"], dtype=np.intp),
        )

    def decide_arrays(self, X: np.ndarray, contributions: np.ndarray | None = None) -> DecisionArrays:
        """The decisions of `decide` as columns (same arguments): no per-row object is built, so a batch of
        thousands of rows costs a few passes over its contribution matrix."""
        X = as_matrix(X, self._p)
        return self._decide_arrays(self._contributions(X, contributions))

    def explain(self, x: np.ndarray, contributions: np.ndarray | None = None) -> Explanation:
        """Every feature's contribution for one row, with the base value and the resulting score."""
        X = as_matrix(x, self._p)
        if len(X) != 1:
            raise ValueError(f"explain takes one row, got {len(X)}")
        c = self._contributions(X, contributions)[0]
        raw = float(c.sum())
        values = _values(X[0])
        return Explanation(
            base_value=float(c[-1]),
            raw_score=raw,
            probability=float(self.calibration.probability(np.float64(raw))),
            contributions=tuple(
                Reason(name, value, contribution)
                for name, value, contribution in zip(self.feature_names, values, c[:-1].tolist(), strict=True)
            ),
        )

    def _contributions(self, X: np.ndarray, contributions: np.ndarray | None) -> np.ndarray:
        if contributions is None:
            return self.model.contributions(X)
        C = np.asarray(contributions, dtype=np.float64)
        if C.ndim == 1:
            C = C[np.newaxis, :]
        if C.shape != (len(X), self._p + 1):
            raise ValueError(f"contributions must have shape {(len(X), self._p + 1)}, got {C.shape}")
        return C

    def _decide_arrays(self, C: np.ndarray) -> DecisionArrays:
        """The one definition of a decision, for every caller: refused iff probability >= threshold;
        reasons by `_reason_index`."""
        probability = self._probability(C)
        return DecisionArrays(
            probability=probability,
            prediction=self._refused(probability),
            reason_index=self._reason_index(C[:, :-1]),
        )

    def _probability(self, C: np.ndarray) -> np.ndarray:
        """The calibrated probability of each row's raw score, base + Σ contributions."""
        return self.calibration.probability(C.sum(axis=1))

    def _refused(self, probability: np.ndarray) -> np.ndarray:
        """`decision`'s rule over many rows: 1 where the probability reaches the threshold."""
        return (probability >= self.threshold).view(np.int8)  # bool is 0/1 in one byte

    def _reason_index(self, C: np.ndarray) -> np.ndarray:
        """The features pushing the risk up the most, per row: indices of the largest strictly positive
        contributions, at most max_reasons, -1 after the last.

        Ties keep feature order (argmax returns the first maximum), so the same input always gives the
        same reasons. A few argmax passes over the whole matrix rather than a sort: keeping four of
        hundreds of contributions costs max_reasons linear passes, for one request as for a batch.
        Every contribution that is not > 0 (negative, zero, NaN) is set to 0 first (fmax ignores NaN),
        and so is each one once chosen: a row's maximum is then a reason exactly when it is > 0 (fmax is
        one pass, where a masked copy would cost more than the argmax passes themselves).
        """
        n = len(C)
        remaining = np.fmax(C, 0.0)
        if n == 1:
            # One request (GET /predict): the same passes on the row as a vector, with scalar indexing,
            # because fancy indexing dominates the matrix form's cost on one row.
            row, chosen = remaining[0], []
            for _ in range(self.max_reasons):
                j = int(row.argmax())
                if not row.item(j) > 0.0:
                    break
                chosen.append(j)
                row[j] = 0.0
            return np.array([chosen + [-1] * (self.max_reasons - len(chosen))], dtype=np.intp)
        index = np.full((n, self.max_reasons), -1, dtype=np.intp)
        rows = np.arange(n)
        for k in range(self.max_reasons):
            j = remaining.argmax(axis=1)
            found = remaining[rows, j] > 0.0
            if not found.any():  # every row has run out of positive contributions
                break
            index[:, k] = np.where(found, j, -1)
            remaining[rows, j] = 0.0
        return index


def _values(x: np.ndarray) -> list[float | None]:
    return [None if value != value else value for value in x.tolist()]  # NaN is unequal to itself
