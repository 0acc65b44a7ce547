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


def choose_threshold(
    y_true: np.ndarray, probability: np.ndarray, weights: CostWeights, grid: np.ndarray = THRESHOLD_GRID
) -> ThresholdChoice:
    """The grid threshold minimising the business cost when clients with probability >= it are refused.

    Ties go to the lowest threshold. Every threshold is scored at once from the sorted probabilities of
    each class, so the search costs one sort however fine the grid.
    """
    y_true = np.asarray(y_true)
    probability = np.asarray(probability, dtype=np.float64)
    if y_true.shape != probability.shape or y_true.size == 0:
        raise ValueError(
            f"choose_threshold needs equal, non-empty shapes, got {y_true.shape} and {probability.shape}"
        )
    positives = np.sort(probability[y_true == 1])
    negatives = np.sort(probability[y_true == 0])
    # A client is refused when probability >= t: defaulters below t are accepted (FN), good clients at or
    # above t are refused (FP).
    false_negatives = np.searchsorted(positives, grid, side="left")
    false_positives = negatives.size - np.searchsorted(negatives, grid, side="left")
    costs = (weights.fn * false_negatives + weights.fp * false_positives) / y_true.size
    best = int(np.argmin(costs))
    return ThresholdChoice(threshold=float(grid[best]), cost_per_client=float(costs[best]))


THRESHOLD_RESAMPLES: Final = 200


def bagged_threshold(
    y_true: np.ndarray,
    probability: np.ndarray,
    weights: CostWeights,
    seed: int,
    resamples: int = THRESHOLD_RESAMPLES,
    grid: np.ndarray = THRESHOLD_GRID,
) -> ThresholdChoice:
    """The median of `choose_threshold`'s threshold over bootstrap resamples of the clients, with its
    cost on all of them.

    The cost curve is flat and jagged near its minimum, so the minimum of one sample moves with a few
    clients; the median over resamples (bagging) keeps the threshold where the minimum lies for most
    samples like this one.
    """
    y_true = np.asarray(y_true)
    probability = np.asarray(probability, dtype=np.float64)
    rng = np.random.default_rng(seed)
    chosen = [
        choose_threshold(y_true[rows], probability[rows], weights, grid).threshold
        for rows in (rng.integers(0, y_true.size, y_true.size) for _ in range(resamples))
    ]
    threshold = float(grid[np.argmin(np.abs(grid - np.median(chosen)))])
    refused = probability >= threshold
    false_negatives = int(np.sum(~refused & (y_true == 1)))
    false_positives = int(np.sum(refused & (y_true == 0)))
    return ThresholdChoice(threshold, weights.per_client(false_negatives, false_positives, y_true.size))
