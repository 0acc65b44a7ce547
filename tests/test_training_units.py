"""Training's building blocks: business cost and threshold, candidates and their shapes, the search
(resampling confined to training folds, the AUC-gap guard), the champion rule, and fairness figures."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from imblearn.combine import SMOTETomek
from scipy.stats import loguniform
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import roc_auc_score

from credit_scoring.training import candidates as cands
from credit_scoring.training.calibration import CalibrationChoice
from credit_scoring.training.cost import (
    FLAT_WITHIN,
    THRESHOLD_GRID,
    CostWeights,
    ThresholdChoice,
    calibrated_threshold,
    choose_threshold,
    cost_per_threshold,
)
from credit_scoring.training.errors import TrainingError
from credit_scoring.training.export import export_pipeline
from credit_scoring.training.fairness import AGE_ATTRIBUTE, age_bands, fairness_report, protected_groups
from credit_scoring.training.metrics import decision_metrics
from credit_scoring.training.search import (
    CandidateResult,
    ConfigResult,
    choose_champion,
    cross_validate,
    draw_configs,
    retained_config,
    search_candidate,
    stratified_folds,
)

TINY_PLAN = cands.SearchPlan(
    name="tiny",
    folds=2,
    configs=1,
    smote_configs=1,
    spaces={
        cands.LOGISTIC_REGRESSION: ({"model__C": [0.1]},),
        cands.LIGHTGBM: ({"model__n_estimators": [20], "model__num_leaves": [4]},),
    },
)

_CALIBRATION = CalibrationChoice(
    "sigmoid",
    None,
    np.zeros(3),
    {"sigmoid": {"brier": 0.070, "log_loss": 0.25}, "isotonic": {"brier": 0.071, "log_loss": 0.26}},
)


def _classification(n: int = 600, p: int = 6, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose column 0 is the row number, the rest informative noise; about 15% positives."""
    rng = np.random.default_rng(seed)
    signal = rng.normal(size=(n, p - 1))
    y = (signal[:, 0] + 0.5 * signal[:, 1] + rng.normal(size=n) > 1.6).astype(np.int64)
    return np.column_stack([np.arange(n, dtype=np.float64), signal]), y


# --- cost and threshold ----------------------------------------------------------------------------


def test_threshold_minimises_the_cost_of_a_hand_built_example():
    # defaulters at 0.8, 0.6, 0.3; good clients at 0.7, 0.5, 0.2, 0.1. Refusing from t in (0.2, 0.3]
    # catches every defaulter and refuses two good clients: cost 2/7, which no other threshold beats
    # (t <= 0.2 refuses a third good client; t > 0.3 accepts a defaulter, costing 10).
    y = np.array([1, 1, 1, 0, 0, 0, 0])
    probability = np.array([0.8, 0.6, 0.3, 0.7, 0.5, 0.2, 0.1])
    choice = choose_threshold(y, probability, CostWeights(fn=10, fp=1))
    assert choice.threshold == pytest.approx(0.201)  # the lowest grid point of the optimal interval
    assert choice.cost_per_client == pytest.approx(2 / 7)


def test_threshold_agrees_with_brute_force_over_the_grid():
    rng = np.random.default_rng(3)
    y = (rng.random(500) < 0.1).astype(int)
    probability = np.clip(0.1 + 0.3 * y * rng.random(500) + 0.2 * rng.random(500), 0, 1)
    weights = CostWeights(fn=7, fp=2)
    brute = [
        (
            weights.fn * np.sum((probability < t) & (y == 1))
            + weights.fp * np.sum((probability >= t) & (y == 0))
        )
        / y.size
        for t in THRESHOLD_GRID
    ]
    choice = choose_threshold(y, probability, weights)
    assert choice.cost_per_client == pytest.approx(min(brute))
    assert choice.threshold == pytest.approx(THRESHOLD_GRID[int(np.argmin(brute))])


def test_calibrated_threshold_is_decision_theorys_where_the_cost_curve_is_flat():
    """Calibrated probabilities drawn so that each client defaults with its probability: the cost curve
    is flat around fp / (fn + fp), and the threshold is the grid point nearest it within the flat part."""
    rng = np.random.default_rng(11)
    probability = rng.beta(1, 11, 20_000)
    y = (rng.random(probability.size) < probability).astype(int)
    weights = CostWeights(fn=10, fp=1)
    costs = cost_per_threshold(y, probability, weights)
    flat = THRESHOLD_GRID[costs <= costs.min() * (1 + FLAT_WITHIN)]
    choice = calibrated_threshold(y, probability, weights)

    assert choice.threshold in flat
    assert abs(choice.threshold - 1 / 11) == pytest.approx(np.abs(flat - 1 / 11).min())
    at = int(np.argmin(np.abs(THRESHOLD_GRID - choice.threshold)))
    assert choice.cost_per_client == pytest.approx(costs[at])


def test_calibrated_threshold_leaves_decision_theory_when_the_data_says_so():
    """Probabilities that are not what they say (every defaulter at 0.5, every good client at 0.12): at
    1/11 every good client is refused, far above the lowest cost, so the threshold is the data's."""
    y = np.array([1] * 10 + [0] * 90)
    probability = np.where(y == 1, 0.5, 0.12)
    choice = calibrated_threshold(y, probability, CostWeights(fn=10, fp=1))
    assert choice.cost_per_client == 0.0
    assert choice.threshold == pytest.approx(0.121)  # the nearest to 1/11 of the zero-cost thresholds


@pytest.mark.parametrize(("fn", "fp"), [(0, 1), (10, -1), (math.nan, 1), (math.inf, 1)])
def test_cost_weights_must_be_positive_numbers(fn, fp):
    with pytest.raises(ValueError, match="cost weight"):
        CostWeights(fn=fn, fp=fp)


def test_decision_metrics_count_refusals_at_or_above_the_threshold():
    y = np.array([1, 1, 0, 0, 0])
    probability = np.array([0.9, 0.4, 0.5, 0.2, 0.6])
    metrics = decision_metrics(y, probability, 0.5, CostWeights(fn=10, fp=1))
    assert metrics["confusion_matrix"] == {"tn": 1, "fp": 2, "fn": 1, "tp": 1}
    assert metrics["business_cost"] == pytest.approx((10 * 1 + 1 * 2) / 5)
    assert metrics["precision"] == pytest.approx(1 / 3)
    assert metrics["recall"] == pytest.approx(1 / 2)
    assert metrics["auc"] == pytest.approx(roc_auc_score(y, probability))


def test_undefined_rates_are_none_not_zero():
    metrics = decision_metrics(np.array([0, 0]), np.array([0.1, 0.2]), 0.5, CostWeights())
    assert metrics["auc"] is None
    assert metrics["precision"] is None  # nobody refused
    assert metrics["recall"] is None  # no defaulter


# --- candidates ----------------------------------------------------------------------------------


def test_every_estimator_meets_every_imbalance_strategy_once_plus_the_baseline():
    pool = cands.candidates(TINY_PLAN, seed=0, class_ratio=9.0)
    pairs = [(c.estimator, c.imbalance) for c in pool if not c.baseline]
    expected = [(e, s) for e, strategies in cands.IMBALANCE_STRATEGIES.items() for s in strategies]
    assert pairs == expected
    assert len(set(c.name for c in pool)) == len(pool)
    assert [c.estimator for c in pool if c.baseline] == [cands.DUMMY]
    assert {s for _, s in pairs} == {
        "none",
        "class_weight",
        "scale_pos_weight",
        "random_under_sampling",
        "random_over_sampling",
        "smote_tomek",
        "smote_enn",
    }


def test_pipeline_shapes():
    steps = {
        (c.estimator, c.imbalance): [name for name, _ in c.build().steps]
        for c in cands.candidates(TINY_PLAN, seed=0, class_ratio=9.0)
    }
    assert steps[(cands.LOGISTIC_REGRESSION, "class_weight")] == ["impute", "scale", "model"]
    assert steps[(cands.LOGISTIC_REGRESSION, "smote_enn")] == ["impute", "scale", "resample", "model"]
    assert steps[(cands.LIGHTGBM, "none")] == ["model"]  # LightGBM's own missing-value handling
    assert steps[(cands.LIGHTGBM, "random_under_sampling")] == ["resample", "model"]
    assert steps[(cands.LIGHTGBM, "smote_tomek")] == ["impute", "resample", "model"]  # SMOTE needs values
    assert steps[(cands.DUMMY, "none")] == ["model"]


def test_imbalance_parameters_reach_the_estimators():
    pool = {c.name: c.build() for c in cands.candidates(TINY_PLAN, seed=0, class_ratio=12.5)}
    assert pool["logreg-class_weight"].named_steps["model"].class_weight == "balanced"
    assert pool["logreg-none"].named_steps["model"].class_weight is None
    assert pool["lightgbm-scale_pos_weight"].named_steps["model"].scale_pos_weight == 12.5
    assert pool["lightgbm-none"].named_steps["model"].scale_pos_weight == 1.0


def test_smote_candidates_draw_the_smaller_number_of_configurations():
    plan = dataclasses.replace(cands.SEARCH_PLANS["quick"], configs=5, smote_configs=2)
    configs = {
        c.imbalance: c.configs for c in cands.candidates(plan, seed=0, class_ratio=9.0) if not c.baseline
    }
    assert configs["smote_enn"] == configs["smote_tomek"] == 2
    assert configs["none"] == configs["random_over_sampling"] == 5


@pytest.mark.parametrize("plan", ["quick", "full"])
def test_every_candidate_fitted_with_its_plans_first_configuration_exports_faithfully(plan):
    """The export (pickle-free serving form, checked to 1e-9) accepts every pipeline shape we build."""
    frame_X, y = _classification(n=400, p=8, seed=1)
    X = frame_X[:, 1:]
    X[::7, 2] = np.nan  # missing values: imputed for LR and SMOTE, native for LightGBM
    names = tuple(f"f{j}" for j in range(X.shape[1]))
    for candidate in cands.candidates(cands.SEARCH_PLANS[plan], seed=0, class_ratio=6.0):
        if candidate.baseline:
            continue
        params = draw_configs(candidate.space, 1, seed=0)[0]
        pipeline = candidate.build().set_params(**params).fit(X, y)
        exported = export_pipeline(pipeline, names, X)
        assert exported.max_abs_diff <= 1e-9, candidate.name


# --- search ----------------------------------------------------------------------------------------

SEEN: list[tuple[str, np.ndarray]] = []
"""What the recording estimator was given: ("fit" | "predict", the row ids of column 0)."""


class RecordingClassifier(ClassifierMixin, BaseEstimator):
    """Stands in for the final estimator to record which rows reach it; scores rows by column 1."""

    def fit(self, X, y):
        SEEN.append(("fit", np.asarray(X)[:, 0].copy()))
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X):
        X = np.asarray(X)
        SEEN.append(("predict", X[:, 0].copy()))
        positive = 1.0 / (1.0 + np.exp(-X[:, 1]))
        return np.column_stack([1.0 - positive, positive])


@pytest.mark.parametrize("imbalance", sorted(cands.SAMPLERS))
def test_resampling_never_touches_a_validation_fold(imbalance):
    X, y = _classification(n=600, seed=2)
    folds = stratified_folds(y, 3, seed=0)
    real = cands.build_pipeline(cands.LIGHTGBM, imbalance, seed=0)  # no scaler: ids reach the model as is
    candidate = cands.Candidate(
        name=f"recorded-{imbalance}",
        estimator="RecordingClassifier",
        imbalance=imbalance,
        space=({},),
        configs=1,
        build=lambda: real.set_params(model=RecordingClassifier()),
    )
    SEEN.clear()
    result = search_candidate(candidate, X, y, folds, CostWeights(), max_auc_gap=1.0, seed=0, n_jobs=1)

    assert [kind for kind, _ in SEEN] == ["fit", "predict", "predict"] * len(folds)
    for index, (train, validation) in enumerate(folds):
        fitted, validated, trained = (ids for _, ids in SEEN[3 * index : 3 * index + 3])
        original = fitted[np.isin(fitted, np.arange(len(X)))]  # SMOTE also adds interpolated rows
        assert np.isin(original, train).all()
        assert not np.isin(fitted, validation).any()
        np.testing.assert_array_equal(validated, validation)  # predicted whole, not resampled
        np.testing.assert_array_equal(trained, train)
        positives_in_fold = int(y[train].sum())
        if imbalance == cands.UNDER_SAMPLING:
            assert fitted.size < train.size
            assert np.isin(train[y[train] == 1], fitted).all()  # the minority is kept whole
        if imbalance == cands.OVER_SAMPLING:
            assert fitted.size > train.size
            assert np.isin(train, fitted).all()
            assert positives_in_fold < np.sum(np.isin(fitted, train[y[train] == 1]))
    # the out-of-fold probability of each row comes from the fold that did not fit it
    expected_oof = 1.0 / (1.0 + np.exp(-X[:, 1]))
    np.testing.assert_allclose(result.best.oof, expected_oof)


RESAMPLED: list[int] = []
"""Rows of each resampling CountingSmoteTomek ran (the search runs in this process: n_jobs=1)."""


class CountingSmoteTomek(SMOTETomek):
    def fit_resample(self, X, y, **params):
        RESAMPLED.append(len(X))
        return super().fit_resample(X, y, **params)


def test_a_smote_candidate_resamples_each_fold_once_per_strategy_and_scores_as_without_reuse():
    X, y = _classification(n=400, seed=3)
    folds = stratified_folds(y, 2, seed=0)

    def build():
        pipeline = cands.build_pipeline(cands.LOGISTIC_REGRESSION, cands.SMOTE_TOMEK, seed=0)
        return pipeline.set_params(resample=CountingSmoteTomek(random_state=0))

    candidate = cands.Candidate(
        name="counted-smote_tomek",
        estimator=cands.LOGISTIC_REGRESSION,
        imbalance=cands.SMOTE_TOMEK,
        space=({"model__C": [0.1, 1.0], "resample__sampling_strategy": [0.5, 1.0]},),
        configs=4,
        build=build,
    )
    RESAMPLED.clear()
    searched = search_candidate(candidate, X, y, folds, CostWeights(), max_auc_gap=1.0, seed=0)
    assert searched.configs_tried == 4
    assert len(RESAMPLED) == len(folds) * 2  # each fold once per sampling strategy, not per configuration

    RESAMPLED.clear()
    every = cross_validate(candidate, draw_configs(candidate.space, 4, seed=0), X, y, folds, n_jobs=1)
    assert len(RESAMPLED) == len(folds) * 4
    (same,) = [result for result in every if result.params == searched.best.params]
    np.testing.assert_array_equal(searched.best.oof, same.oof)
    assert (searched.best.cv_auc, searched.best.train_auc) == (same.cv_auc, same.train_auc)


def test_draw_configs_is_seeded_and_caps_a_finite_grid():
    space = ({"a": [1, 2], "b": ["x"]}, {"a": [3]})
    assert sorted(c["a"] for c in draw_configs(space, 10, seed=0)) == [1, 2, 3]
    continuous = ({"C": loguniform(1e-3, 1e-1)},)
    first, again = draw_configs(continuous, 4, seed=5), draw_configs(continuous, 4, seed=5)
    assert first == again
    assert len(first) == 4
    assert all(1e-3 <= c["C"] <= 1e-1 and type(c["C"]) is float for c in first)


def _config(cv: float, train: float) -> ConfigResult:
    return ConfigResult(params={"cv": cv}, cv_auc=cv, cv_auc_std=0.0, train_auc=train, oof=np.zeros(1))


def test_retained_configuration_is_the_best_within_the_gap_bound():
    overfit, sound, weak = _config(0.80, 0.95), _config(0.76, 0.79), _config(0.70, 0.71)
    best, within = retained_config([overfit, sound, weak], max_auc_gap=0.05)
    assert best is sound
    assert within
    best, within = retained_config([overfit], max_auc_gap=0.05)
    assert best is overfit
    assert not within


def test_the_gap_guard_excludes_an_overfit_candidate():
    X, y = _classification(n=800, p=8, seed=4)
    X = X[:, 1:]  # without the row number
    folds = stratified_folds(y, 3, seed=0)
    deep = cands.Candidate(
        name="deep-trees",
        estimator=cands.LIGHTGBM,
        imbalance="none",
        space=({"model__num_leaves": [64], "model__min_child_samples": [2], "model__n_estimators": [200]},),
        configs=1,
        build=lambda: cands.build_pipeline(cands.LIGHTGBM, "none", seed=0),
    )
    shallow = dataclasses.replace(
        deep,
        name="strong-l2",
        estimator=cands.LOGISTIC_REGRESSION,
        space=({"model__C": [0.01]},),
        build=lambda: cands.build_pipeline(cands.LOGISTIC_REGRESSION, "none", seed=0),
    )
    overfit = search_candidate(deep, X, y, folds, CostWeights(), 0.05, seed=0)
    assert overfit.best.train_auc > 0.99
    assert overfit.best.auc_gap > 0.05
    assert not overfit.eligible
    assert "gap" in overfit.reason
    regularised = search_candidate(shallow, X, y, folds, CostWeights(), 0.05, seed=0)
    assert regularised.best.auc_gap <= 0.05
    assert regularised.eligible


def _result(name: str, cost: float, cv_auc: float, eligible: bool = True, baseline: bool = False):
    candidate = cands.Candidate(name, "E", "none", ({},), 1, lambda: None, baseline=baseline)
    return CandidateResult(
        candidate=candidate,
        best=_config(cv_auc, cv_auc),
        configs_tried=1,
        calibration=_CALIBRATION,
        threshold=ThresholdChoice(0.5, cost),
        eligible=eligible and not baseline,
        reason="" if eligible and not baseline else "baseline" if baseline else "gap",
        seconds=0.0,
    )


def test_champion_is_the_cheapest_eligible_candidate():
    results = [
        _result("baseline", 0.10, 0.5, baseline=True),
        _result("overfit", 0.20, 0.9, eligible=False),
        _result("dear", 0.50, 0.8),
        _result("cheap", 0.40, 0.7),
        _result("cheap-better-ranked", 0.40, 0.75),
    ]
    assert choose_champion(results).candidate.name == "cheap-better-ranked"


def test_no_eligible_candidate_is_an_error_naming_each_reason():
    results = [_result("baseline", 0.1, 0.5, baseline=True), _result("overfit", 0.2, 0.9, eligible=False)]
    with pytest.raises(TrainingError, match=r"baseline: baseline; overfit: gap"):
        choose_champion(results)


# --- fairness --------------------------------------------------------------------------------------


def test_age_bands_from_days_birth():
    years = np.array([18.0, 29.99, 30.0, 44.99, 45.0, 59.99, 60.0, 75.0, np.nan])
    labels = age_bands(-years * 365.25)
    assert labels.tolist() == ["<30", "<30", "30–45", "30–45", "45–60", "45–60", "60+", "60+", "missing"]


def test_fairness_figures_match_an_independent_computation():
    rng = np.random.default_rng(7)
    n = 3000
    gender = rng.choice(["F", "M", "XNA"], size=n, p=[0.6, 0.395, 0.005])
    y = (rng.random(n) < np.where(gender == "M", 0.12, 0.07)).astype(int)
    probability = np.clip(0.25 * y + rng.random(n) * 0.7, 0, 1)
    threshold = 0.45
    report = fairness_report(y, probability, threshold, {"CODE_GENDER": gender}, min_group_size=30)

    frame = pd.DataFrame({"g": gender, "y": y, "p": probability, "refused": probability >= threshold})
    for group, rows in frame.groupby("g"):
        figures = report["by_group"]["CODE_GENDER"][group]
        assert figures["n"] == len(rows)
        assert figures["approval_rate"] == pytest.approx(1 - rows.refused.mean())
        defaulters, good = rows[rows.y == 1], rows[rows.y == 0]
        assert figures["fnr"] == pytest.approx((~defaulters.refused).mean() if len(defaulters) else None)
        assert figures["fpr"] == pytest.approx(good.refused.mean())
        if rows.y.nunique() == 2:
            assert figures["auc"] == pytest.approx(roc_auc_score(rows.y, rows.p))

    big = frame[frame.g != "XNA"]  # XNA is below min_group_size: reported, left out of the gaps
    fpr = big[big.y == 0].groupby("g").refused.mean()
    gap = report["largest_gaps"]["CODE_GENDER"]["fpr"]
    assert gap["gap"] == pytest.approx(fpr.max() - fpr.min())
    assert {gap["highest"], gap["lowest"]} == {fpr.idxmax(), fpr.idxmin()}
    assert "XNA" in report["by_group"]["CODE_GENDER"]


def test_protected_groups_report_each_protected_column_and_age():
    applications = pd.DataFrame(
        {
            "CODE_GENDER": pd.Series(["F", "M", None, "F"], dtype="category"),
            "CNT_CHILDREN": [0, 1, 2, 3],
            "DAYS_BIRTH": [-20 * 365.25, -50 * 365.25, -70 * 365.25, -35 * 365.25],
        }
    )
    groups = protected_groups(applications, ("CODE_GENDER", "CNT_CHILDREN", "DAYS_BIRTH"))
    assert set(groups) == {"CODE_GENDER", "CNT_CHILDREN", AGE_ATTRIBUTE}
    assert groups["CODE_GENDER"].tolist() == ["F", "M", "missing", "F"]
    assert groups[AGE_ATTRIBUTE].tolist() == ["<30", "45–60", "60+", "30–45"]
    assert len(set(groups["CNT_CHILDREN"])) == 4  # numeric: quartile bands


def test_a_collapsed_candidate_ranking_no_better_than_chance_is_not_eligible():
    X, y = _classification(n=800, p=8, seed=4)
    X = X[:, 1:]  # without the row number
    folds = stratified_folds(y, 3, seed=0)
    collapsed = cands.Candidate(
        name="l1-everything-zero",
        estimator=cands.LOGISTIC_REGRESSION,
        imbalance="none",
        space=({"model__C": [1e-6], "model__l1_ratio": [1.0], "model__solver": ["liblinear"]},),
        configs=1,
        build=lambda: cands.build_pipeline(cands.LOGISTIC_REGRESSION, "none", seed=0),
    )
    result = search_candidate(collapsed, X, y, folds, CostWeights(), 0.05, seed=0)
    assert result.best.auc_gap <= 0.05  # the gap guard alone would let it through
    assert not result.eligible
    assert "chance" in result.reason
