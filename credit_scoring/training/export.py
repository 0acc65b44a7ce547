"""Export a fitted pipeline to its pickle-free serving form, and prove the two agree.

Supported pipelines (scikit-learn or imbalanced-learn `Pipeline`, or a bare classifier):

    [SimpleImputer] → [StandardScaler] → [sampler(s)] → LogisticRegression | LGBMClassifier

Samplers (anything with `fit_resample`) act only while fitting, so they are skipped. Features that
SimpleImputer drops (never observed in training) get a zero coefficient, or are simply not read by the
booster. Anything else is refused with an `ExportError` naming the step.

A `CalibratedPipeline` (the pipeline, then a calibrator of its raw score) exports the pipeline as above
and the calibrator as the serving `Calibration`.

The check: the serving model's probability, and the probability the Scorer derives from the
contributions (the calibration of their sum), are compared with the pipeline's `predict_proba` on every
row given (every client of the store); a difference above the tolerance aborts the export. For LightGBM,
the stored clients' contributions come from LightGBM's own `pred_contrib`, and the numpy TreeSHAP used
for new applications is compared with them on a spread sample of rows to the same tolerance.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from credit_scoring.bundle.manifest import ModelKind
from credit_scoring.scoring.calibration import UNCALIBRATED, Calibration
from credit_scoring.scoring.linear import LinearModel
from credit_scoring.scoring.model import MissingValueError, Preprocessing
from credit_scoring.scoring.trees import TreeEnsemble
from credit_scoring.training.calibration import CalibratedPipeline, serving_calibration

TOLERANCE: Final = 1e-9
SHAP_CHECK_ROWS: Final = 200
"""Rows on which the numpy TreeSHAP is compared with LightGBM's (a sample: the check is per row)."""


class ExportError(ValueError):
    """The pipeline cannot be exported, or its serving form does not reproduce it."""


@dataclass(frozen=True)
class ExportedModel:
    """A serving model with the stored clients' contributions and the evidence that it is faithful."""

    model: LinearModel | TreeEnsemble
    kind: ModelKind
    estimator: str
    params: dict[str, Any]
    calibration: Calibration
    contributions: np.ndarray
    """(n, p + 1) for the rows exported against, last column the base value."""
    max_abs_diff: float
    """Largest |pipeline probability − served probability| over those rows (both serving paths)."""
    rows_checked: int
    tolerance: float


@dataclass(frozen=True)
class _Steps:
    preprocessing: Preprocessing
    kept: np.ndarray
    """Indices of the features the classifier reads (SimpleImputer drops never-observed ones)."""
    classifier: Any


def export_pipeline(
    pipeline: Any, feature_names: Sequence[str], X: np.ndarray, *, tolerance: float = TOLERANCE
) -> ExportedModel:
    """Convert a fitted pipeline to its serving form and check it on every row of X (see module doc)."""
    names = tuple(feature_names)
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != len(names) or len(X) == 0:
        raise ExportError(f"X must have one column per feature ({len(names)}) and at least one row")
    if isinstance(pipeline, CalibratedPipeline):
        calibration = serving_calibration(pipeline.calibrator)
        steps = _read_steps(pipeline.pipeline, len(names))
    else:
        calibration = UNCALIBRATED
        steps = _read_steps(pipeline, len(names))
    classifier = steps.classifier
    _check_binary(classifier)
    estimator = type(classifier).__name__
    model: LinearModel | TreeEnsemble
    if estimator == "LogisticRegression":
        model = _linear(names, steps)
        contributions = _served(model.contributions, X)
        kind: ModelKind = "linear"
    elif estimator == "LGBMClassifier":
        model = TreeEnsemble(
            names, classifier.booster_.model_to_string(), steps.preprocessing, steps.kept.tolist()
        )
        contributions = _lightgbm_contributions(model, classifier, steps, X)
        _check_tree_shap(model, X, contributions, tolerance)
        kind = "lightgbm"
    else:
        raise ExportError(
            f"the final estimator {estimator} has no serving form: LogisticRegression or LGBMClassifier"
        )
    expected = _pipeline_probability(pipeline, names, X)
    served = calibration.probability(_served(model.raw_score, X))
    from_contributions = calibration.probability(contributions.sum(axis=1))
    differences = np.maximum(np.abs(served - expected), np.abs(from_contributions - expected))
    worst = int(np.argmax(differences))
    if not differences[worst] <= tolerance:  # also catches NaN
        raise ExportError(
            f"the serving form differs from the pipeline by {differences[worst]:.3g} on row {worst} "
            f"(tolerance {tolerance:g}): the export is not faithful and was not written"
        )
    return ExportedModel(
        model=model,
        kind=kind,
        estimator=estimator,
        params=_json_params(classifier.get_params()),
        calibration=calibration,
        contributions=contributions,
        max_abs_diff=float(differences[worst]),
        rows_checked=len(X),
        tolerance=tolerance,
    )


def _read_steps(pipeline: Any, n_features: int) -> _Steps:
    """The preprocessing before the classifier, as one Preprocessing over all features."""
    named = list(getattr(pipeline, "steps", [("classifier", pipeline)]))
    named = [(name, step) for name, step in named if step is not None and step != "passthrough"]
    *transformers, (_, classifier) = named
    kept = np.arange(n_features)
    impute = center = scale = None
    for name, step in transformers:
        kind = type(step).__name__
        if hasattr(step, "fit_resample") and not hasattr(step, "transform"):
            continue  # a sampler: it resamples the training data only
        if kind == "SimpleImputer" and impute is None and center is None:
            impute, kept = _imputation(name, step, n_features)
        elif kind == "StandardScaler" and center is None:
            # mean_ is computed even with with_mean=False, but then not subtracted.
            center = _expand(step.mean_ if step.with_mean else None, kept, n_features, 0.0)
            scale = _expand(step.scale_ if step.with_std else None, kept, n_features, 1.0)
        else:
            raise ExportError(
                f"pipeline step {name!r} ({kind}) has no serving form: supported are SimpleImputer then "
                "StandardScaler (each at most once, in that order), samplers, and the classifier"
            )
    return _Steps(Preprocessing(impute, center, scale), kept, classifier)


def _imputation(name: str, imputer: Any, n_features: int) -> tuple[np.ndarray, np.ndarray]:
    missing = imputer.missing_values
    if not (isinstance(missing, float) and math.isnan(missing)) or imputer.add_indicator:
        raise ExportError(f"pipeline step {name!r}: only SimpleImputer(missing_values=nan) without indicator")
    statistics = np.asarray(imputer.statistics_, dtype=np.float64)
    if statistics.shape != (n_features,):
        raise ExportError(
            f"pipeline step {name!r} was fitted on {len(statistics)} features, not {n_features}"
        )
    kept = np.flatnonzero(~np.isnan(statistics))
    return np.where(np.isnan(statistics), 0.0, statistics), kept


def _expand(values: np.ndarray | None, kept: np.ndarray, n_features: int, neutral: float) -> np.ndarray:
    """Per-feature values over all features from values over the kept ones (dropped: neutral)."""
    full = np.full(n_features, neutral)
    if values is not None:
        full[kept] = values
    return full


def _linear(names: tuple[str, ...], steps: _Steps) -> LinearModel:
    classifier = steps.classifier
    coef = np.asarray(classifier.coef_, dtype=np.float64)
    if coef.shape != (1, len(steps.kept)):
        raise ExportError(
            f"LogisticRegression has coefficients of shape {coef.shape}, expected (1, {len(steps.kept)})"
        )
    return LinearModel(
        names,
        _expand(coef[0], steps.kept, len(names), 0.0),
        float(classifier.intercept_[0]),
        steps.preprocessing,
    )


def _check_binary(classifier: Any) -> None:
    classes = getattr(classifier, "classes_", None)
    if classes is None or [int(c) for c in classes] != [0, 1]:
        raise ExportError(f"{type(classifier).__name__} must be a fitted binary classifier of classes [0, 1]")


def _served(method: Callable[[np.ndarray], np.ndarray], X: np.ndarray) -> np.ndarray:
    """A serving model's output on the store; a value it cannot score is an export error."""
    try:
        return method(X)
    except MissingValueError as error:
        raise ExportError(f"the store has missing values the model cannot score: {error}") from None


def _pipeline_probability(pipeline: Any, names: tuple[str, ...], X: np.ndarray) -> np.ndarray:
    """P(default) from the fitted pipeline itself, given X as it was fitted (DataFrame or array)."""
    fitted_names = getattr(pipeline, "feature_names_in_", None)
    if fitted_names is not None and tuple(fitted_names) != names:
        raise ExportError(
            "the pipeline was fitted on other feature names (or another order) than the bundle's"
        )
    data = pd.DataFrame(X, columns=list(names)) if fitted_names is not None else X
    try:
        return np.asarray(pipeline.predict_proba(data), dtype=np.float64)[:, 1]
    except ValueError as error:
        raise ExportError(f"the pipeline cannot score the store: {error}") from None


def _lightgbm_contributions(model: TreeEnsemble, classifier: Any, steps: _Steps, X: np.ndarray) -> np.ndarray:
    """Every row's contributions from LightGBM's own TreeSHAP, mapped back to the bundle's features."""
    inputs = steps.preprocessing.apply(X)[:, steps.kept]
    reference = np.asarray(classifier.booster_.predict(inputs, pred_contrib=True), dtype=np.float64)
    out = np.zeros((len(X), len(model.feature_names) + 1))
    out[:, steps.kept] = reference[:, :-1]
    out[:, -1] = reference[:, -1]
    return model.sigmoid * out


def _check_tree_shap(model: TreeEnsemble, X: np.ndarray, reference: np.ndarray, tolerance: float) -> None:
    rows = np.unique(np.linspace(0, len(X) - 1, min(len(X), SHAP_CHECK_ROWS)).astype(np.int64))
    difference = float(np.max(np.abs(model.contributions(X[rows]) - reference[rows])))
    if not difference <= tolerance:
        raise ExportError(
            f"the numpy TreeSHAP differs from LightGBM's pred_contrib by {difference:.3g} "
            f"(tolerance {tolerance:g})"
        )


def _json_params(params: dict[str, Any]) -> dict[str, Any]:
    """The classifier's hyperparameters as JSON values (anything else, e.g. a random state, as its repr)."""
    out: dict[str, Any] = {}
    for key, value in sorted(params.items()):
        if value is None or isinstance(value, str | bool | int):
            out[key] = value
        elif isinstance(value, float):
            out[key] = value if math.isfinite(value) else repr(value)
        elif isinstance(value, dict) and all(isinstance(v, int | float | str) for v in value.values()):
            out[key] = {str(k): v for k, v in value.items()}
        else:
            out[key] = repr(value)
    return out
