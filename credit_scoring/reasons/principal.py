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
        self._family_of = np.array([position[key] for key in families], dtype=np.intp)
        self._members = [np.flatnonzero(self._family_of == i) for i in range(len(self.keys))]
        self._p = len(families)
        self.max_reasons = max_reasons

    def of(self, contributions: np.ndarray) -> tuple[PrincipalReason, ...]:
        """The principal reasons of one row's contributions (p features, then optionally the base value),
        largest family part first; ties keep the families' order of first appearance."""
        c = np.asarray(contributions, dtype=np.float64)[: self._p]
        parts = np.bincount(self._family_of, weights=c, minlength=len(self.keys))
        raising = np.flatnonzero(parts > 0.0)
        if len(raising) == 0:
            return ()
        total = float(parts[raising].sum())
        chosen = raising[np.argsort(-parts[raising], kind="stable")[: self.max_reasons]]
        reasons = []
        for family in chosen.tolist():
            members = self._members[family]
            leading = int(members[int(np.argmax(c[members]))])
            part = float(parts[family])
            reasons.append(PrincipalReason(self.keys[family], leading, float(c[leading]), part, part / total))
        return tuple(reasons)
