"""Scoring labelled clients with a bundle exactly as serving would, and measuring the decisions.

The bundle is verified and opened by the serving loader, the features are computed by the one feature
definition, and the decisions come from the serving `Scorer` (the pickle-free model, never
`model.joblib`), so an evaluation measures what the API answers. The figures are those of training's
test split (`metrics.decision_metrics`) at the bundle's own threshold and cost weights.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import numpy as np

from credit_scoring import schema
from credit_scoring.training.cost import CostWeights
from credit_scoring.training.errors import TrainingError
from credit_scoring.training.fingerprint import data_fingerprint
from credit_scoring.training.metrics import calibration_metrics, decision_metrics, format_rate

CHUNK_ROWS: Final = 2048
"""Rows scored at a time: bounds the memory of the (rows, features + 1) contribution matrix."""


def _columns(names: tuple[str, ...], expected: tuple[str, ...]) -> np.ndarray:
    """Where each of the bundle's features is among the computed ones; refuses a different feature set."""
    position = {name: index for index, name in enumerate(names)}
    missing = [name for name in expected if name not in position]
    if missing:
        raise TrainingError(
            f"the bundle's model reads features this version does not compute ({', '.join(missing[:5])}"
            f"{', …' if len(missing) > 5 else ''}): evaluate it with the code version that trained it"
        )
    return np.array([position[name] for name in expected], dtype=np.int64)


def evaluate(bundle_dir: Path, data_dir: Path, application_only: bool = False) -> dict[str, Any]:
    """Metrics of the bundle's decisions on the labelled clients of `data_dir` (see the module docstring).

    Raises BundleError (the bundle does not verify), DataError (unusable data), TrainingError (no TARGET,
    or a bundle whose features cannot be computed from application data).
    """
    from credit_scoring.bundle.loader import load_bundle
    from credit_scoring.data import load_tables, table_paths
    from credit_scoring.training.feature_frame import build_features

    bundle = load_bundle(Path(bundle_dir))
    manifest = bundle.manifest
    if manifest.protected is None:
        raise TrainingError(
            f"{bundle_dir}: this bundle's model (imported, application_features null) reads features that "
            "cannot be computed from application data, so it cannot be evaluated on a data directory"
        )
    history = not application_only
    fingerprint = data_fingerprint(list(table_paths(Path(data_dir), history=history).values()))
    frame = build_features(load_tables(Path(data_dir), history=history), manifest.protected)
    if frame.target is None:
        raise TrainingError(f"{schema.APPLICATION}.csv: no {schema.TARGET} column, so nothing to measure")
    X = frame.X[:, _columns(frame.names, manifest.feature_names)]
    probability = np.concatenate(
        [
            [decision.probability for decision in bundle.scorer.decide(X[start : start + CHUNK_ROWS])]
            for start in range(0, len(X), CHUNK_ROWS)
        ]
    )
    metrics = decision_metrics(frame.target, probability, manifest.threshold, CostWeights(**manifest.cost))
    return {
        **metrics,
        "calibration": calibration_metrics(frame.target, probability),
        "calibrated": bundle.scorer.calibration.calibrated,
        "cost": dict(manifest.cost),
        "model_version": manifest.model_version,
        "data_fingerprint": fingerprint,
    }


def summary_lines(result: dict[str, Any]) -> list[str]:
    """The human summary `evaluate` prints before its JSON line."""
    matrix = result["confusion_matrix"]
    calibration = result["calibration"]
    auc = "undefined (one class only)" if result["auc"] is None else f"{result['auc']:.4f}"
    cost = result["cost"]
    return [
        f"model {result['model_version']} on {result['n']:,} labelled clients",
        f"AUC {auc}",
        f"business cost {result['business_cost']:.4f} per client "
        f"(fn={cost['fn']:g}, fp={cost['fp']:g}, threshold {result['threshold']:.3f})",
        f"confusion matrix: TN {matrix['tn']}  FP {matrix['fp']}  FN {matrix['fn']}  TP {matrix['tp']}",
        f"precision {format_rate(result['precision'])}, recall {format_rate(result['recall'])}",
        f"{'calibrated' if result['calibrated'] else 'uncalibrated'} probabilities: Brier "
        f"{calibration['brier']:.4f} (base rate {calibration['brier_base_rate']:.4f}), ECE "
        f"{calibration['ece']:.4f}, mean predicted {calibration['mean_probability']:.4f} against "
        f"{calibration['default_rate']:.4f} observed",
    ]
