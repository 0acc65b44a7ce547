"""A decision's grounds: its principal reasons and how much of the application it had to go on.

Both depend only on the row of features and its contributions, never on the threshold or the language,
so the bundle's writer computes them for every stored client (`store/grounds.npy`, `grounds_dtype`
records) and a stored client's decision reads one record; an application's are computed when it is
scored, by the same `table`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from credit_scoring.features.coverage import Coverage, InputCoverage
from credit_scoring.reasons.principal import PrincipalReason, PrincipalReasons
from credit_scoring.reasons.wording import ReasonWording


@dataclass(frozen=True)
class Grounds:
    """The principal reasons of one decision, largest part first, and its coverage (None for a model
    whose features are not computed from an application)."""

    reasons: tuple[PrincipalReason, ...]
    coverage: Coverage | None


class DecisionGrounds:
    """The grounds of one model's decisions: `families[j]` is feature j's family key; `coverage`, when
    given, counts the application fields of its features."""

    def __init__(self, families: Sequence[str], max_reasons: int, coverage: InputCoverage | None) -> None:
        self.principal = PrincipalReasons(families, max_reasons)
        self.coverage = coverage

    @classmethod
    def of_model(cls, wording: ReasonWording, max_reasons: int, from_applications: bool) -> DecisionGrounds:
        """The grounds of the decisions of the model whose features `wording` states: their families from
        the reason catalogue, their coverage when the features are computed from an application."""
        names = [entry.name for entry in wording.entries]
        return cls(wording.families, max_reasons, InputCoverage(names) if from_applications else None)

    def table(self, X: np.ndarray, contributions: np.ndarray) -> np.ndarray:
        """The grounds of each row of features `X` with its contributions, as `grounds_dtype` records."""
        records = self.principal.table(contributions)
        if self.coverage is not None:
            records["fields_given"] = self.coverage.given(np.asarray(X, dtype=np.float64))
        return records

    def from_record(self, values: tuple) -> Grounds:
        """The grounds of one `table` record, given as `record.item()` (a tuple of its fields)."""
        family, feature, contribution, family_contribution, share, given = values
        reasons = self.principal.from_record(
            family.tolist(),
            feature.tolist(),
            contribution.tolist(),
            family_contribution.tolist(),
            share.tolist(),
        )
        coverage = None if self.coverage is None else Coverage(int(given), self.coverage.used)
        return Grounds(reasons, coverage)
