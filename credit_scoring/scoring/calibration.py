"""The map from a model's raw score (log-odds) to a calibrated probability: `serving/calibration.json`.

Class weights and resampling make a model rank clients well but overstate their risk; training fits this
monotone map on out-of-fold scores so that the probability served is the default rate observed among
clients with that score. Being monotone, it changes neither the ranking nor the reasons' order or sign.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np

from credit_scoring.scoring.model import finite_vector, sigmoid

CalibrationMethod = Literal["none", "sigmoid", "isotonic"]
METHODS: Final[tuple[CalibrationMethod, ...]] = ("none", "sigmoid", "isotonic")


@dataclass(frozen=True)
class Calibration:
    """p = sigmoid(raw) for "none"; sigmoid(slope · raw + intercept) for "sigmoid" (Platt scaling);
    linear interpolation of (raw_knots, probability_knots), flat beyond the ends, for "isotonic" (the
    arithmetic of scikit-learn's IsotonicRegression with out_of_bounds="clip")."""

    method: CalibrationMethod = "none"
    slope: float = 1.0
    intercept: float = 0.0
    raw_knots: np.ndarray | None = None
    probability_knots: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, got {self.method!r}")
        if self.method == "isotonic":
            x, y = self.raw_knots, self.probability_knots
            if x is None or y is None or x.ndim != 1 or x.shape != y.shape or x.size < 1:
                raise ValueError("isotonic calibration needs raw_knots and probability_knots of one length")
            if bool(np.any(np.diff(x) < 0)) or bool(np.any(np.diff(y) < 0)):
                raise ValueError("isotonic knots must be non-decreasing in both raw score and probability")
            if bool(np.any((y < 0) | (y > 1))):
                raise ValueError("isotonic probability_knots must lie between 0 and 1")

    @property
    def calibrated(self) -> bool:
        return self.method != "none"

    def probability(self, raw: np.ndarray) -> np.ndarray:
        """Calibrated probability of default for raw scores in log-odds, same shape."""
        raw = np.asarray(raw, dtype=np.float64)
        if self.method == "sigmoid":
            return sigmoid(self.slope * raw + self.intercept)
        if self.method == "isotonic":
            return np.interp(raw, self.raw_knots, self.probability_knots)
        return sigmoid(raw)

    def to_json(self) -> dict[str, Any]:
        """The content of `serving/calibration.json`."""
        if self.raw_knots is not None and self.probability_knots is not None:
            return {
                "method": self.method,
                "raw_knots": self.raw_knots.tolist(),
                "probability_knots": self.probability_knots.tolist(),
            }
        if self.method == "sigmoid":
            return {"method": self.method, "slope": self.slope, "intercept": self.intercept}
        return {"method": self.method}

    def dumps(self) -> str:
        # json writes floats with repr(), which reads back to the same float64 bit for bit.
        return json.dumps(self.to_json(), allow_nan=False) + "\n"

    @classmethod
    def from_json(cls, data: object) -> Calibration:
        """Build from the parsed `serving/calibration.json`; raises ValueError naming a malformed field."""
        if not isinstance(data, Mapping) or data.get("method") not in METHODS:
            raise ValueError(f"must be a JSON object with a method among {', '.join(METHODS)}")
        method = data["method"]
        if method == "sigmoid":
            pair = [data.get("slope"), data.get("intercept")]
            slope, intercept = finite_vector(pair, "slope and intercept", 2)
            return cls(method, slope=float(slope), intercept=float(intercept))
        if method == "isotonic":
            knots = data.get("raw_knots")
            length = len(knots) if isinstance(knots, list) else -1
            return cls(
                method,
                raw_knots=finite_vector(knots, "raw_knots", length),
                probability_knots=finite_vector(data.get("probability_knots"), "probability_knots", length),
            )
        return cls()


UNCALIBRATED: Final = Calibration()
