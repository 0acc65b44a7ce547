"""Principal reasons: a score's contributions grouped by family, at most one reason per family.

A family's part in the risk is the sum of its features' contributions; the families whose part is
positive raise the risk, and the largest of them, at most `max_reasons`, are the decision's principal
reasons, each stated through its leading feature (the family's feature raising the risk most). Each
reason's share is its family's part over the sum of the parts of all the families raising the risk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from credit_scoring.scoring.scorer import MAX_REASONS


@dataclass(frozen=True)
class PrincipalReason:
    """One family raising the risk: `feature` is the index of its leading feature."""

    family: str
    feature: int
    contribution: float
    """The leading feature's own contribution, in log-odds."""
    family_contribution: float
    """The family's part in the raw score: the sum of its features' contributions, in log-odds."""
    share: float
    """The family's part over the sum of the parts of every family raising the risk (0 to 1)."""


class PrincipalReasons:
    """Groups the contributions of one model's features (`families[j]`: feature j's family key)."""

    def __init__(self, families: Sequence[str], max_reasons: int = MAX_REASONS) -> None:
        self.keys = tuple(dict.fromkeys(families))
        position = {key: i for i, key in enumerate(self.keys)}
        family_of = np.array([position[key] for key in families], dtype=np.intp)
        # Features sorted by family, so that each family is one slice: a few passes per row, not one each.
        self._order = np.argsort(family_of, kind="stable")
        self._starts = np.searchsorted(family_of[self._order], np.arange(len(self.keys)))
        self._ends = [*self._starts[1:].tolist(), len(families)]
        self._p = len(families)
        self.max_reasons = max_reasons

    def of(self, contributions: np.ndarray) -> tuple[PrincipalReason, ...]:
        """The principal reasons of one row's contributions (p features, then optionally the base value),
        largest family part first; ties keep the families' order of first appearance."""
        ordered = np.asarray(contributions, dtype=np.float64)[: self._p][self._order]
        parts = np.add.reduceat(ordered, self._starts)
        positive = parts > 0.0
        if not positive.any():
            return ()
        total = float(parts[positive].sum())
        values = parts.tolist()
        reasons = []
        for family in np.argsort(-parts, kind="stable")[: self.max_reasons].tolist():
            part = values[family]
            if not part > 0.0:
                break
            start = int(self._starts[family])
            segment = ordered[start : self._ends[family]]
            at = start + int(segment.argmax())
            leading = int(self._order[at])
            reasons.append(PrincipalReason(self.keys[family], leading, ordered.item(at), part, part / total))
        return tuple(reasons)
