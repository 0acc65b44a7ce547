"""Drift of a scored population from the training one: population stability index, sample-size aware.

For each variable (the score and each input of the reference), the population's counts on the
reference's bins, one bin for missing values and, for a category, one for values outside the training
vocabulary, give

    PSI = sum_i (q_i - p_i) ln(q_i / p_i)

with p the reference's proportions and q the population's, each smoothed by half a count per bin in use
(a bin either side has a value in), so that an empty bin costs a finite amount.

**The flag.** A fixed rule (PSI > 0.1) fires on unchanged data at 100 rows and almost never at a million.
When both samples come from one distribution, PSI / (1/n + 1/m) tends to a chi-square with B - 1 degrees
of freedom (n rows now, m reference clients, B bins in use; Yurdakul, 2018), so a variable is flagged
drifting when

    PSI > chi2_{B-1}(1 - alpha) * (1/n + 1/m)

which holds the false-alarm rate at `alpha` per variable whatever n is (ALPHA = 0.01 by default; the
tests measure it by simulation). The chi-square quantile is Wilson and Hilferty's cube-root normal
approximation (exact for 1 and 2 degrees of freedom), from the standard library's normal quantile.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any, Final

import numpy as np

from credit_scoring.monitoring.reference import SCORE, Binning, Reference

ALPHA: Final = 0.01
TOP_INPUTS: Final = 5
SMOOTHING: Final = 0.5


def chi2_quantile(df: int, probability: float) -> float:
    """The `probability` quantile of a chi-square with `df` degrees of freedom."""
    if df < 1 or not 0.0 < probability < 1.0:
        raise ValueError(f"need df >= 1 and 0 < probability < 1, got {df} and {probability}")
    if df == 1:
        return NormalDist().inv_cdf((1.0 + probability) / 2.0) ** 2
    if df == 2:
        return -2.0 * math.log(1.0 - probability)
    z = NormalDist().inv_cdf(probability)
    c = 2.0 / (9.0 * df)
    return df * (1.0 - c + z * math.sqrt(c)) ** 3


def psi(reference: np.ndarray, observed: np.ndarray) -> tuple[float, int]:
    """(PSI, bins in use) of two count vectors on the same bins."""
    reference = np.asarray(reference, dtype=np.float64)
    observed = np.asarray(observed, dtype=np.float64)
    used = (reference > 0) | (observed > 0)
    p, q = reference[used], observed[used]
    k = len(p)
    p = (p + SMOOTHING) / (p.sum() + SMOOTHING * k)
    q = (q + SMOOTHING) / (q.sum() + SMOOTHING * k)
    return float(np.sum((q - p) * np.log(q / p))), k


def critical_psi(bins: int, n: int, m: int, alpha: float = ALPHA) -> float:
    """The PSI above which a variable over `bins` bins, `n` rows against `m` reference clients, is
    flagged: exceeded with probability `alpha` when nothing changed."""
    return chi2_quantile(max(bins - 1, 1), 1.0 - alpha) * (1.0 / n + 1.0 / m)


@dataclass
class _Tally:
    """A variable's counts so far: value bins, missing, outside the vocabulary."""

    counts: np.ndarray
    missing: int = 0
    unseen: int = 0

    @property
    def total(self) -> int:
        return int(self.counts.sum()) + self.missing + self.unseen


@dataclass(frozen=True)
class VariableDrift:
    """One variable's drift: PSI, its critical value, the flag, and the missing rates either side."""

    name: str
    n: int
    psi: float
    critical: float
    drifting: bool
    missing_rate: float
    reference_missing_rate: float
    unseen: int = 0
    proportions: tuple[float, ...] = ()
    reference_proportions: tuple[float, ...] = ()

    def to_json(self, bins: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "n": self.n,
            "psi": round(self.psi, 6),
            "critical_psi": round(self.critical, 6),
            "drifting": self.drifting,
            "missing_rate": round(self.missing_rate, 6),
            "reference_missing_rate": round(self.reference_missing_rate, 6),
        }
        if self.unseen:
            data["outside_vocabulary"] = self.unseen
        if bins:
            data["proportions"] = [round(p, 6) for p in self.proportions]
            data["reference_proportions"] = [round(p, 6) for p in self.reference_proportions]
        return data


@dataclass(frozen=True)
class DriftSummary:
    """A population's drift: the score's, each observed input's, and what a reader looks at first."""

    n: int
    reference_clients: int
    alpha: float
    score: VariableDrift | None
    inputs: tuple[VariableDrift, ...]
    """Observed inputs, most drifting (largest PSI) first."""

    @property
    def drifting_inputs(self) -> tuple[VariableDrift, ...]:
        return tuple(drift for drift in self.inputs if drift.drifting)

    @property
    def drifting_share(self) -> float:
        return len(self.drifting_inputs) / len(self.inputs) if self.inputs else 0.0

    def missing_rate_changes(self) -> list[VariableDrift]:
        """Inputs whose missing rate moved by at least 5 points, largest change first."""
        moved = [d for d in self.inputs if abs(d.missing_rate - d.reference_missing_rate) >= 0.05]
        return sorted(moved, key=lambda d: -abs(d.missing_rate - d.reference_missing_rate))

    def to_json(self, top: int = TOP_INPUTS) -> dict[str, Any]:
        """JSON-ready: the score with its bins, the counts, the top inputs, every flagged input, the
        missing-rate changes; every input's figures under `inputs`."""
        return {
            "n": self.n,
            "reference_clients": self.reference_clients,
            "alpha": self.alpha,
            "flag_rule": "psi > chi2_{bins-1}(1 - alpha) * (1/n + 1/reference_clients)",
            "score": None if self.score is None else self.score.to_json(bins=True),
            "inputs_observed": len(self.inputs),
            "inputs_drifting": len(self.drifting_inputs),
            "drifting_share": round(self.drifting_share, 6),
            "top_inputs": [d.to_json() for d in self.inputs[:top]],
            "missing_rate_changes": [
                {
                    "name": d.name,
                    "missing_rate": round(d.missing_rate, 6),
                    "reference_missing_rate": round(d.reference_missing_rate, 6),
                }
                for d in self.missing_rate_changes()
            ],
            "inputs": [d.to_json() for d in self.inputs],
        }


@dataclass
class DriftMonitor:
    """Counts a population block by block on the reference's bins; `summary()` compares it with the
    reference. Blocks of one file, or several files, add up; so do two monitors (`merge`)."""

    reference: Reference
    alpha: float = ALPHA
    _tallies: dict[str, _Tally] = field(default_factory=dict)

    def observe_score(self, probabilities: np.ndarray) -> None:
        counts, missing = self.reference.score.count_numbers(probabilities)
        self._add(SCORE, counts, missing)

    def observe_inputs(self, columns: Mapping[str, Any], n: int) -> None:
        """`n` rows of application inputs: float arrays (NaN missing) or objects with `codes` into
        `labels` (`features.application.CodedLabels`); an input absent from `columns` is missing in
        every row, as the model sees it."""
        for name, binning in self.reference.inputs.items():
            values = columns.get(name)
            if values is None:
                self._add(name, np.zeros(len(binning.counts), dtype=np.int64), n)
            elif binning.kind == "category":
                counts, missing, unseen = binning.count_codes(values.codes, values.labels)
                self._add(name, counts, missing, unseen)
            else:
                self._add(name, *binning.count_numbers(values))

    def observe_unseen(self, name: str, rows: int) -> None:
        """`rows` rows whose input `name` held a value outside the training vocabulary (rows the
        validation rejected, so never scored)."""
        if name in self.reference.inputs and rows:
            self._add(name, np.zeros(len(self.reference.inputs[name].counts), dtype=np.int64), 0, rows)

    def merge(self, other: DriftMonitor) -> None:
        for name, tally in other._tallies.items():
            self._add(name, tally.counts, tally.missing, tally.unseen)

    def counts_json(self) -> dict[str, Any]:
        """The counts so far, JSON-ready (counts per bin, never a row): what a fan-out part or an
        execution environment's window hands on, for `add_counts_json` to sum elsewhere."""
        return {
            name: {"counts": tally.counts.tolist(), "missing": tally.missing, "unseen": tally.unseen}
            for name, tally in self._tallies.items()
        }

    def add_counts_json(self, data: Any, source: str) -> None:
        """Add counts written by `counts_json` on the same reference; raises ValueError naming `source`
        and the variable at fault (one the reference lacks, or counts of another binning)."""
        if not isinstance(data, dict):
            raise ValueError(f"{source}: drift counts must be an object")
        checked = [self._checked_tally(name, tally, source) for name, tally in data.items()]
        for name, tally in checked:
            self._add(name, tally.counts, tally.missing, tally.unseen)

    def _checked_tally(self, name: str, data: Any, source: str) -> tuple[str, _Tally]:
        binning = self.reference.score if name == SCORE else self.reference.inputs.get(name)
        if binning is None:
            raise ValueError(f"{source}: {name} is not a variable of the reference")
        if not isinstance(data, dict):
            raise ValueError(f"{source}: {name} must be an object of counts")
        counts, missing, unseen = data.get("counts"), data.get("missing"), data.get("unseen")
        if not (
            isinstance(counts, list)
            and len(counts) == len(binning.counts)
            and all(_is_count(count) for count in (*counts, missing, unseen))
        ):
            raise ValueError(
                f"{source}: {name} needs {len(binning.counts)} counts, a missing and an unseen count"
            )
        return name, _Tally(np.array(counts, dtype=np.int64), missing, unseen)

    def summary(self) -> DriftSummary:
        score_tally = self._tallies.get(SCORE)
        score = None if score_tally is None else self._drift(SCORE, self.reference.score, score_tally)
        inputs = [
            self._drift(name, self.reference.inputs[name], tally)
            for name, tally in self._tallies.items()
            if name != SCORE
        ]
        inputs.sort(key=lambda d: (-d.psi, d.name))
        n = 0 if score is None else score.n
        return DriftSummary(n, self.reference.clients, self.alpha, score, tuple(inputs))

    def _add(self, name: str, counts: np.ndarray, missing: int, unseen: int = 0) -> None:
        tally = self._tallies.get(name)
        if tally is None:
            self._tallies[name] = _Tally(np.array(counts, dtype=np.int64), int(missing), int(unseen))
            return
        tally.counts += counts
        tally.missing += int(missing)
        tally.unseen += int(unseen)

    def _drift(self, name: str, binning: Binning, tally: _Tally) -> VariableDrift:
        reference = np.concatenate([binning.counts, [binning.missing, 0]])
        observed = np.concatenate([tally.counts, [tally.missing, tally.unseen]])
        n = tally.total
        if n == 0:
            return VariableDrift(name, 0, 0.0, math.inf, False, 0.0, binning.missing / binning.total)
        value, bins = psi(reference, observed)
        critical = critical_psi(bins, n, binning.total, self.alpha)
        m = binning.total
        return VariableDrift(
            name=name,
            n=n,
            psi=value,
            critical=critical,
            drifting=value > critical,
            missing_rate=tally.missing / n,
            reference_missing_rate=binning.missing / m,
            unseen=tally.unseen,
            proportions=tuple((observed / n).tolist()),
            reference_proportions=tuple((reference / m).tolist()),
        )


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def summary_lines(summary: DriftSummary, top: int = TOP_INPUTS) -> list[str]:
    """The summary for people: the score, the inputs that drift most, missing-rate changes."""
    lines = [
        f"drift of {summary.n:,} rows against {summary.reference_clients:,} training clients "
        f"(flag: PSI above its chi-square critical value at alpha {summary.alpha})"
    ]
    if summary.score is not None:
        lines.append(_line("score", summary.score))
    lines.append(
        f"inputs drifting: {len(summary.drifting_inputs)} of {len(summary.inputs)} "
        f"({summary.drifting_share:.0%})"
    )
    lines += [_line(f"  {d.name}", d) for d in summary.inputs[:top]]
    for d in summary.missing_rate_changes()[:top]:
        lines.append(
            f"  missing rate of {d.name}: {d.reference_missing_rate:.1%} at training, "
            f"{d.missing_rate:.1%} now"
        )
    return lines


def _line(label: str, drift: VariableDrift) -> str:
    flag = "DRIFTING" if drift.drifting else "stable"
    unseen = f", {drift.unseen} outside the training categories" if drift.unseen else ""
    return f"{label}: PSI {drift.psi:.4f} (critical {drift.critical:.4f}) {flag}{unseen}"
