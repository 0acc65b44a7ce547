"""Calibrate a candidate's probabilities on its out-of-fold scores, the method chosen by cross-validation.

Each out-of-fold score comes from a model that never saw that client, so a calibrator fitted on them
never learns from rows its model was fitted on. The method (Platt's sigmoid or isotonic regression) is
chosen by the Brier score of cross-fitted calibrations over the search's own folds: each fold's clients
are calibrated by a map fitted on the other folds' scores. Those cross-fitted probabilities are the ones
the threshold is chosen on; the map kept for serving is then fitted on every out-of-fold score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, log_loss

from credit_scoring.scoring.calibration import Calibration

METHODS: Final = ("sigmoid", "isotonic")
PROBABILITY_FLOOR: Final = 1e-15
"""Probabilities are clipped this far from 0 and 1 before their log-odds are taken."""


def log_odds(probability: np.ndarray) -> np.ndarray:
    """The raw score a probability comes from, finite for probabilities of exactly 0 or 1."""
    p = np.clip(np.asarray(probability, dtype=np.float64), PROBABILITY_FLOOR, 1.0 - PROBABILITY_FLOOR)
    return np.log(p) - np.log1p(-p)


def fit_calibrator(method: str, raw: np.ndarray, y: np.ndarray) -> Any:
    """A fitted scikit-learn map from raw scores to P(default): Platt's logistic fit or isotonic."""
    if method == "sigmoid":
        return LogisticRegression(C=np.inf).fit(raw.reshape(-1, 1), y)
    if method == "isotonic":
        return IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(raw, y)
    raise ValueError(f"calibration method must be one of {', '.join(METHODS)}, got {method!r}")


def calibrated_probability(calibrator: Any, raw: np.ndarray) -> np.ndarray:
    """P(default) from a fitted calibrator of `fit_calibrator`."""
    if isinstance(calibrator, LogisticRegression):
        return calibrator.predict_proba(raw.reshape(-1, 1))[:, 1]
    return np.asarray(calibrator.predict(raw), dtype=np.float64)


def serving_calibration(calibrator: Any) -> Calibration:
    """The numpy form of a fitted calibrator, which serving applies to the model's raw score."""
    if isinstance(calibrator, LogisticRegression):
        slope, intercept = float(calibrator.coef_[0, 0]), float(calibrator.intercept_[0])
        return Calibration("sigmoid", slope=slope, intercept=intercept)
    return Calibration(
        "isotonic",
        raw_knots=np.asarray(calibrator.X_thresholds_, dtype=np.float64),
        probability_knots=np.asarray(calibrator.y_thresholds_, dtype=np.float64),
    )


@dataclass(frozen=True)
class CalibrationChoice:
    """The method kept, the cross-fitted probabilities it gives, and every method's cross-fitted scores."""

    method: str
    calibrator: Any
    """Fitted on every out-of-fold score: the map the refitted model is served with."""
    oof: np.ndarray
    """Cross-fitted calibrated probabilities of every training client."""
    scores: dict[str, dict[str, float]]
    """Per method: Brier score and log loss of its cross-fitted probabilities."""

    @property
    def brier(self) -> float:
        """The kept method's cross-fitted Brier score."""
        return self.scores[self.method]["brier"]


Folds = Sequence[tuple[np.ndarray, np.ndarray]]


def cross_fitted(method: str, raw: np.ndarray, y: np.ndarray, folds: Folds) -> np.ndarray:
    """Each fold's clients calibrated by a map fitted on the other folds' out-of-fold scores."""
    out = np.empty(y.size)
    for train, validation in folds:
        calibrator = fit_calibrator(method, raw[train], y[train])
        out[validation] = calibrated_probability(calibrator, raw[validation])
    return out


def choose_calibration(oof_probability: np.ndarray, y: np.ndarray, folds: Folds) -> CalibrationChoice:
    """The method whose cross-fitted probabilities have the lowest Brier score (ties: sigmoid, the
    smoother map), refitted on every out-of-fold score."""
    raw = log_odds(oof_probability)
    scores: dict[str, dict[str, float]] = {}
    probabilities = {}
    for method in METHODS:
        probability = cross_fitted(method, raw, y, folds)
        probabilities[method] = probability
        scores[method] = {
            "brier": float(brier_score_loss(y, probability)),
            "log_loss": float(log_loss(y, np.clip(probability, PROBABILITY_FLOOR, 1 - PROBABILITY_FLOOR))),
        }
    method = min(METHODS, key=lambda name: scores[name]["brier"])
    return CalibrationChoice(method, fit_calibrator(method, raw, y), probabilities[method], scores)


class CalibratedPipeline:
    """A fitted pipeline followed by its calibrator: what `model.joblib` keeps, and what the export checks
    the serving form against (scikit-learn's predict_proba convention)."""

    def __init__(self, pipeline: Any, calibrator: Any, method: str) -> None:
        self.pipeline = pipeline
        self.calibrator = calibrator
        self.method = method

    @property
    def classes_(self) -> np.ndarray:
        return self.pipeline.classes_

    def __getattr__(self, name: str) -> Any:
        # feature_names_in_ and the like are the pipeline's own; the guard keeps unpickling safe.
        if name in ("pipeline", "calibrator", "method"):
            raise AttributeError(name)
        return getattr(self.pipeline, name)

    def uncalibrated_proba(self, X: Any) -> np.ndarray:
        return np.asarray(self.pipeline.predict_proba(X), dtype=np.float64)[:, 1]

    def predict_proba(self, X: Any) -> np.ndarray:
        p = calibrated_probability(self.calibrator, log_odds(self.uncalibrated_proba(X)))
        return np.column_stack([1.0 - p, p])
