"""Summaries of the training population that let the dashboard compare one client with the others.

Training calls `build_population` on its feature matrix and target; the bundle stores the result as
`population.json`, and the dashboard draws from it the distribution of clients who repaid vs defaulted
with the current client marked, box plots, and a two-variable scatter. No other client's identity or
record may reach the browser, so every published figure is an aggregate or has been blurred:

- histogram bins span the pooled 1st–99th centiles (values beyond count in the end bins), so the
  extremes, which are individual clients, are never published as bin edges;
- box plots use the 5th/25th/50th/75th/95th centiles, never the minimum or maximum;
- an outcome group with fewer than `min_group` known values publishes no histogram or centiles;
- the scatter sample has no ids, at most `sample_size` rows, none from an outcome group of fewer than
  `min_group` clients, and every value is randomly rounded to a grid of 1/200 of the 1st–99th centile
  range and clipped to it.

The dashboard's main variables (age in years, employment years, amounts, external scores, ratios) are
defined once here, from raw application columns that are also model features, and `derive_variables`
computes them both from the feature matrix at training time and from one client's stored feature row
at serving time, so that the client is marked on exactly the scale the population was summarised on.

Every model feature a decision's reason can name is summarised too, under the same rules, by
`summarise` (a histogram and centiles) or `summarise_indicator` (a yes/no feature: how many said yes),
on the scale the reason states the client's value on; training converts the values
(`credit_scoring.training.feature_population`) and the bundle stores them as `feature_population.json`.
Numpy only: serving imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
from numpy.typing import ArrayLike

POPULATION_FORMAT: Final = 1
FEATURE_POPULATION_FILE: Final = "feature_population.json"
FEATURE_POPULATION_FORMAT: Final = 1
OUTCOMES: Final = ("repaid", "defaulted")
CENTILES: Final = (5, 25, 50, 75, 95)
DAYS_PER_YEAR: Final = 365.25
SIGNIFICANT_DIGITS: Final = 6
SAMPLE_GRID_STEPS: Final = 200

Unit = Literal["years", "currency", "score", "ratio"]


@dataclass(frozen=True)
class Variable:
    """One variable the dashboard compares: its key, display unit and raw application sources."""

    key: str
    unit: Unit
    sources: tuple[str, ...]
    derive: Callable[..., np.ndarray]


def _years_since(days: np.ndarray) -> np.ndarray:
    return -days / DAYS_PER_YEAR


def _employment_years(days: np.ndarray) -> np.ndarray:
    # A positive DAYS_EMPLOYED is Kaggle's 365243 placeholder (pensioners, unemployed): not a duration.
    return np.where(days <= 0, -days / DAYS_PER_YEAR, np.nan)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


def _identity(values: np.ndarray) -> np.ndarray:
    return values


MAIN_VARIABLES: Final[tuple[Variable, ...]] = (
    Variable("AGE_YEARS", "years", ("DAYS_BIRTH",), _years_since),
    Variable("EMPLOYMENT_YEARS", "years", ("DAYS_EMPLOYED",), _employment_years),
    Variable("AMT_INCOME_TOTAL", "currency", ("AMT_INCOME_TOTAL",), _identity),
    Variable("AMT_CREDIT", "currency", ("AMT_CREDIT",), _identity),
    Variable("AMT_ANNUITY", "currency", ("AMT_ANNUITY",), _identity),
    Variable("AMT_GOODS_PRICE", "currency", ("AMT_GOODS_PRICE",), _identity),
    Variable("EXT_SOURCE_1", "score", ("EXT_SOURCE_1",), _identity),
    Variable("EXT_SOURCE_2", "score", ("EXT_SOURCE_2",), _identity),
    Variable("EXT_SOURCE_3", "score", ("EXT_SOURCE_3",), _identity),
    Variable("PAYMENT_RATE", "ratio", ("AMT_ANNUITY", "AMT_CREDIT"), _ratio),
    Variable("CREDIT_INCOME_RATIO", "ratio", ("AMT_CREDIT", "AMT_INCOME_TOTAL"), _ratio),
    Variable("ANNUITY_INCOME_RATIO", "ratio", ("AMT_ANNUITY", "AMT_INCOME_TOTAL"), _ratio),
)
"""The dashboard's comparison variables, in display order."""


def derive_variables(columns: Mapping[str, ArrayLike]) -> dict[str, np.ndarray]:
    """Every main variable whose raw sources are all in `columns`, as float64 arrays (NaN = missing).

    `columns` maps feature names to equal-length sequences: the feature matrix's columns at training
    time, `{name: [value]}` for one client at serving time (None or NaN is a missing value).
    """
    derived: dict[str, np.ndarray] = {}
    for variable in MAIN_VARIABLES:
        if all(source in columns for source in variable.sources):
            arrays = [np.asarray(columns[source], dtype=np.float64) for source in variable.sources]
            derived[variable.key] = np.asarray(variable.derive(*arrays), dtype=np.float64)
    return derived


def build_population(
    X: np.ndarray,
    names: Sequence[str],
    target: ArrayLike,
    *,
    bins: int = 20,
    sample_size: int = 500,
    min_group: int = 20,
    seed: int = 0,
) -> dict[str, Any]:
    """The JSON-ready population summaries of a training set, for `population.json`.

    `X` is the (n, p) feature matrix with columns `names`, `target` the n outcomes (0 repaid, 1
    defaulted). Variables whose raw sources are not among `names` are left out. Raises ValueError
    naming the argument at fault when the shapes or the target are not as described.
    """
    X, target_array = checked_inputs(X, names, target, bins, sample_size, min_group)
    derived = derive_variables({name: X[:, j] for j, name in enumerate(names)})
    units = {variable.key: variable.unit for variable in MAIN_VARIABLES}
    defaulted = target_array == 1
    summaries = [
        {"key": key, "unit": units[key], **summarise(values, defaulted, bins, min_group)}
        for key, values in derived.items()
    ]
    ranges = {s["key"]: (s["edges"][0], s["edges"][-1]) for s in summaries if s["edges"] is not None}
    return {
        "format": POPULATION_FORMAT,
        "clients": int(target_array.size),
        "outcomes": outcome_sizes(defaulted),
        "centiles": list(CENTILES),
        "variables": summaries,
        "sample": _blurred_sample(
            derived, ranges, defaulted, sample_size, min_group, np.random.default_rng(seed)
        ),
    }


def outcome_sizes(defaulted: np.ndarray) -> dict[str, int]:
    """How many clients repaid and how many defaulted."""
    return {outcome: int(np.sum(defaulted == bool(k))) for k, outcome in enumerate(OUTCOMES)}


def checked_inputs(
    X: np.ndarray,
    names: Sequence[str],
    target: ArrayLike,
    bins: int = 1,
    sample_size: int = 1,
    min_group: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """`X` as float64 and `target` as int8 (0 repaid, 1 defaulted); ValueError naming the argument at
    fault when the shapes, the target or the settings are not as `build_population` describes."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X: expected a 2-D feature matrix, got {X.ndim} dimension(s)")
    if len(names) != X.shape[1]:
        raise ValueError(f"names: expected {X.shape[1]} names (one per column of X), got {len(names)}")
    target_array = np.asarray(target, dtype=np.float64)
    if target_array.shape != (X.shape[0],):
        raise ValueError(f"target: expected shape ({X.shape[0]},) like X's rows, got {target_array.shape}")
    outside = ~np.isin(target_array, (0.0, 1.0))
    if outside.any():
        row = int(np.flatnonzero(outside)[0])
        raise ValueError(f"target: expected 0 or 1, got {target_array[row]:g} at row {row}")
    for argument, value in (("bins", bins), ("sample_size", sample_size), ("min_group", min_group)):
        if value < 1:
            raise ValueError(f"{argument}: expected a positive integer, got {value}")
    return X, target_array.astype(np.int8)


def _missing(known: np.ndarray, defaulted: np.ndarray) -> dict[str, int]:
    return {outcome: int(np.sum(~known & (defaulted == bool(k)))) for k, outcome in enumerate(OUTCOMES)}


def summarise(values: np.ndarray, defaulted: np.ndarray, bins: int, min_group: int) -> dict[str, Any]:
    """One variable's `missing` count, shared histogram `edges` (1st–99th centiles) and, per outcome
    group of at least `min_group` known values, its bin `counts` and `CENTILES` (`quantiles`)."""
    known = np.isfinite(values)
    edges = _edges(*np.percentile(values[known], (1, 99)), bins) if known.any() else None
    groups = {outcome: known & (defaulted == bool(k)) for k, outcome in enumerate(OUTCOMES)}
    published = {outcome: int(mask.sum()) >= min_group for outcome, mask in groups.items()}
    return {
        "missing": _missing(known, defaulted),
        "edges": None if edges is None else [_round(edge) for edge in edges],
        "counts": {
            outcome: _counts(values[mask], edges) if published[outcome] and edges is not None else None
            for outcome, mask in groups.items()
        },
        "quantiles": {
            outcome: [_round(q) for q in np.percentile(values[mask], CENTILES)]
            if published[outcome]
            else None
            for outcome, mask in groups.items()
        },
    }


def summarise_indicator(values: np.ndarray, defaulted: np.ndarray, min_group: int) -> dict[str, Any]:
    """A yes/no variable (1 yes, 0 no): its `missing` count and, per outcome group of at least
    `min_group` known values, how many said yes (`yes`; null for a group too small)."""
    known = np.isfinite(values)
    yes: dict[str, int | None] = {}
    for k, outcome in enumerate(OUTCOMES):
        group = known & (defaulted == bool(k))
        yes[outcome] = int(np.sum(values[group] >= 0.5)) if int(group.sum()) >= min_group else None
    return {"missing": _missing(known, defaulted), "yes": yes}


def _edges(low: float, high: float, bins: int) -> np.ndarray:
    if high <= low:
        # A constant variable still gets a bin around its value, so the client can be placed on it.
        half_width = max(abs(low) * 0.05, 1e-9)
        return np.array([low - half_width, low + half_width])
    return np.linspace(low, high, bins + 1)


def _counts(values: np.ndarray, edges: np.ndarray) -> list[int]:
    # Values beyond the 1st–99th centile fall in the end bins, which the dashboard labels open-ended.
    clipped = np.clip(values, edges[0], edges[-1])
    counts, _ = np.histogram(clipped, bins=edges)
    return [int(c) for c in counts]


def _blurred_sample(
    derived: Mapping[str, np.ndarray],
    ranges: Mapping[str, tuple[float, float]],
    defaulted: np.ndarray,
    sample_size: int,
    min_group: int,
    rng: np.random.Generator,
) -> dict[str, Any]:
    # A point's outcome is individual information: a group too small to publish as a histogram is not
    # published point by point either.
    eligible = np.flatnonzero(
        np.where(defaulted, defaulted.sum() >= min_group, (~defaulted).sum() >= min_group)
    )
    rows = np.sort(rng.choice(eligible, size=min(sample_size, eligible.size), replace=False))
    values: dict[str, list[float | None]] = {}
    for key, (low, high) in ranges.items():
        values[key] = _randomly_rounded(derived[key][rows], low, high, rng)
    return {"outcome": [int(d) for d in defaulted[rows]], "values": values}


def _randomly_rounded(
    values: np.ndarray, low: float, high: float, rng: np.random.Generator
) -> list[float | None]:
    step = (high - low) / SAMPLE_GRID_STEPS if high > low else 0.0
    if step > 0:
        # Rounding after a uniform shift of up to half a step moves each value by at most one grid
        # step, at random: a published point tells the client's value only to within that step.
        shifted = values + rng.uniform(-0.5, 0.5, size=values.shape) * step
        values = low + np.round((shifted - low) / step) * step
    blurred = np.clip(values, low, high)
    return [None if not np.isfinite(v) else _round(v) for v in blurred]


def _round(value: float) -> float:
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}")
