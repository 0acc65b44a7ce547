"""Realised performance: the decisions served, joined with the outcomes that arrived, month by month.

AUC (Mann-Whitney, ties counted half), Gini = 2 AUC - 1, the default rate, the expected calibration
error (equal-count bins, as the model card computes it) and the business cost per client of the
decisions served (cost.fn per defaulter accepted, cost.fp per good client refused), each with its sample
size. A month with one class only has no AUC (None).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from credit_scoring.monitoring.outcomes import Outcomes

RELIABILITY_BINS: Final = 10


def reliability_bins(probability: np.ndarray, bins: int = RELIABILITY_BINS) -> list[np.ndarray]:
    """Row indices of `bins` equal-count bins of increasing probability (ties kept in row order)."""
    order = np.argsort(np.asarray(probability, dtype=np.float64), kind="stable")
    return [part for part in np.array_split(order, min(bins, order.size)) if part.size]


def reliability_table(
    y_true: np.ndarray, probability: np.ndarray, bins: int = RELIABILITY_BINS
) -> list[dict[str, Any]]:
    """Per equal-count bin: clients, mean predicted probability and observed default rate."""
    y_true = np.asarray(y_true, dtype=np.float64)
    probability = np.asarray(probability, dtype=np.float64)
    return [
        {
            "n": int(rows.size),
            "mean_probability": float(probability[rows].mean()),
            "default_rate": float(y_true[rows].mean()),
        }
        for rows in reliability_bins(probability, bins)
    ]


def expected_calibration_error(
    y_true: np.ndarray, probability: np.ndarray, bins: int = RELIABILITY_BINS
) -> float:
    """Σ over equal-count bins of (bin share) × |mean predicted − observed default rate|."""
    table = reliability_table(y_true, probability, bins)
    n = sum(row["n"] for row in table)
    return float(sum(row["n"] / n * abs(row["mean_probability"] - row["default_rate"]) for row in table))


def auc(y_true: np.ndarray, score: np.ndarray) -> float | None:
    """Area under the ROC curve by ranks (ties share their average rank); None with one class only."""
    y = np.asarray(y_true) == 1
    positives, negatives = int(y.sum()), int((~y).sum())
    if positives == 0 or negatives == 0:
        return None
    score = np.asarray(score, dtype=np.float64)
    _, inverse, counts = np.unique(score, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    average_rank = ends - (counts - 1) / 2.0  # 1-based average rank of each distinct value
    rank_sum = float(average_rank[inverse][y].sum())
    return (rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives)


@dataclass(frozen=True)
class Decisions:
    """Decisions served: client ids, calibrated probabilities and predictions (1 refused), row by row."""

    client_ids: np.ndarray
    probabilities: np.ndarray
    predictions: np.ndarray


def performance_by_month(
    decisions: Decisions, outcomes: Outcomes, cost: Mapping[str, float]
) -> dict[str, Any]:
    """Each month's figures (the outcome's date) and the whole period's, over the clients with both a
    decision and an outcome; a client decided more than once counts with their last decision."""
    ids = np.asarray(decisions.client_ids, dtype=np.int64)
    # The last decision of each client: unique over the reversed rows keeps the first seen, the last.
    last_ids, reversed_first = np.unique(ids[::-1], return_index=True)
    last_rows = len(ids) - 1 - reversed_first
    position = np.searchsorted(last_ids, outcomes.client_ids)
    inside = position < len(last_ids)
    matched = np.zeros(len(outcomes.client_ids), dtype=bool)
    matched[inside] = last_ids[position[inside]] == outcomes.client_ids[inside]
    rows = last_rows[position[matched]]
    y = outcomes.outcomes[matched].astype(np.int64)
    probability = np.asarray(decisions.probabilities, dtype=np.float64)[rows]
    refused = np.asarray(decisions.predictions)[rows] == 1
    months = outcomes.months[matched]
    by_month = []
    for month in np.unique(months):
        rows_of_month = months == month
        figures = _figures(y[rows_of_month], probability[rows_of_month], refused[rows_of_month], cost)
        by_month.append({"month": str(month), **figures})
    return {
        "outcomes": len(outcomes.client_ids),
        "joined": int(matched.sum()),
        "without_decision": int((~matched).sum()),
        "overall": _figures(y, probability, refused, cost),
        "by_month": by_month,
    }


def _figures(
    y: np.ndarray, probability: np.ndarray, refused: np.ndarray, cost: Mapping[str, float]
) -> dict[str, Any]:
    n = len(y)
    if n == 0:
        return {
            "n": 0,
            "defaults": 0,
            "default_rate": None,
            "auc": None,
            "gini": None,
            "ece": None,
            "mean_probability": None,
            "business_cost": None,
        }
    area = auc(y, probability)
    missed = int(np.sum((y == 1) & ~refused))
    wrongly_refused = int(np.sum((y == 0) & refused))
    return {
        "n": n,
        "defaults": int(y.sum()),
        "default_rate": float(y.mean()),
        "auc": area,
        "gini": None if area is None else 2.0 * area - 1.0,
        "ece": expected_calibration_error(y, probability),
        "mean_probability": float(probability.mean()),
        "business_cost": (cost["fn"] * missed + cost["fp"] * wrongly_refused) / n,
    }
