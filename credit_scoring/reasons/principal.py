"""Principal reasons: a score's contributions grouped by family, at most one reason per family.

A family's part in the risk is the sum of its features' contributions; the families whose part is
positive raise the risk, and the largest of them, at most `max_reasons`, are the decision's principal
reasons, each stated through its leading feature (the family's feature raising the risk most). Each
reason's share is its family's part over the sum of the parts of all the families raising the risk.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from credit_scoring.scoring.scorer import MAX_REASONS, grounds_dtype


class PrincipalReason(NamedTuple):
    """One family raising the risk: `feature` is the index of its leading feature. A named tuple: a
    stored client's decision builds up to four per request, at a fraction of a frozen dataclass's cost."""

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

    def table(self, contributions: np.ndarray) -> np.ndarray:
        """The principal reasons of each row of contributions, (n, p) or (n, p + 1) with the base value
        last, as `grounds_dtype` records (`fields_given` left at -1): the one computation of them, for
        the stored clients when a bundle is written and for each application scored."""
        ordered = np.asarray(contributions, dtype=np.float64)[:, : self._p][:, self._order]
        records = np.empty(len(ordered), dtype=grounds_dtype(self.max_reasons))
        records["family"] = records["feature"] = records["fields_given"] = -1
        for name in ("contribution", "family_contribution", "share"):
            records[name] = np.nan
        if not len(ordered):
            return records
        parts = np.add.reduceat(ordered, self._starts, axis=1)
        # Each family's leading feature in each row: the first of its largest contributions.
        leading = np.column_stack(
            [
                start + ordered[:, start:end].argmax(axis=1)
                for start, end in zip(self._starts, self._ends, strict=True)
            ]
        )
        ranked = np.argsort(-parts, axis=1, kind="stable")[:, : self.max_reasons]
        part = np.take_along_axis(parts, ranked, axis=1)
        raising = part > 0.0
        total = np.where(parts > 0.0, parts, 0.0).sum(axis=1, keepdims=True)
        at = np.take_along_axis(leading, ranked, axis=1)
        width = ranked.shape[1]  # fewer families than reasons leaves the last slots empty
        records["family"][:, :width] = np.where(raising, ranked, -1)
        records["feature"][:, :width] = np.where(raising, self._order[at], -1)
        records["contribution"][:, :width] = np.where(
            raising, np.take_along_axis(ordered, at, axis=1), np.nan
        )
        records["family_contribution"][:, :width] = np.where(raising, part, np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):  # a row with no family raising the risk
            records["share"][:, :width] = np.where(raising, part / total, np.nan)
        return records

    def from_record(
        self,
        family: Sequence[int],
        feature: Sequence[int],
        contribution: Sequence[float],
        family_contribution: Sequence[float],
        share: Sequence[float],
    ) -> tuple[PrincipalReason, ...]:
        """The reasons of one `table` record, given as its fields' Python values, up to the first -1."""
        reasons = []
        for i, index in enumerate(family):
            if index < 0:
                break
            reasons.append(
                PrincipalReason(
                    self.keys[index], feature[i], contribution[i], family_contribution[i], share[i]
                )
            )
        return tuple(reasons)
