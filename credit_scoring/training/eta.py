"""`SearchEta`: the time a candidate search has left, from what its finished candidates took.

Candidates differ in cost: their number of configurations (a plan's `configs`, or `smote_configs` for
the SMOTE samplers) and, per configuration, the SMOTE samplers' neighbour searches cost several times a
plain fit (docs/benchmarks.md, "Scale"). So the estimate is per configuration and per kind (SMOTE or
not), from the candidates of that kind already timed; a kind not timed yet is estimated at the rate of
the others, and the estimate is then a lower bound, said so.
"""

from __future__ import annotations

from collections.abc import Sequence

from credit_scoring.training.candidates import SMOTE_SAMPLERS, Candidate
from credit_scoring.training.search import draw_configs


def _is_smote(candidate: Candidate) -> bool:
    return candidate.imbalance in SMOTE_SAMPLERS


class SearchEta:
    """Tracks a search over `pool`; `finished` records each candidate's configurations and time."""

    def __init__(self, pool: Sequence[Candidate], seed: int) -> None:
        # A baseline's constant prediction says nothing about a fit's cost, and costs nothing to wait for.
        timed = [candidate for candidate in pool if not candidate.baseline]
        self._pending = {c.name: (_is_smote(c), len(draw_configs(c.space, c.configs, seed))) for c in timed}
        self._seconds: dict[bool, float] = {}
        self._configs: dict[bool, int] = {}

    def finished(self, candidate: Candidate, configs_tried: int, seconds: float) -> None:
        if self._pending.pop(candidate.name, None) is None:
            return
        kind = _is_smote(candidate)
        self._seconds[kind] = self._seconds.get(kind, 0.0) + seconds
        self._configs[kind] = self._configs.get(kind, 0) + configs_tried

    def left(self) -> str:
        """'about N s left'; 'at least N s left' while a kind of candidate still to come has not been
        timed; 'time left unknown' before any candidate was."""
        if not self._pending:
            return "about 0 s left"
        if not self._configs:
            return "time left unknown"
        overall = sum(self._seconds.values()) / sum(self._configs.values())
        untimed = any(kind not in self._configs for kind, _ in self._pending.values())
        seconds = sum(
            configs * (self._seconds[kind] / self._configs[kind] if kind in self._configs else overall)
            for kind, configs in self._pending.values()
        )
        return f"{'at least' if untimed else 'about'} {seconds:.0f} s left"
