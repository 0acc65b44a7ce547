"""The business cost of credit decisions, and the threshold that minimises it.

A defaulter who is accepted (false negative) costs `fn` times more than a good client who is refused
(false positive, weight `fp`). The cost is reported per client, (fn·FN + fp·FP) / n, so that figures
from data sets of different sizes compare.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np

THRESHOLD_GRID: Final = np.arange(1, 1000) / 1000
"""Candidate thresholds 0.001, 0.002, …, 0.999: fine enough for models whose probabilities stay in a
narrow band (strongly shrunk boosting), whether around the 1/(1 + fn/fp) of calibrated probabilities
or the 0.4–0.6 that class weighting or resampling moves it to."""


@dataclass(frozen=True)
class CostWeights:
    """Cost of one false negative (defaulter accepted) and of one false positive (good client refused)."""

    fn: float = 10.0
    fp: float = 1.0

    def __post_init__(self) -> None:
        for name, value in (("fn", self.fn), ("fp", self.fp)):
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"cost weight {name} must be a positive number, got {value}")

    def per_client(self, false_negatives: int, false_positives: int, n: int) -> float:
        """(fn·FN + fp·FP) / n."""
        return (self.fn * false_negatives + self.fp * false_positives) / n


@dataclass(frozen=True)
class ThresholdChoice:
    """The threshold with the lowest cost on the predictions it was chosen on, and that cost per client."""

    threshold: float
    cost_per_client: float


FLAT_WITHIN: Final = 0.01
"""Thresholds whose cost is within this share of the lowest are ones the data cannot tell apart: the
cost curve is flat there."""


def decision_theory_threshold(weights: CostWeights) -> float:
    """fp / (fn + fp): refusing at and above it minimises the expected cost of calibrated probabilities."""
    return weights.fp / (weights.fn + weights.fp)


def cost_per_threshold(
    y_true: np.ndarray, probability: np.ndarray, weights: CostWeights, grid: np.ndarray = THRESHOLD_GRID
) -> np.ndarray:
    """The business cost per client at each grid threshold, clients with probability >= it refused.

    Every threshold is scored at once from the sorted probabilities of each class, so the curve costs
    one sort however fine the grid."""
    y_true = np.asarray(y_true)
    probability = np.asarray(probability, dtype=np.float64)
    if y_true.shape != probability.shape or y_true.size == 0:
        raise ValueError(
            f"the cost curve needs equal, non-empty shapes, got {y_true.shape} and {probability.shape}"
        )
    positives = np.sort(probability[y_true == 1])
    negatives = np.sort(probability[y_true == 0])
    # Defaulters below t are accepted (FN), good clients at or above t are refused (FP).
    false_negatives = np.searchsorted(positives, grid, side="left")
    false_positives = negatives.size - np.searchsorted(negatives, grid, side="left")
    return (weights.fn * false_negatives + weights.fp * false_positives) / y_true.size


def choose_threshold(
    y_true: np.ndarray, probability: np.ndarray, weights: CostWeights, grid: np.ndarray = THRESHOLD_GRID
) -> ThresholdChoice:
    """The grid threshold minimising the business cost (ties to the lowest threshold): for probabilities
    that are not calibrated, where decision theory's threshold does not apply."""
    costs = cost_per_threshold(y_true, probability, weights, grid)
    best = int(np.argmin(costs))
    return ThresholdChoice(threshold=float(grid[best]), cost_per_client=float(costs[best]))


def calibrated_threshold(
    y_true: np.ndarray, probability: np.ndarray, weights: CostWeights, grid: np.ndarray = THRESHOLD_GRID
) -> ThresholdChoice:
    """The threshold for calibrated probabilities: decision theory's fp / (fn + fp), checked against the
    cost on these predictions. Of the grid thresholds where the cost curve is flat (within FLAT_WITHIN
    of its lowest), the one nearest decision theory's; far from it only when the data says so.

    The empirical minimum of a flat, jagged curve moves with a few clients; where the data cannot tell
    thresholds apart, the one theory prescribes has the lowest expected cost.
    """
    costs = cost_per_threshold(y_true, probability, weights, grid)
    flat = np.flatnonzero(costs <= costs.min() * (1 + FLAT_WITHIN))
    chosen = int(flat[np.argmin(np.abs(grid[flat] - decision_theory_threshold(weights)))])
    return ThresholdChoice(threshold=float(grid[chosen]), cost_per_client=float(costs[chosen]))
