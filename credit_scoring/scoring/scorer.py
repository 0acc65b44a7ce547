"""Decisions and explanations: the one place where a score becomes "accepted" or "refused".

The probability is derived from the contributions (sigmoid of base + Σ contributions, equal to the
model's raw score up to float rounding, which the export check bounds), so a decision served from
precomputed contributions needs no model evaluation at all, and a computed one needs a single pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import numpy as np

from credit_scoring.scoring.model import ServingModel, as_matrix, sigmoid

ACCEPTED: Final = "accepted"
REFUSED: Final = "refused"
MAX_REASONS: Final = 4
"""Adverse-action practice (ECOA / Regulation B): at most about four principal reasons."""


@dataclass(frozen=True)
class Reason:
    """One feature's part in a score: its raw value (None when missing) and its contribution to the
    log-odds of default. A decision's reasons and an explanation's lines are both Reasons."""

    feature: str
    value: float | None
    contribution: float


@dataclass(frozen=True)
class Decision:
    """The answer for one client: 1 = refused when the probability reaches the threshold."""

    probability: float
    prediction: int
    decision: Literal["accepted", "refused"]
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Explanation:
    """Every feature's contribution (in feature order) with the base value: base + Σ = raw score."""

    base_value: float
    raw_score: float
    probability: float
    contributions: tuple[Reason, ...]


class Scorer:
    """Turns a serving model's output into decisions with their reasons, at a fixed threshold."""

    def __init__(self, model: ServingModel, threshold: float, max_reasons: int = MAX_REASONS) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
        self.model = model
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
        probabilities = sigmoid(C.sum(axis=1)).tolist()
        return [
            self._decision(probability, x, c)
            for probability, x, c in zip(probabilities, X, C[:, :-1], strict=True)
        ]

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
            probability=float(sigmoid(np.float64(raw))),
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

    def _decision(self, probability: float, x: np.ndarray, c: np.ndarray) -> Decision:
        refused = probability >= self.threshold
        return Decision(
            probability=probability,
            prediction=int(refused),
            decision=REFUSED if refused else ACCEPTED,
            reasons=self._reasons(x, c),
        )

    def _reasons(self, x: np.ndarray, c: np.ndarray) -> tuple[Reason, ...]:
        """The features pushing the risk up the most: largest positive contributions, at most max_reasons.

        Ties keep feature order (argmax returns the first maximum), so the same input always gives the
        same reasons. A few argmax passes rather than a sort: this runs on every request, and sorting
        hundreds of contributions to keep four cost more than the rest of the decision.
        """
        remaining = np.where(c > 0.0, c, -np.inf)
        reasons = []
        for _ in range(self.max_reasons):
            j = int(remaining.argmax())
            if remaining[j] == -np.inf:
                break
            remaining[j] = -np.inf
            value = float(x[j])
            reasons.append(Reason(self.feature_names[j], None if value != value else value, float(c[j])))
        return tuple(reasons)


def _values(x: np.ndarray) -> list[float | None]:
    return [None if value != value else value for value in x.tolist()]  # NaN is unequal to itself
