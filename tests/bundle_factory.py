"""Small but real bundles for tests: random applications, a fitted pipeline, the real export and writer.

`build_test_bundle` draws application-like clients (every application column, within its plausible
range, with missing values and the DAYS_EMPLOYED placeholder), computes the real features (history
features are all missing: no history tables), fits a real imbalanced-learn pipeline and writes a
complete bundle through `credit_scoring.training.bundle_writer.write_bundle`: store, applications, population,
manifest. Nothing here is mocked: a test that uses it exercises the same code as production.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from credit_scoring import schema

PROTECTED = ("CODE_GENDER",)
THRESHOLD = 0.5
COST = {"fn": 10.0, "fp": 1.0}


def build_test_bundle(
    out_dir: Path,
    kind: Literal["linear", "lightgbm"] = "linear",
    n_clients: int = 300,
    seed: int = 0,
    calibrated: bool = True,
    applications: pd.DataFrame | None = None,
) -> Path:
    """Write a complete bundle of `n_clients` random clients with a fitted `kind` model; returns out_dir.

    `calibrated` follows the model with a calibrator fitted on its out-of-fold scores, as training does.
    `applications` (application_train rows, e.g. real ones) replaces the random clients."""
    from credit_scoring.bundle.population import build_population
    from credit_scoring.training.bundle_writer import ReferencePopulation, write_bundle
    from credit_scoring.training.feature_frame import build_features
    from credit_scoring.training.feature_population import build_feature_population

    if applications is None:
        applications = random_applications(n_clients, seed)
    frame = build_features({schema.APPLICATION: applications}, protected=PROTECTED)
    pipeline = _pipeline(kind, seed)
    threshold = THRESHOLD
    if calibrated:
        pipeline, threshold = _calibrated(pipeline, frame.X, frame.target, seed)
    else:
        pipeline.fit(frame.X, frame.target)
    probabilities = pipeline.predict_proba(frame.X)[:, 1]
    write_bundle(
        out_dir,
        pipeline=pipeline,
        features=frame.names,
        groups=frame.groups,
        ids=frame.ids,
        X=frame.X,
        threshold=threshold,
        cost=COST,
        data_fingerprint=hashlib.sha256(pd.util.hash_pandas_object(applications).to_numpy()).hexdigest(),
        protected=PROTECTED,
        imbalance="random_under_sampling",
        metrics={"train": _metrics(frame.target, probabilities, threshold)},
        candidates=[{"name": f"{kind}-under", "estimator": kind, "champion": True}],
        applications=frame.applications,
        population=build_population(frame.X, frame.names, frame.target, seed=seed),
        feature_population=build_feature_population(frame.X, frame.names, frame.target),
        model_card=_card(pipeline, frame, probabilities, threshold, seed) if calibrated else None,
        reference=ReferencePopulation(frame.ids, frame.X, frame.applications),
    )
    return Path(out_dir)


def _card(pipeline: object, frame: object, probabilities: np.ndarray, threshold: float, seed: int) -> dict:
    """The model card training writes, here on the fixture's own clients."""
    from credit_scoring.training.cost import CostWeights
    from credit_scoring.training.fairness import fairness_report, protected_groups
    from credit_scoring.training.model_card import model_card

    fairness = fairness_report(
        frame.target, probabilities, threshold, protected_groups(frame.applications, PROTECTED)
    )
    calibration = {"method": pipeline.method, "calibrated": True, "cv": {}}
    return model_card(
        frame.target, probabilities, threshold, CostWeights(**COST), calibration, fairness, seed, 100
    )


def random_applications(n_clients: int, seed: int = 0) -> pd.DataFrame:
    """An application_train-shaped table of random clients whose default depends on plausible factors."""
    rng = np.random.default_rng(seed)
    columns: dict[str, np.ndarray] = {}
    for column, kind in schema.TABLES[schema.APPLICATION].items():
        if kind == schema.CATEGORY:
            vocabulary = np.array(schema.APPLICATION_CATEGORIES[column], dtype=object)
            values = vocabulary[rng.integers(0, len(vocabulary), n_clients)]
            values[rng.random(n_clients) < 0.1] = None
            columns[column] = values
        elif column not in (schema.CLIENT_ID, schema.TARGET):
            columns[column] = _numeric(column, kind, rng, n_clients)
    columns["CODE_GENDER"] = np.where(rng.random(n_clients) < 0.6, "F", "M").astype(object)
    ext = np.nan_to_num(columns["EXT_SOURCE_2"], nan=0.5) + np.nan_to_num(columns["EXT_SOURCE_3"], nan=0.5)
    age = -columns["DAYS_BIRTH"] / 365.25
    logit = (
        1.0 - 3.0 * ext - 0.03 * (age - 40.0) + 0.8 * (columns["AMT_ANNUITY"] / columns["AMT_INCOME_TOTAL"])
    )
    target = (rng.random(n_clients) < 1.0 / (1.0 + np.exp(-logit))).astype(np.int64)
    ids = rng.choice(np.arange(100_000, 1_000_000), size=n_clients, replace=False)
    frame = pd.DataFrame({schema.CLIENT_ID: ids, schema.TARGET: target, **columns})
    return frame[list(schema.TABLES[schema.APPLICATION])]


def _numeric(column: str, kind: str, rng: np.random.Generator, n: int) -> np.ndarray:
    """Plausible values of one numeric column, some missing (building information mostly)."""
    low, high = schema.APPLICATION_RANGES[column]
    if column.startswith("AMT_") and not column.startswith("AMT_REQ_"):
        values = np.round(rng.lognormal(11.5 if column != "AMT_ANNUITY" else 10.0, 0.5, n), 1)
    elif column == "DAYS_BIRTH":
        values = -np.round(rng.uniform(21 * 365.25, 69 * 365.25, n))
    elif column.startswith("DAYS_"):
        values = -np.round(rng.uniform(0.0, 12_000.0, n))
        if column == "DAYS_EMPLOYED":
            values[rng.random(n) < 0.15] = schema.DAYS_EMPLOYED_ANOMALY
    elif high <= 1.0:
        values = rng.integers(0, 2, n).astype(np.float64) if kind == schema.INT else rng.uniform(low, high, n)
    else:
        values = np.round(rng.uniform(low, min(high, low + 5.0), n))
    missing_rate = 0.6 if column.endswith(("_AVG", "_MODE", "_MEDI")) or column == "OWN_CAR_AGE" else 0.05
    if column in ("DAYS_BIRTH", "AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY") or kind == schema.INT:
        missing_rate = 0.0
    return np.where(rng.random(n) < missing_rate, np.nan, values.astype(np.float64))


def _pipeline(kind: str, seed: int) -> object:
    from imblearn.pipeline import Pipeline
    from imblearn.under_sampling import RandomUnderSampler

    sampler = ("sample", RandomUnderSampler(random_state=seed))
    if kind == "linear":
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler

        return Pipeline(
            [
                # No history tables here: their never-observed features are imputed with 0 and kept.
                ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
                ("scale", StandardScaler()),
                sampler,
                ("model", LogisticRegression(C=0.1, max_iter=1000)),
            ]
        )
    if kind == "lightgbm":
        from lightgbm import LGBMClassifier

        model = LGBMClassifier(
            n_estimators=30, num_leaves=8, min_child_samples=10, random_state=seed, verbose=-1, n_jobs=1
        )
        return Pipeline([sampler, ("model", model)])
    raise ValueError(f"kind must be 'linear' or 'lightgbm', got {kind!r}")


def _calibrated(pipeline: object, X: np.ndarray, y: np.ndarray, seed: int) -> tuple[object, float]:
    """`pipeline` fitted on every client with the calibration training's search would choose for it, and
    the threshold training would choose on the calibrated out-of-fold probabilities."""
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold

    from credit_scoring.training.calibration import CalibratedPipeline, choose_calibration
    from credit_scoring.training.cost import CostWeights, calibrated_threshold

    folds = list(StratifiedKFold(3, shuffle=True, random_state=seed).split(X, y))
    oof = np.empty(y.size)
    for train, validation in folds:
        oof[validation] = clone(pipeline).fit(X[train], y[train]).predict_proba(X[validation])[:, 1]
    choice = choose_calibration(oof, y, folds)
    threshold = calibrated_threshold(y, choice.oof, CostWeights(**COST)).threshold
    return CalibratedPipeline(pipeline.fit(X, y), choice.calibrator, choice.method), threshold


def _metrics(target: np.ndarray, probabilities: np.ndarray, threshold: float) -> dict[str, object]:
    """The metrics block of a test bundle (on its own training clients: it is a fixture, not a model)."""
    from sklearn.metrics import roc_auc_score

    predicted = probabilities >= threshold
    matrix = {
        "tn": int(np.sum(~predicted & (target == 0))),
        "fp": int(np.sum(predicted & (target == 0))),
        "fn": int(np.sum(~predicted & (target == 1))),
        "tp": int(np.sum(predicted & (target == 1))),
    }
    return {
        "auc": float(roc_auc_score(target, probabilities)),
        "business_cost": (COST["fn"] * matrix["fn"] + COST["fp"] * matrix["fp"]) / len(target),
        "confusion_matrix": matrix,
        "precision": matrix["tp"] / max(1, matrix["tp"] + matrix["fp"]),
        "recall": matrix["tp"] / max(1, matrix["tp"] + matrix["fn"]),
        "n": len(target),
    }
