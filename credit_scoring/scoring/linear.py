"""A logistic-regression-style model stored as JSON: `serving/model.json`.

raw_score = intercept + Σ coef_i · z_i with z = preprocessing(x) (median imputation, then scaling), so
the contribution of feature i is exactly coef_i · z_i and the base value is the intercept.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Final

import numpy as np

from credit_scoring.scoring.model import MissingValueError, Preprocessing, as_matrix, finite_vector, sigmoid

KIND: Final = "linear"


class LinearModel:
    """Linear log-odds over preprocessed features; see the module docstring."""

    def __init__(
        self,
        feature_names: Sequence[str],
        coef: np.ndarray,
        intercept: float,
        preprocessing: Preprocessing | None = None,
    ) -> None:
        self.feature_names = tuple(feature_names)
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = float(intercept)
        self.preprocessing = preprocessing or Preprocessing()
        if self.coef.shape != (len(self.feature_names),):
            raise ValueError(
                f"coef must hold {len(self.feature_names)} numbers, found shape {self.coef.shape}"
            )

    def standardised(self, X: np.ndarray) -> np.ndarray:
        """z = the preprocessed inputs the coefficients apply to; raises MissingValueError when a value
        is missing and the model has no imputation for it."""
        X = as_matrix(X, len(self.feature_names))
        if self.preprocessing.impute is None:
            missing = np.isnan(X).any(axis=0)
            if missing.any():
                raise MissingValueError(
                    [name for name, gap in zip(self.feature_names, missing, strict=True) if gap]
                )
        return self.preprocessing.apply(X)

    def raw_score(self, X: np.ndarray) -> np.ndarray:
        return self.standardised(X) @ self.coef + self.intercept

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return sigmoid(self.raw_score(X))

    def contributions(self, X: np.ndarray) -> np.ndarray:
        z = self.standardised(X)
        out = np.empty((len(z), len(self.feature_names) + 1))
        np.multiply(z, self.coef, out=out[:, :-1])
        out[:, -1] = self.intercept
        return out

    def to_json(self) -> dict[str, Any]:
        """The content of `serving/model.json`."""
        return {
            "kind": KIND,
            "features": list(self.feature_names),
            **self.preprocessing.to_json(),
            "coef": self.coef.tolist(),
            "intercept": self.intercept,
        }

    def dumps(self) -> str:
        # json writes floats with repr(), which reads back to the same float64 bit for bit.
        return json.dumps(self.to_json(), allow_nan=False) + "\n"

    @classmethod
    def from_json(cls, data: object) -> LinearModel:
        """Build from the parsed `serving/model.json`; raises ValueError naming a malformed field."""
        if not isinstance(data, dict) or data.get("kind") != KIND:
            raise ValueError(f'must be a JSON object with "kind": "{KIND}"')
        names = data.get("features")
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise ValueError("features must be a list of feature names")
        intercept = finite_vector([data.get("intercept")], "intercept", 1)[0]
        return cls(
            names,
            finite_vector(data.get("coef"), "coef", len(names)),
            intercept,
            Preprocessing.from_json(data, len(names)),
        )
