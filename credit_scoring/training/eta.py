"""`SearchEta`: the time a candidate search has left, from what its finished candidates took.

Candidates differ in cost: their number of configurations (a plan's `configs`, or `smote_configs` for
the SMOTE samplers) and, per configuration, their estimator (a LightGBM configuration costs more than a
logistic regression's) and the SMOTE samplers' neighbour searches, several times a plain fit
(docs/benchmarks.md, "Scale"). So the estimate is per configuration and per kind (the estimator, and
SMOTE or not), from the candidates of that kind already timed; a kind not timed yet is estimated at the
rate of the timed kinds with its sampling (SMOTE or not), or of all of them, and the estimate then says
"at least".
"""

from __future__ import annotations

from collections.abc import Sequence

from credit_scoring.training.candidates import SMOTE_SAMPLERS, Candidate
from credit_scoring.training.search import draw_configs

Kind = tuple[str, bool]
"""A candidate's estimator, and whether it resamples with SMOTE."""


def _kind(candidate: Candidate) -> Kind:
    return candidate.estimator, candidate.imbalance in SMOTE_SAMPLERS


class SearchEta:
    """Tracks a search over `pool`; `finished` records each candidate's configurations and time."""

    def __init__(self, pool: Sequence[Candidate], seed: int) -> None:
        # A baseline's constant prediction says nothing about a fit's cost, and costs nothing to wait for.
        timed = [candidate for candidate in pool if not candidate.baseline]
        self._pending = {c.name: (_kind(c), len(draw_configs(c.space, c.configs, seed))) for c in timed}
        self._seconds: dict[Kind, float] = {}
        self._configs: dict[Kind, int] = {}

    def finished(self, candidate: Candidate, configs_tried: int, seconds: float) -> None:
        pending = self._pending.pop(candidate.name, None)
        if pending is None:
            return
        kind, _ = pending
        self._seconds[kind] = self._seconds.get(kind, 0.0) + seconds
        self._configs[kind] = self._configs.get(kind, 0) + configs_tried

    def left(self) -> str:
        """'about N s left'; 'at least N s left' while a kind of candidate still to come has not been
        timed; 'time left unknown' before any candidate was."""
        if not self._pending:
            return "about 0 s left"
        if not self._configs:
            return "time left unknown"
        untimed = any(kind not in self._configs for kind, _ in self._pending.values())
        seconds = sum(configs * self._rate(kind) for kind, configs in self._pending.values())
        return f"{'at least' if untimed else 'about'} {seconds:.0f} s left"

    def _rate(self, kind: Kind) -> float:
        """Seconds per configuration of `kind`, or of the timed kinds most like it."""
        if kind in self._configs:
            return self._seconds[kind] / self._configs[kind]
        alike = [timed for timed in self._configs if timed[1] == kind[1]] or list(self._configs)
        return sum(self._seconds[k] for k in alike) / sum(self._configs[k] for k in alike)
