"""Drawing values from the aggregate statistics in stats.json.

A column's statistics ("spec") are one of:
- ``{"missing": m, "quantiles": [...], "step": s}``: a continuous variable given by its quantiles on
  the grid `quantile_grid(len(quantiles))`, drawn by interpolating the inverse distribution function,
  then rounded to `step` (4500, 1, 0.5, 0.01...) when the real values are that coarse;
- ``{"missing": m, "values": [...], "p": [...]}``: a discrete variable (category or small count);
- ``{"missing": 1.0}``: a column the real sample holds too few values of to describe.

Every draw can be driven by given uniform levels `u` instead of fresh ones: that is how the copula
and the client's payment behaviour correlate columns without changing any marginal.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr

Spec = Mapping[str, Any]
POOLED = ""
"""The key of the all-rows group in a grouped set of marginals."""
KEY_SEPARATOR = "|"


@cache
def load_stats() -> dict[str, Any]:
    """The committed aggregate statistics of the real Home Credit sample (parsed once)."""
    text = resources.files("credit_scoring.synth").joinpath("stats.json").read_text(encoding="utf-8")
    return json.loads(text)


def quantile_grid(points: int) -> np.ndarray:
    """Probability levels of `points` quantiles: the centres of equal slices, never 0 or 1.

    Leaving out the extremes keeps the statistics off individual rows (the minimum and maximum).
    """
    return (np.arange(points) + 0.5) / points


def is_categorical(spec: Spec) -> bool:
    """Whether a discrete spec holds strings (a category column) rather than numbers."""
    return "values" in spec and any(isinstance(value, str) for value in spec["values"])


def draw(spec: Spec, n: int, rng: np.random.Generator, u: np.ndarray | None = None) -> np.ndarray:
    """n values from a spec: float64 with NaN, or an object array of strings with NaN for categories.

    `u` (uniform levels in [0, 1)) drives the value part when given; missingness is always drawn
    independently with the spec's missing rate.
    """
    levels = rng.random(n) if u is None else u
    values = values_at(spec, levels)
    missing = float(spec.get("missing", 0.0))
    if missing > 0.0:
        values[rng.random(n) < missing] = np.nan
    return values


def values_at(spec: Spec, u: np.ndarray) -> np.ndarray:
    """The inverse distribution function of a spec's present values at levels `u` (no missingness)."""
    if "quantiles" in spec:
        quantiles = np.asarray(spec["quantiles"], dtype=float)
        return round_to_step(np.interp(u, quantile_grid(len(quantiles)), quantiles), spec.get("step"))
    if "values" in spec:
        index = pick(spec["p"], u)
        if is_categorical(spec):
            return np.asarray(spec["values"], dtype=object)[index]
        return np.asarray(spec["values"], dtype=float)[index]
    return np.full(len(u), np.nan)


def pick(probabilities: Sequence[float], u: np.ndarray) -> np.ndarray:
    """Indices of the outcomes that uniform levels `u` fall on (inverse of the cumulative frequencies)."""
    cumulative = np.cumsum(np.asarray(probabilities, dtype=float))
    return np.minimum(np.searchsorted(cumulative / cumulative[-1], u, side="right"), len(cumulative) - 1)


def draw_missing_as_lowest(spec: Spec, u: np.ndarray) -> np.ndarray:
    """Values at copula levels `u` where the lowest `missing` share of levels means "missing".

    The building copula is fitted with missing values ranked below every known value, so columns that
    are often missing together get correlated levels and come out missing together.
    """
    missing = float(spec.get("missing", 0.0))
    if missing >= 1.0:
        return np.full(len(u), np.nan)
    values = values_at(spec, np.clip((u - missing) / (1.0 - missing), 0.0, 1.0))
    values[u < missing] = np.nan
    return values


def round_to_step(values: np.ndarray, step: float | None) -> np.ndarray:
    """Round to the granularity of the real values (multiples of 4500, whole days, cents...)."""
    if step is None:
        return values
    if step >= 0.5:
        return np.round(values / step) * step
    return np.round(values, round(-np.log10(step)))


def reorder(spec: Spec, order: Sequence[Any]) -> dict[str, Any]:
    """A discrete spec restricted to the values of `order`, in that order (absent ones get probability 0).

    Coupled draws put the values a risky client tends to get at the top of this order.
    """
    probabilities = dict(zip(spec["values"], spec["p"], strict=True))
    return {**spec, "values": list(order), "p": [probabilities.get(value, 0.0) for value in order]}


def correlated_normals(
    correlation: Sequence[Sequence[float]], n: int, rng: np.random.Generator
) -> np.ndarray:
    """(n, k) standard normal draws with the given (positive definite) correlation matrix."""
    factor = np.linalg.cholesky(np.asarray(correlation, dtype=float))
    return rng.standard_normal((n, factor.shape[0])) @ factor.T


def uniform_levels(normals: np.ndarray) -> np.ndarray:
    """Standard normal draws mapped to uniform levels in (0, 1)."""
    return ndtr(normals)


@dataclass(frozen=True)
class RowGroups:
    """Rows split by the values of key columns, computed once and reused for every column drawn."""

    n: int
    groups: tuple[tuple[tuple[str, ...], np.ndarray], ...]
    """(key values, row indices) of each combination present."""

    @classmethod
    def of(cls, *keys: np.ndarray) -> RowGroups:
        """Group rows by the values of one or more key arrays of equal length."""
        n = len(keys[0])
        group_of = np.zeros(n, dtype=np.int64)
        for key in keys:
            # Hash-based factorising: far faster than sorting strings on history-sized arrays.
            codes, uniques = pd.factorize(np.asarray(key, dtype=object), use_na_sentinel=False)
            group_of = group_of * len(uniques) + codes
        order = np.argsort(group_of, kind="stable")
        boundaries = np.flatnonzero(np.diff(group_of[order])) + 1
        return cls(
            n=n,
            groups=tuple(
                (tuple(str(key[members[0]]) for key in keys), members)
                for members in np.split(order, boundaries)
                if len(members)
            ),
        )

    @classmethod
    def pooled(cls, n: int) -> RowGroups:
        """All n rows in the pooled group."""
        return cls(n=n, groups=(((), np.arange(n)),))


class GroupedMarginals:
    """Marginals fitted per value of key columns, with coarser fallbacks for rare key combinations.

    `stats` is ``{"keys": [...], "groups": {"": {...}, "a": {...}, "a|b": {...}}}`` where each group
    holds ``{"rows": n, "columns": {column: spec}}``; a group appears only when the real sample holds
    enough rows of it.
    """

    def __init__(self, stats: Mapping[str, Any]) -> None:
        self.groups: Mapping[str, Mapping[str, Any]] = stats["groups"]

    def spec(self, column: str, key_values: Sequence[str] = ()) -> Spec:
        """The spec of `column` for the most specific fitted group matching `key_values`."""
        for depth in range(len(key_values), -1, -1):
            group = self.groups.get(KEY_SEPARATOR.join(key_values[:depth]))
            if group is not None:
                return group["columns"][column]
        raise KeyError(f"no pooled statistics for {column!r}")

    def draw(
        self,
        column: str,
        rng: np.random.Generator,
        rows: RowGroups,
        u: np.ndarray | None = None,
        order: Sequence[Any] | None = None,
        missing: bool = True,
    ) -> np.ndarray:
        """One value of `column` per row, each from the marginal of its row group's key values.

        `u`: optional uniform levels driving the values; `order`: reorders a discrete spec for coupled
        draws; `missing=False`: every row gets a present value (the caller decides missingness).
        """
        levels = rng.random(rows.n) if u is None else u
        result: np.ndarray | None = None
        for key_values, members in rows.groups:
            values = self._draw(self.spec(column, key_values), rng, levels[members], order, missing)
            if result is None:
                result = np.empty(rows.n, dtype=values.dtype)
            result[members] = values
        return result if result is not None else np.full(0, np.nan)

    @staticmethod
    def _draw(
        spec: Spec, rng: np.random.Generator, levels: np.ndarray, order: Sequence[Any] | None, missing: bool
    ) -> np.ndarray:
        if order is not None and "values" in spec:
            spec = reorder(spec, order)
        if not missing:
            return values_at(spec, levels)
        return draw(spec, len(levels), rng, levels)


def draw_patterns(
    stats: Mapping[str, Any], key_values: np.ndarray, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Columns drawn together from the frequencies of their joint values, per row's key value.

    `stats` is a pattern set from stats.json: ``{"columns": [...], "groups": {label: {"values": rows of
    joint values (null = missing), "p": [...]}}}``; a key value without a group uses the pooled one.
    """
    groups = stats["groups"]
    n = len(key_values)
    result = np.full((n, len(stats["columns"])), np.nan)
    labels = np.asarray(key_values, dtype=object).astype(str)
    for label in np.unique(labels):
        rows = np.flatnonzero(labels == label)
        group = groups.get(str(label), groups[POOLED])
        patterns = np.asarray(group["values"], dtype=float)
        result[rows] = patterns[pick(group["p"], rng.random(len(rows)))]
    return {column: result[:, j] for j, column in enumerate(stats["columns"])}
