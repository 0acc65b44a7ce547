"""What every serving model offers, and the preprocessing a fitted pipeline applies before its model.

A serving model maps the bundle's feature matrix (columns in manifest order, NaN for missing) to a raw
score in log-odds of default, a probability, and per-feature contributions whose sum with the base value
is the raw score. Contributions come as one (n, p + 1) matrix whose last column is the base value: the
layout of the store's precomputed `contributions.npy`, so that computed and stored ones are used alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np


class ServingModel(Protocol):
    """A pickle-free model that the bundle serves; numpy only."""

    feature_names: tuple[str, ...]

    def raw_score(self, X: np.ndarray) -> np.ndarray:
        """Log-odds of default, shape (n,)."""
        ...

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Probability of default, shape (n,)."""
        ...

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """Per-feature contributions to the raw score, shape (n, p + 1), last column the base value."""
        ...


class MissingValueError(ValueError):
    """The model cannot score a row with these features missing (it was fitted without imputation)."""

    def __init__(self, features: Sequence[str]) -> None:
        super().__init__(
            f"missing value for {', '.join(features)}: "
            "this model has no imputation, every feature is required"
        )
        self.features = tuple(features)


def sigmoid(raw: np.ndarray) -> np.ndarray:
    """Probability from log-odds, without overflow for large negative scores."""
    raw = np.asarray(raw, dtype=np.float64)
    exp = np.exp(-np.abs(raw))
    return np.where(raw >= 0, 1.0 / (1.0 + exp), exp / (1.0 + exp))


def as_matrix(X: np.ndarray, n_features: int) -> np.ndarray:
    """The input as a float64 (n, p) matrix; one row may be given as a vector."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[np.newaxis, :]
    if X.ndim != 2 or X.shape[1] != n_features:
        raise ValueError(f"expected {n_features} features per row, got an array of shape {X.shape}")
    return X


@dataclass(frozen=True)
class Preprocessing:
    """Imputation then standardisation, as scikit-learn's SimpleImputer and StandardScaler apply them.

    Each array has one value per feature; None skips the step. The arithmetic is the scikit-learn
    transformers' own (replace NaN; subtract the mean; divide by the scale), so the results are equal.
    """

    impute: np.ndarray | None = None
    center: np.ndarray | None = None
    scale: np.ndarray | None = None

    def apply(self, X: np.ndarray) -> np.ndarray:
        if self.impute is not None:
            X = np.where(np.isnan(X), self.impute, X)
        if self.center is not None:
            X = X - self.center
        if self.scale is not None:
            X = X / self.scale
        return X

    def to_json(self) -> dict[str, list[float] | None]:
        return {name: None if value is None else value.tolist() for name, value in self._arrays().items()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any], n_features: int) -> Preprocessing:
        """Read the three optional arrays; raises ValueError naming a malformed one."""
        arrays = {}
        for name in ("impute", "center", "scale"):
            value = data.get(name)
            arrays[name] = None if value is None else finite_vector(value, name, n_features)
        if arrays["scale"] is not None and bool(np.any(arrays["scale"] == 0.0)):
            raise ValueError("scale must not contain 0")
        return cls(**arrays)

    def _arrays(self) -> dict[str, np.ndarray | None]:
        return {"impute": self.impute, "center": self.center, "scale": self.scale}


def finite_vector(value: object, name: str, length: int) -> np.ndarray:
    """A JSON list as a float64 vector of the given length with finite values; ValueError otherwise."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a list of numbers") from None
    if array.shape != (length,):
        raise ValueError(f"{name} must hold {length} numbers, found shape {array.shape}")
    if not bool(np.all(np.isfinite(array))):
        raise ValueError(f"{name} must hold finite numbers only")
    return array
