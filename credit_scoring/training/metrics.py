"""What a model's decisions are worth on labelled clients: ranking quality and the errors at a threshold.

One definition serves the held-out test split at training, each fairness group, and `evaluate` on new
labelled data, so that the figures in a manifest and in an evaluation mean the same thing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from credit_scoring.training.cost import CostWeights


def auc_or_none(y_true: np.ndarray, probability: np.ndarray) -> float | None:
    """ROC AUC, or None when only one class is present (the AUC is then undefined)."""
    if np.unique(y_true).size < 2:
        return None
    return float(roc_auc_score(y_true, probability))


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def decision_metrics(
    y_true: np.ndarray, probability: np.ndarray, threshold: float, weights: CostWeights
) -> dict[str, Any]:
    """AUC, business cost per client, confusion matrix, precision and recall of refusing at `threshold`.

    "Positive" is a default (TARGET = 1) and a client is refused when probability >= threshold. Rates
    whose denominator is zero (no refusal, no defaulter) are None rather than a misleading 0.
    """
    y_true = np.asarray(y_true)
    if y_true.size == 0:
        raise ValueError("decision_metrics needs at least one client")
    refused = np.asarray(probability) >= threshold
    defaulted = y_true == 1
    tp = int(np.sum(refused & defaulted))
    fp = int(np.sum(refused & ~defaulted))
    fn = int(np.sum(~refused & defaulted))
    tn = int(np.sum(~refused & ~defaulted))
    n = int(y_true.size)
    return {
        "n": n,
        "auc": auc_or_none(y_true, probability),
        "business_cost": weights.per_client(fn, fp, n),
        "threshold": float(threshold),
        "confusion_matrix": {"tn": tn, "fp": fp, "fn": fn, "tp": tp},
        "precision": _ratio(tp, tp + fp),
        "recall": _ratio(tp, tp + fn),
    }


def format_rate(value: float | None) -> str:
    """A rate for people: three decimals, or "n/a" when it is undefined."""
    return "n/a" if value is None else f"{value:.3f}"
