"""Import the predecessor's pickled scikit-learn model into a bundle that serving can trust.

The only place where a pickle is ever loaded: offline, once, from files the operator names. The model
(LogisticRegression, or a Pipeline of a scaler and a linear model), an optional separate StandardScaler
and a CSV of precomputed features keyed by SK_ID_CURR become a bundle of kind "linear" whose store is
the CSV, checked against the unpickled model's own predict_proba to 1e-9 on every client. The bundle's
features cannot be computed from an application (`application_features: null`), so serving answers
stored clients only.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from credit_scoring import schema
from credit_scoring.bundle.manifest import Manifest

IMPORTED_GROUP: Final = "imported"
"""Feature group of every imported feature (their origin is the predecessor's feature engineering)."""
DEFAULT_COST: Final = {"fn": 10.0, "fp": 1.0}
_BOOLEANS: Final = {"True": 1.0, "False": 0.0, "true": 1.0, "false": 0.0}


class SeedImportError(ValueError):
    """The files given cannot make a faithful bundle; the message names the file, column or row."""


@dataclass(frozen=True)
class ImportResult:
    """The bundle written, and the notices the operator must see (e.g. scikit-learn version skew)."""

    manifest: Manifest
    notices: tuple[str, ...]


def import_sklearn(
    *,
    model_path: Path,
    features_path: Path,
    threshold: float,
    out_dir: Path,
    scaler_path: Path | None = None,
    cost: dict[str, float] | None = None,
    overwrite: bool = False,
) -> ImportResult:
    """Write a bundle from the predecessor's pickles and feature CSV; raises SeedImportError, and then
    nothing is written."""
    from sklearn.base import BaseEstimator, is_classifier
    from sklearn.pipeline import make_pipeline

    from credit_scoring.training.bundle_writer import write_bundle
    from credit_scoring.training.export import ExportError
    from credit_scoring.training.model_card import uncalibrated_card

    if not 0.0 <= threshold <= 1.0:
        raise SeedImportError(f"--threshold must be a probability between 0 and 1, got {threshold}")
    if Path(out_dir).exists() and not overwrite:
        raise SeedImportError(f"{out_dir} already exists (choose another --out, or --overwrite)")
    inputs = [path for path in (model_path, scaler_path, features_path) if path is not None]
    for path in inputs:
        if not Path(path).is_file():
            raise SeedImportError(f"{path}: no such file")
    ids, frame, target = read_feature_csv(features_path)

    notices: list[str] = []
    model = _unpickle(model_path, notices)
    # is_classifier needs an estimator: anything else (a dict, an array) is refused before it is asked.
    if (
        not isinstance(model, BaseEstimator)
        or not is_classifier(model)
        or not hasattr(model, "predict_proba")
    ):
        raise SeedImportError(f"{model_path}: holds a {type(model).__name__}, not a probabilistic classifier")
    pipeline = model
    if scaler_path is not None:
        scaler = _unpickle(scaler_path, notices)
        if not isinstance(scaler, BaseEstimator) or not hasattr(scaler, "transform") or is_classifier(scaler):
            raise SeedImportError(f"{scaler_path}: holds a {type(scaler).__name__}, not a fitted scaler")
        pipeline = make_pipeline(scaler, model)
    frame = _fitted_order(pipeline, frame, features_path)

    try:
        manifest = write_bundle(
            out_dir,
            pipeline=pipeline,
            features=tuple(frame.columns),
            groups=(IMPORTED_GROUP,) * frame.shape[1],
            ids=ids,
            X=frame.to_numpy(dtype=np.float64),
            threshold=threshold,
            cost=cost or DEFAULT_COST,
            data_fingerprint=_fingerprint(inputs),
            protected=None,
            imbalance="class_weight" if getattr(_classifier(pipeline), "class_weight", None) else None,
            population=_population(frame, target),
            provenance={
                "imported_from": {
                    role: Path(p).name for role, p in _roles(model_path, scaler_path, features_path)
                },
                "notices": notices,
            },
            model_card=uncalibrated_card(
                "the predecessor's model, served as it was: its probabilities come from a class-weighted "
                "logistic regression and were never calibrated, so they overstate the risk of default"
            ),
            overwrite=overwrite,
        )
    except ExportError as error:
        raise SeedImportError(f"{model_path}: {error}") from None
    return ImportResult(manifest, tuple(notices))


def read_feature_csv(path: Path) -> tuple[np.ndarray, pd.DataFrame, np.ndarray | None]:
    """(ids, numeric features, TARGET or None) of the predecessor's CSV; SeedImportError naming the
    file, column and CSV line of the first problem. Booleans True/False become 1/0."""
    try:
        frame = pd.read_csv(path, low_memory=False)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError, OSError) as error:
        raise SeedImportError(f"{path}: not a readable CSV file ({error})") from None
    if schema.CLIENT_ID not in frame.columns:
        raise SeedImportError(f"{path}: the {schema.CLIENT_ID} column is missing")
    if frame.columns.duplicated().any():
        raise SeedImportError(f"{path}: column {frame.columns[frame.columns.duplicated()][0]} appears twice")
    if frame.empty:
        raise SeedImportError(f"{path}: no client rows")
    ids = _ids(frame[schema.CLIENT_ID], path)
    target = None
    if schema.TARGET in frame.columns:
        target = frame[schema.TARGET].to_numpy()
        if not np.isin(target, (0, 1)).all():
            raise SeedImportError(f"{path}: column {schema.TARGET} must hold 0 or 1 on every line")
        target = target.astype(np.int64)
    features = frame.drop(columns=[schema.CLIENT_ID, schema.TARGET], errors="ignore")
    if features.shape[1] == 0:
        raise SeedImportError(f"{path}: no feature columns besides {schema.CLIENT_ID}")
    return ids, pd.DataFrame({c: _numbers(features[c], c, path) for c in features.columns}), target


def _ids(column: pd.Series, path: Path) -> np.ndarray:
    numbers = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(numbers) | (numbers != np.round(numbers)) | (numbers < 1)
    if bad.any():
        raise SeedImportError(
            f"{path}: {schema.CLIENT_ID} on line {_line(bad)} is not a positive whole number"
        )
    ids = numbers.astype(np.int64)
    duplicated = pd.Index(ids).duplicated()
    if duplicated.any():
        raise SeedImportError(
            f"{path}: {schema.CLIENT_ID} {ids[duplicated][0]} appears twice "
            f"(again on line {_line(duplicated)})"
        )
    return ids


def _numbers(column: pd.Series, name: str, path: Path) -> np.ndarray:
    """One feature column as float64: numbers as they are, booleans as 1/0; anything else is an error."""
    if column.dtype == bool:
        return column.to_numpy(dtype=np.float64)
    values = column.map(lambda v: _BOOLEANS.get(v, v) if isinstance(v, str) else v)
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(numbers)
    if bad.any():
        what = "missing" if pd.isna(column.to_numpy()[bad][0]) else "not a number (nor True/False)"
        raise SeedImportError(f"{path}: column {name}, line {_line(bad)}: the value is {what}")
    return numbers


def _line(mask: np.ndarray) -> int:
    """CSV line number of the first flagged row (line 1 is the header)."""
    return int(np.argmax(mask)) + 2


def _unpickle(path: Path, notices: list[str]) -> Any:
    """joblib.load a trusted pickle, turning scikit-learn version skew into a notice for the operator.

    A pickle written by another scikit-learn version may not behave the same: the notice says so, and the
    export check below (served vs unpickled predictions on every client) is what shows whether it does.
    """
    import joblib
    from sklearn.exceptions import InconsistentVersionWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InconsistentVersionWarning)
        try:
            loaded = joblib.load(path)
        except Exception as error:  # unpickling can fail with any exception the pickled code raises
            raise SeedImportError(
                f"{path}: not a loadable joblib pickle ({type(error).__name__}: {error})"
            ) from None
    for warning in caught:
        message = warning.message
        if isinstance(message, InconsistentVersionWarning):
            notices.append(
                f"{Path(path).name}: {message.estimator_name} was pickled by scikit-learn "
                f"{message.original_sklearn_version} and loaded by {message.current_sklearn_version}"
            )
        else:
            warnings.warn_explicit(message, warning.category, warning.filename, warning.lineno)
    return loaded


def _classifier(pipeline: Any) -> Any:
    return pipeline.steps[-1][1] if hasattr(pipeline, "steps") else pipeline


def _fitted_order(pipeline: Any, frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """The CSV's features in the order the model was fitted on, checking their number and names."""
    expected = getattr(pipeline, "n_features_in_", None)
    if expected is not None and expected != frame.shape[1]:
        raise SeedImportError(
            f"{path}: has {frame.shape[1]} feature columns but the model was fitted on {expected} features"
        )
    names = getattr(pipeline, "feature_names_in_", None)
    if names is None:
        return frame
    missing = [name for name in names if name not in frame.columns]
    if missing:
        raise SeedImportError(f"{path}: column {missing[0]}, which the model was fitted on, is missing")
    return frame[list(names)]


def _fingerprint(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: Path(p).name):
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


def _roles(model: Path, scaler: Path | None, features: Path) -> list[tuple[str, Path]]:
    return [
        (role, path) for role, path in (("model", model), ("scaler", scaler), ("features", features)) if path
    ]


def _population(frame: pd.DataFrame, target: np.ndarray | None) -> dict[str, Any] | None:
    """Dashboard summaries when the CSV is labelled (only the variables it holds as raw columns)."""
    if target is None:
        return None
    from credit_scoring.bundle.population import build_population

    return build_population(frame.to_numpy(dtype=np.float64), tuple(frame.columns), target)
