"""The training population as monitoring compares new populations with it: `monitoring/reference.json`.

Training builds it from every training client (`build_reference`); the bundle lists it and its sha256
like every file, and serving reads it verified (`load_reference`). For the score (the calibrated
probability) and every raw application input the model reads, it keeps counts, never a client:

    {"format": 1, "clients": m,
     "score": {"kind": "numeric", "edges": [...], "counts": [...], "missing": 0},
     "inputs": {"AMT_CREDIT": {"kind": "numeric", "edges": [e1, ..., ek], "counts": [k + 1 counts],
                               "missing": n},
                "NAME_CONTRACT_TYPE": {"kind": "category", "categories": [...], "counts": [...],
                                       "missing": n}}}

A numeric variable's bins are (-inf, e1], (e1, e2], ..., (ek, +inf) with `edges` its deciles over the
non-missing values (rounded to 6 significant digits, repeated values merged, so a 0/1 column has two
bins); a categorical one's are its vocabulary (`schema.APPLICATION_CATEGORIES`). Missing values are
counted apart. Proportions are counts / clients.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np

from credit_scoring.bundle.errors import BundleError
from credit_scoring.bundle.integrity import read_verified
from credit_scoring.bundle.manifest import Manifest

REFERENCE_FILE: Final = "monitoring/reference.json"
REFERENCE_FORMAT: Final = 1
QUANTILE_BINS: Final = 10
SIGNIFICANT_DIGITS: Final = 6
SCORE: Final = "score"


@dataclass(frozen=True)
class Binning:
    """One variable's bins and the reference's counts in them (`counts[i]` for bin i, `missing` apart)."""

    kind: Literal["numeric", "category"]
    edges: np.ndarray
    """Numeric: the upper edges of all bins but the last; empty for a category."""
    categories: tuple[str, ...]
    counts: np.ndarray
    missing: int

    @property
    def total(self) -> int:
        return int(self.counts.sum()) + self.missing

    @cached_property
    def _upper_edges(self) -> np.ndarray:
        """The edges and +inf, the upper edge of the last bin."""
        return np.append(self.edges, np.inf)

    def count_numbers(self, values: np.ndarray) -> tuple[np.ndarray, int]:
        """(counts per bin, missing) of float `values` (NaN missing) on these bins."""
        values = np.asarray(values, dtype=np.float64)
        # The values at or below each upper edge, found in the sorted values (numpy sorts NaN last):
        # faster than searching every value among the edges, and NaN needs no mask.
        at_or_below = np.searchsorted(np.sort(values), self._upper_edges, side="right")
        return np.diff(at_or_below, prepend=0), len(values) - int(at_or_below[-1])

    def count_codes(self, codes: np.ndarray, labels: Sequence[object]) -> tuple[np.ndarray, int, int]:
        """(counts per category, missing, outside the vocabulary) of rows given as codes into their
        distinct `labels` (-1 missing, as `pandas.factorize` gives)."""
        position = {category: i for i, category in enumerate(self.categories)}
        # Each distinct label mapped once: -1 missing, len(categories) outside the vocabulary.
        outside = len(self.categories)
        mapped = np.array([position.get(label, outside) for label in labels] + [-1], dtype=np.intp)
        per_row = mapped[np.asarray(codes, dtype=np.intp)]  # code -1 picks the trailing -1
        counts = np.bincount(per_row + 1, minlength=len(self.categories) + 2)
        return counts[1:-1], int(counts[0]), int(counts[-1])

    def to_json(self) -> dict[str, Any]:
        numeric = self.kind == "numeric"
        shape = {"edges": self.edges.tolist()} if numeric else {"categories": list(self.categories)}
        return {"kind": self.kind, **shape, "counts": self.counts.tolist(), "missing": self.missing}

    @classmethod
    def from_json(cls, data: Any, name: str) -> Binning:
        """Raises ValueError naming `name` and the field at fault."""
        if not isinstance(data, dict) or data.get("kind") not in ("numeric", "category"):
            raise ValueError(f"{name}: kind must be 'numeric' or 'category'")
        counts = _counts(data.get("counts"), f"{name}.counts")
        missing = data.get("missing")
        if not isinstance(missing, int) or isinstance(missing, bool) or missing < 0:
            raise ValueError(f"{name}.missing must be a count")
        if data["kind"] == "numeric":
            edges = np.asarray(data.get("edges", ()), dtype=np.float64)
            if edges.ndim != 1 or not np.all(np.isfinite(edges)) or np.any(np.diff(edges) <= 0):
                raise ValueError(f"{name}.edges must be increasing finite numbers")
            if len(counts) != len(edges) + 1:
                raise ValueError(f"{name}.counts must hold one count more than edges")
            return cls("numeric", edges, (), counts, missing)
        categories = data.get("categories")
        if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
            raise ValueError(f"{name}.categories must be a list of strings")
        if len(counts) != len(categories):
            raise ValueError(f"{name}.counts must hold one count per category")
        return cls("category", np.empty(0), tuple(categories), counts, missing)


@dataclass(frozen=True)
class Reference:
    """The training population: the score's binning and each input's, over `clients` clients."""

    clients: int
    score: Binning
    inputs: dict[str, Binning]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": REFERENCE_FORMAT,
            "clients": self.clients,
            SCORE: self.score.to_json(),
            "inputs": {name: binning.to_json() for name, binning in self.inputs.items()},
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), allow_nan=False) + "\n"

    @classmethod
    def from_json(cls, data: Any) -> Reference:
        """Raises ValueError naming the field at fault."""
        if not isinstance(data, dict) or data.get("format") != REFERENCE_FORMAT:
            raise ValueError(f"format must be {REFERENCE_FORMAT}")
        clients = data.get("clients")
        if not isinstance(clients, int) or isinstance(clients, bool) or clients < 1:
            raise ValueError("clients must be a positive count")
        inputs = data.get("inputs")
        if not isinstance(inputs, dict):
            raise ValueError("inputs must be an object")
        return cls(
            clients,
            Binning.from_json(data.get(SCORE), SCORE),
            {name: Binning.from_json(binning, name) for name, binning in inputs.items()},
        )


def numeric_binning(values: np.ndarray, bins: int = QUANTILE_BINS) -> Binning:
    """The quantile bins of `values` (NaN missing) and their counts."""
    values = np.asarray(values, dtype=np.float64)
    present = values[~np.isnan(values)]
    edges = np.empty(0)
    if len(present):
        quantiles = np.quantile(present, np.arange(1, bins) / bins)
        edges = np.unique([float(f"{q:.{SIGNIFICANT_DIGITS}g}") for q in quantiles])
    empty = Binning("numeric", edges, (), np.zeros(len(edges) + 1, dtype=np.int64), 0)
    counts, missing = empty.count_numbers(values)
    return Binning("numeric", edges, (), counts, missing)


def category_binning(codes: np.ndarray, categories: Sequence[str]) -> Binning:
    """The counts of each category of `categories`, the rows given as codes into it (-1 missing)."""
    empty = Binning("category", np.empty(0), tuple(categories), np.zeros(len(categories), dtype=np.int64), 0)
    counts, missing, _ = empty.count_codes(codes, categories)
    return Binning("category", np.empty(0), tuple(categories), counts, missing)


def build_reference(
    probabilities: np.ndarray,
    numeric: Mapping[str, np.ndarray],
    categorical: Mapping[str, tuple[np.ndarray, Sequence[str]]],
) -> Reference:
    """The reference of a training population: its calibrated probabilities, its numeric inputs (float,
    NaN missing) and its categorical ones (codes into their vocabulary, -1 missing), equally long."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    n = len(probabilities)
    if n == 0:
        raise ValueError("the reference needs at least one client")
    inputs = {name: numeric_binning(values) for name, values in numeric.items()}
    inputs.update(
        {name: category_binning(codes, vocabulary) for name, (codes, vocabulary) in categorical.items()}
    )
    for name, binning in inputs.items():
        if binning.total != n:
            raise ValueError(f"{name}: {binning.total} values for {n} clients")
    return Reference(n, numeric_binning(probabilities), inputs)


def load_reference(bundle_dir: Path, manifest: Manifest) -> Reference | None:
    """The bundle's reference, verified against its digest as read; None when the bundle has none (a
    bundle written before monitoring, or an imported model). Raises BundleError naming the file."""
    digest = manifest.files.get(REFERENCE_FILE)
    if digest is None:
        return None
    data = read_verified(bundle_dir, REFERENCE_FILE, digest)
    try:
        return Reference.from_json(json.loads(data))
    except (ValueError, TypeError) as error:
        raise BundleError(REFERENCE_FILE, f"is not a valid reference: {error}") from None


def _counts(value: Any, name: str) -> np.ndarray:
    if not isinstance(value, list) or not all(
        isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in value
    ):
        raise ValueError(f"{name} must be a list of counts")
    return np.asarray(value, dtype=np.int64)
