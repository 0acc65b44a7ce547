"""The models training compares: estimators × imbalance strategies, each with its search space.

Every candidate is an imbalanced-learn `Pipeline`, so that a sampler resamples only the rows the
pipeline is fitted on (the training folds) and is skipped at prediction (validation folds, test split,
serving). The shapes are fixed because the export turns them into a pickle-free serving form:

- LogisticRegression: impute (median) → scale → [resample] → model;
- LightGBM: [impute (median), only before a SMOTE sampler, whose nearest neighbours cannot handle
  missing values] → [resample] → model, otherwise LightGBM's native handling of missing values;
- DummyClassifier: model only (the baseline every real candidate must beat; never champion).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from imblearn.combine import SMOTEENN, SMOTETomek
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import Pipeline
from imblearn.under_sampling import RandomUnderSampler
from lightgbm import LGBMClassifier
from scipy.stats import loguniform, randint, uniform
from sklearn.dummy import DummyClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

DUMMY: Final = "DummyClassifier"
LOGISTIC_REGRESSION: Final = "LogisticRegression"
LIGHTGBM: Final = "LightGBM"

IMPUTE: Final = "impute"
SCALE: Final = "scale"
RESAMPLE: Final = "resample"
MODEL: Final = "model"
"""Step names of every candidate pipeline: search spaces address parameters as `<step>__<name>`."""

NONE: Final = "none"
CLASS_WEIGHT: Final = "class_weight"
SCALE_POS_WEIGHT: Final = "scale_pos_weight"
UNDER_SAMPLING: Final = "random_under_sampling"
OVER_SAMPLING: Final = "random_over_sampling"
SMOTE_TOMEK: Final = "smote_tomek"
SMOTE_ENN: Final = "smote_enn"

SAMPLERS: Final[dict[str, Callable[..., Any]]] = {
    UNDER_SAMPLING: RandomUnderSampler,
    OVER_SAMPLING: RandomOverSampler,
    SMOTE_TOMEK: SMOTETomek,
    SMOTE_ENN: SMOTEENN,
}
SMOTE_SAMPLERS: Final = frozenset({SMOTE_TOMEK, SMOTE_ENN})
"""Samplers that synthesise neighbours: they need complete rows, and their resampling is the slow part
of a fit, so a search draws fewer configurations for them."""

IMBALANCE_STRATEGIES: Final[dict[str, tuple[str, ...]]] = {
    LOGISTIC_REGRESSION: (NONE, CLASS_WEIGHT, *SAMPLERS),
    LIGHTGBM: (NONE, SCALE_POS_WEIGHT, *SAMPLERS),
}

SAMPLER_SPACE: Final[Mapping[str, Sequence[float]]] = {f"{RESAMPLE}__sampling_strategy": [0.5, 1.0]}
"""Minority-to-majority ratio after resampling: fully balanced, or half way."""

_SHORT_NAMES: Final = {LOGISTIC_REGRESSION: "logreg", LIGHTGBM: "lightgbm"}

SearchSpace = tuple[Mapping[str, Any], ...]
"""scikit-learn's `param_distributions` form: a list of dicts of lists or scipy distributions."""

LOGISTIC_FULL_SPACE: Final[SearchSpace] = (
    {"model__l1_ratio": [1.0], "model__solver": ["liblinear"], "model__C": loguniform(2e-3, 1e-1)},
    {"model__l1_ratio": [0.0], "model__solver": ["lbfgs"], "model__C": loguniform(5e-5, 3e-2)},
)
"""L1 (liblinear: sparse, the 400-odd features are mostly noise) or L2 (lbfgs); liblinear's L1 gets slow
past C = 0.1, where the sample overfits anyway."""

LOGISTIC_QUICK_SPACE: Final[SearchSpace] = (
    {"model__l1_ratio": [1.0], "model__solver": ["liblinear"], "model__C": [0.007, 0.014, 0.028]},
)
"""L1 only, around the strength where full searches on the real sample found the best cross-validated
AUC with class weighting (C ≈ 0.014), a factor 2 either side for resampling or no weighting."""

LIGHTGBM_FULL_SPACE: Final[SearchSpace] = (
    {
        "model__n_estimators": randint(80, 500),
        "model__learning_rate": loguniform(1e-2, 1e-1),
        "model__num_leaves": randint(3, 32),
        "model__min_child_samples": randint(20, 400),
        "model__reg_lambda": loguniform(1e-1, 1e2),
        "model__subsample": uniform(0.6, 0.4),
        "model__colsample_bytree": uniform(0.2, 0.6),
        "model__extra_trees": [False, True],
    },
)

LIGHTGBM_QUICK_SPACE: Final[SearchSpace] = (
    {
        "model__n_estimators": [100, 150],
        "model__learning_rate": [0.015, 0.03],
        "model__num_leaves": [4, 7],
        "model__min_child_samples": [100, 200],
        "model__reg_lambda": [10.0],
        "model__subsample": [0.85],
        "model__colsample_bytree": [0.5],
        "model__extra_trees": [True],
    },
)
"""Few, shallow, randomised and slowly learnt trees: on a few thousand clients, anything richer
overfits past the AUC-gap guard (what full searches on the real sample found)."""


@dataclass(frozen=True)
class SearchPlan:
    """How hard to search: folds of the stratified cross-validation and configurations per candidate."""

    name: str
    folds: int
    configs: int
    smote_configs: int
    """Configurations for SMOTE-based candidates, whose resampling dominates a fit."""
    spaces: Mapping[str, SearchSpace]
    """Search space per estimator (LogisticRegression, LightGBM)."""
    search_clients: int | None = None
    """Training clients the candidates are compared on (a stratified sample when there are more; None:
    all). The champion is then cross-validated, calibrated, thresholded and refitted on every training
    client, so the sample bounds the comparison's time, not what the served model learns from."""

    def __post_init__(self) -> None:
        if self.folds < 2 or self.configs < 1 or self.smote_configs < 1:
            raise ValueError(f"search plan {self.name!r} needs folds >= 2 and at least one configuration")
        if self.search_clients is not None and self.search_clients < 1:
            raise ValueError(f"search plan {self.name!r}: search_clients must be 1 or more")


QUICK_SEARCH_CLIENTS: Final = 20_000
FULL_SEARCH_CLIENTS: Final = 40_000
"""Clients each plan compares candidates on, so that `quick` fits an hour at Kaggle's volume on two
cores (the SMOTE samplers' neighbour searches grow with the square of the rows); what comparing on the
sample costs against every client is measured in docs/benchmarks.md, "Scale"."""

SEARCH_PLANS: Final[dict[str, SearchPlan]] = {
    "quick": SearchPlan(
        name="quick",
        folds=5,
        configs=3,
        smote_configs=1,
        spaces={LOGISTIC_REGRESSION: LOGISTIC_QUICK_SPACE, LIGHTGBM: LIGHTGBM_QUICK_SPACE},
        search_clients=QUICK_SEARCH_CLIENTS,
    ),
    "full": SearchPlan(
        name="full",
        folds=5,
        configs=30,
        smote_configs=8,
        spaces={LOGISTIC_REGRESSION: LOGISTIC_FULL_SPACE, LIGHTGBM: LIGHTGBM_FULL_SPACE},
        search_clients=FULL_SEARCH_CLIENTS,
    ),
}


@dataclass(frozen=True)
class Candidate:
    """One estimator with one imbalance strategy, the space its search draws from, and its pipeline."""

    name: str
    estimator: str
    imbalance: str
    space: SearchSpace
    configs: int
    build: Callable[[], Pipeline]
    """A fresh, unfitted pipeline with the candidate's fixed parameters."""
    baseline: bool = False


def _logistic_regression(imbalance: str, seed: int) -> LogisticRegression:
    return LogisticRegression(
        class_weight="balanced" if imbalance == CLASS_WEIGHT else None, max_iter=2000, random_state=seed
    )


def _lightgbm(imbalance: str, seed: int, class_ratio: float) -> LGBMClassifier:
    # One thread per fit: the search runs folds in parallel processes instead, which scales better on
    # small data than LightGBM's own threads.
    return LGBMClassifier(
        scale_pos_weight=class_ratio if imbalance == SCALE_POS_WEIGHT else 1.0,
        subsample_freq=1,
        n_jobs=1,
        random_state=seed,
        verbose=-1,
    )


def build_pipeline(estimator: str, imbalance: str, seed: int, class_ratio: float = 1.0) -> Pipeline:
    """The unfitted pipeline of one candidate (see the module docstring for its shape).

    `class_ratio`, repaid clients per defaulter, is LightGBM's scale_pos_weight for that strategy.
    """
    sampler = SAMPLERS[imbalance](random_state=seed) if imbalance in SAMPLERS else None
    steps: list[tuple[str, Any]] = []
    if estimator == LOGISTIC_REGRESSION:
        steps += [(IMPUTE, _median_imputer()), (SCALE, StandardScaler())]
        model: Any = _logistic_regression(imbalance, seed)
    elif estimator == LIGHTGBM:
        if imbalance in SMOTE_SAMPLERS:
            steps.append((IMPUTE, _median_imputer()))
        model = _lightgbm(imbalance, seed, class_ratio)
    elif estimator == DUMMY:
        model = DummyClassifier(strategy="prior")
    else:
        raise ValueError(f"unknown estimator {estimator!r}")
    if sampler is not None:
        steps.append((RESAMPLE, sampler))
    steps.append((MODEL, model))
    return Pipeline(steps)


def _median_imputer() -> SimpleImputer:
    # keep_empty_features: a column with no value at all (a history table that is absent) stays, imputed
    # as 0, so that the fitted pipeline's columns remain the manifest's features one for one.
    return SimpleImputer(strategy="median", keep_empty_features=True)


def candidates(plan: SearchPlan, seed: int, class_ratio: float) -> list[Candidate]:
    """The baseline, then every estimator × imbalance strategy, with their spaces from `plan`.

    `class_ratio` is the number of repaid clients per defaulter in the training data.
    """
    result = [
        Candidate(
            name="dummy-prior",
            estimator=DUMMY,
            imbalance=NONE,
            space=({},),
            configs=1,
            build=functools.partial(build_pipeline, DUMMY, NONE, seed),
            baseline=True,
        )
    ]
    for estimator, strategies in IMBALANCE_STRATEGIES.items():
        for imbalance in strategies:
            space = plan.spaces[estimator]
            if imbalance in SAMPLERS:
                space = tuple({**dist, **SAMPLER_SPACE} for dist in space)
            result.append(
                Candidate(
                    name=f"{_SHORT_NAMES[estimator]}-{imbalance}",
                    estimator=estimator,
                    imbalance=imbalance,
                    space=space,
                    configs=plan.smote_configs if imbalance in SMOTE_SAMPLERS else plan.configs,
                    build=functools.partial(build_pipeline, estimator, imbalance, seed, class_ratio),
                )
            )
    return result
