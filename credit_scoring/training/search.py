"""Cross-validated search of each candidate, the overfitting guard, and the champion rule.

Every configuration of every candidate is scored on the same stratified folds. A fold fits a fresh
pipeline on the training rows only (a sampler inside it resamples those rows alone) and predicts the
validation rows as they are, which gives out-of-fold probabilities for every training client. A
candidate keeps its configuration with the best mean validation AUC among those within the AUC-gap
bound; those out-of-fold probabilities are calibrated (`training.calibration`), and the decision
threshold is chosen on the calibrated ones (`cost.calibrated_threshold`), so the threshold and its cost are
measured on predictions no fitted model, and no calibrator, has seen.
"""

from __future__ import annotations

import math
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import ParameterSampler, StratifiedKFold

from credit_scoring.training.calibration import CalibrationChoice, choose_calibration
from credit_scoring.training.candidates import SMOTE_SAMPLERS, Candidate, SearchSpace
from credit_scoring.training.cost import CostWeights, ThresholdChoice, calibrated_threshold
from credit_scoring.training.errors import TrainingError

Fold = tuple[np.ndarray, np.ndarray]
"""(training row indices, validation row indices)."""

MIN_CV_AUC: Final = 0.55
"""A model below this CV AUC has learnt nothing usable, however its threshold minimises the cost."""


@dataclass(frozen=True)
class ConfigResult:
    """One configuration's cross-validation: mean AUCs over folds and its out-of-fold probabilities."""

    params: dict[str, Any]
    cv_auc: float
    cv_auc_std: float
    train_auc: float
    """Mean AUC of each fold's model on its own training rows (before resampling)."""
    oof: np.ndarray

    @property
    def auc_gap(self) -> float:
        """How much better the models rank the rows they learnt from: the overfitting measure."""
        return self.train_auc - self.cv_auc


@dataclass(frozen=True)
class CandidateResult:
    """A candidate's retained configuration, its threshold and cost out of fold, and its eligibility."""

    candidate: Candidate
    best: ConfigResult
    configs_tried: int
    calibration: CalibrationChoice
    threshold: ThresholdChoice
    """Chosen on the calibrated out-of-fold probabilities."""
    eligible: bool
    reason: str
    """Why the candidate is not eligible, or "" when it is."""
    seconds: float


def stratified_folds(y: np.ndarray, n_folds: int, seed: int) -> list[Fold]:
    """Shuffled stratified folds, shared by every candidate so that their scores compare."""
    splitter = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros((y.size, 1)), y))


def draw_configs(space: SearchSpace, n: int, seed: int) -> list[dict[str, Any]]:
    """`n` configurations drawn from `space` (all of them when it is a smaller finite grid)."""
    finite = all(not hasattr(value, "rvs") for dist in space for value in dist.values())
    if finite:
        n = min(n, sum(math.prod(len(values) for values in dist.values()) for dist in space))
    return [_plain(params) for params in ParameterSampler(list(space), n_iter=n, random_state=seed)]


def _plain(params: Mapping[str, Any]) -> dict[str, Any]:
    """numpy scalars as Python numbers, so that parameters serialise to JSON and MLflow as they read."""
    return {key: value.item() if isinstance(value, np.generic) else value for key, value in params.items()}


def _fit_fold(pipeline: Any, X: np.ndarray, y: np.ndarray, fold: Fold) -> tuple[np.ndarray, float, float]:
    """Fit on the fold's training rows; validation probabilities, training AUC and validation AUC."""
    train, validation = fold
    pipeline.fit(X[train], y[train])
    validation_probability = pipeline.predict_proba(X[validation])[:, 1]
    train_auc = roc_auc_score(y[train], pipeline.predict_proba(X[train])[:, 1])
    return (
        validation_probability,
        float(train_auc),
        float(roc_auc_score(y[validation], validation_probability)),
    )


def cross_validate(
    candidate: Candidate,
    configs: Sequence[Mapping[str, Any]],
    X: np.ndarray,
    y: np.ndarray,
    folds: Sequence[Fold],
    n_jobs: int,
    cache: str | None = None,
) -> list[ConfigResult]:
    """Score every configuration on every fold, the (configuration, fold) fits running in parallel.

    With a `cache` directory, each fit keeps the steps before the model there (the pipeline's joblib
    memory) and reuses those another configuration fitted on the same fold with the same parameters."""
    base = candidate.build()
    outcomes = Parallel(n_jobs=n_jobs)(
        delayed(_fit_fold)(clone(base).set_params(memory=cache, **params), X, y, fold)
        for params in configs
        for fold in folds
    )
    results = []
    for index, params in enumerate(configs):
        per_fold = outcomes[index * len(folds) : (index + 1) * len(folds)]
        oof = np.empty(y.size)
        for (_, validation), (probability, _, _) in zip(folds, per_fold, strict=True):
            oof[validation] = probability
        validation_aucs = [outcome[2] for outcome in per_fold]
        results.append(
            ConfigResult(
                params=dict(params),
                cv_auc=float(np.mean(validation_aucs)),
                cv_auc_std=float(np.std(validation_aucs)),
                train_auc=float(np.mean([outcome[1] for outcome in per_fold])),
                oof=oof,
            )
        )
    return results


@contextmanager
def resampling_cache(candidate: Candidate, configs: Sequence[Mapping[str, Any]]) -> Iterator[str | None]:
    """A scratch directory for `cross_validate`'s cache when `candidate` synthesises neighbours and is
    tried with several configurations, else None. Its neighbour searches are most of a fit and depend
    on the fold and the sampling strategy only, so they then run once per fold and strategy instead of
    once per configuration, with the same results; other candidates' steps cost less to fit than to
    hash and store."""
    if candidate.imbalance not in SMOTE_SAMPLERS or len(configs) < 2:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="credit-scoring-resampling-") as directory:
        yield directory


def retained_config(results: Sequence[ConfigResult], max_auc_gap: float) -> tuple[ConfigResult, bool]:
    """The configuration with the best CV AUC among those within the AUC-gap bound, and True; or, when
    none is within it, the best overall and False."""
    within = [result for result in results if result.auc_gap <= max_auc_gap]
    return max(within or results, key=lambda result: result.cv_auc), bool(within)


def search_candidate(
    candidate: Candidate,
    X: np.ndarray,
    y: np.ndarray,
    folds: Sequence[Fold],
    weights: CostWeights,
    max_auc_gap: float,
    seed: int,
    n_jobs: int = 1,
) -> CandidateResult:
    """Search `candidate`'s space on `folds`; keep the best configuration within the AUC-gap bound.

    When no configuration is within the bound, the best overall is kept and the candidate is not
    eligible; the baseline is never eligible, nor is a candidate that ranks clients no better than
    chance (a collapsed model: e.g. L1 zeroing every coefficient on an under-sampled small fold).
    """
    start = time.perf_counter()
    configs = draw_configs(candidate.space, candidate.configs, seed)
    with resampling_cache(candidate, configs) as cache:
        results = cross_validate(candidate, configs, X, y, folds, n_jobs, cache)
    best, within = retained_config(results, max_auc_gap)
    if candidate.baseline:
        reason = "baseline"
    elif best.cv_auc < MIN_CV_AUC:
        reason = f"CV AUC {best.cv_auc:.3f} < {MIN_CV_AUC}: no better than chance"
    elif not within:
        reason = f"train-CV AUC gap {best.auc_gap:.3f} > {max_auc_gap:g}"
    else:
        reason = ""
    calibration = choose_calibration(best.oof, y, folds)
    return CandidateResult(
        candidate=candidate,
        best=best,
        configs_tried=len(configs),
        calibration=calibration,
        threshold=calibrated_threshold(y, calibration.oof, weights),
        eligible=not reason,
        reason=reason,
        seconds=time.perf_counter() - start,
    )


def choose_champion(results: Sequence[CandidateResult]) -> CandidateResult:
    """The eligible candidate with the lowest out-of-fold business cost (ties: the higher CV AUC)."""
    eligible = [result for result in results if result.eligible]
    if not eligible:
        reasons = "; ".join(f"{result.candidate.name}: {result.reason}" for result in results)
        raise TrainingError(
            f"no candidate can be champion ({reasons}); widen the search or raise --max-auc-gap"
        )
    return min(eligible, key=lambda result: (result.threshold.cost_per_client, -result.best.cv_auc))
