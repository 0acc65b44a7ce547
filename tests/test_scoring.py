"""The pickle-free models and the Scorer, against the libraries they replace (scikit-learn, LightGBM)."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest
from imblearn.pipeline import Pipeline as ImbPipeline
from imblearn.under_sampling import RandomUnderSampler
from lightgbm import LGBMClassifier
from sklearn.dummy import DummyClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from credit_scoring.scoring.linear import LinearModel
from credit_scoring.scoring.model import MissingValueError, Preprocessing
from credit_scoring.scoring.scorer import MAX_REASONS, Scorer
from credit_scoring.scoring.trees import TreeEnsemble
from credit_scoring.training.export import ExportError, export_pipeline

TOLERANCE = 1e-9
N_FEATURES = 8
NAMES = tuple(f"f{i}" for i in range(N_FEATURES))


def _data(n: int = 600, seed: int = 0, missing: float = 0.15) -> tuple[np.ndarray, np.ndarray]:
    """Features with missing values, exact zeros and negative zeros; a target depending on several."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, N_FEATURES))
    X[:, 3] = np.where(rng.random(n) < 0.4, 0.0, X[:, 3])
    X[:, 4] = np.where(rng.random(n) < 0.2, -0.0, X[:, 4])
    X[rng.random((n, N_FEATURES)) < missing] = np.nan
    signal = (
        np.nan_to_num(X[:, 0])
        - 0.8 * np.nan_to_num(X[:, 1])
        + 0.5 * np.isnan(X[:, 2])
        + np.nan_to_num(X[:, 3])
    )
    y = (signal + rng.normal(size=n) > 0.3).astype(int)
    return X, y


def _edge_rows(X: np.ndarray) -> np.ndarray:
    """Rows with every value missing, zero, negative zero, a denormal, or huge."""
    special = np.array([np.nan, 0.0, -0.0, 1e-40, -1e-40, 1e300, -1e300])
    return np.vstack([X, np.repeat(special[:, np.newaxis], N_FEATURES, axis=1)])


# LinearModel ------------------------------------------------------------------------------------


def test_linear_contributions_are_exact_and_sum_to_the_raw_score() -> None:
    rng = np.random.default_rng(1)
    model = LinearModel(
        NAMES,
        rng.normal(size=N_FEATURES),
        -1.3,
        Preprocessing(
            rng.normal(size=N_FEATURES), rng.normal(size=N_FEATURES), rng.uniform(0.5, 2, N_FEATURES)
        ),
    )
    X, _ = _data()
    C = model.contributions(X)
    z = (
        np.where(np.isnan(X), model.preprocessing.impute, X) - model.preprocessing.center
    ) / model.preprocessing.scale
    np.testing.assert_array_equal(C[:, :-1], model.coef * z)
    np.testing.assert_array_equal(C[:, -1], -1.3)
    np.testing.assert_allclose(C.sum(axis=1), model.raw_score(X), rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        model.predict_proba(X), 1 / (1 + np.exp(-model.raw_score(X))), rtol=0, atol=1e-15
    )


def test_linear_json_round_trip_is_bit_exact() -> None:
    X, y = _data()
    exported = export_pipeline(
        make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression()).fit(X, y),
        NAMES,
        X,
    )
    again = LinearModel.from_json(json.loads(exported.model.dumps()))
    np.testing.assert_array_equal(again.raw_score(X), exported.model.raw_score(X))


def test_linear_without_imputation_names_the_missing_features() -> None:
    model = LinearModel(NAMES, np.ones(N_FEATURES), 0.0)
    x = np.zeros(N_FEATURES)
    x[[2, 5]] = np.nan
    with pytest.raises(MissingValueError, match="f2, f5") as caught:
        model.predict_proba(x)
    assert caught.value.features == ("f2", "f5")


@pytest.mark.parametrize(
    "field",
    [
        {"coef": [1.0]},
        {"intercept": None},
        {"kind": "lightgbm"},
        {"scale": [0.0] * N_FEATURES},
        {"features": "f0"},
    ],
)
def test_linear_from_json_rejects_a_malformed_model(field: dict) -> None:
    good = LinearModel(NAMES, np.ones(N_FEATURES), 0.5, Preprocessing(scale=np.ones(N_FEATURES))).to_json()
    with pytest.raises(ValueError, match=next(iter(field)) if "kind" not in field else "kind"):
        LinearModel.from_json({**good, **field})


# Export of scikit-learn pipelines --------------------------------------------------------------


@pytest.mark.parametrize(
    "steps",
    [
        [SimpleImputer(strategy="median"), StandardScaler(), RandomUnderSampler(random_state=0)],
        [SimpleImputer(strategy="mean")],
        [SimpleImputer(strategy="constant", fill_value=-1.0), StandardScaler(with_mean=False)],
        [StandardScaler()],
        [],
    ],
    ids=["impute-scale-sample", "impute-only", "constant-no-centering", "scale-only", "bare"],
)
def test_linear_export_reproduces_the_pipeline(steps: list) -> None:
    needs_complete = not any(isinstance(step, SimpleImputer) for step in steps)
    X, y = _data(missing=0.0 if needs_complete else 0.15)
    pipeline = ImbPipeline([(f"s{i}", step) for i, step in enumerate([*steps, LogisticRegression(C=0.5)])])
    pipeline.fit(X, y)
    exported = export_pipeline(pipeline, NAMES, X)
    assert exported.kind == "linear"
    assert exported.max_abs_diff <= TOLERANCE
    served = exported.model.predict_proba(X)
    np.testing.assert_allclose(served, pipeline.predict_proba(X)[:, 1], rtol=0, atol=TOLERANCE)


def test_linear_export_gives_features_never_observed_a_zero_contribution() -> None:
    X, y = _data()
    X[:, 6] = np.nan
    pipeline = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression())
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Skipping features without any observed values")
        pipeline.fit(X, y)
        exported = export_pipeline(pipeline, NAMES, X)
    assert exported.model.coef[6] == 0.0
    assert np.all(exported.contributions[:, 6] == 0.0)
    assert exported.max_abs_diff <= TOLERANCE


def test_export_of_a_dataframe_fitted_pipeline_uses_its_feature_names() -> None:
    import pandas as pd

    X, y = _data()
    pipeline = make_pipeline(SimpleImputer(), LogisticRegression()).fit(pd.DataFrame(X, columns=NAMES), y)
    assert export_pipeline(pipeline, NAMES, X).max_abs_diff <= TOLERANCE
    with pytest.raises(ExportError, match="other feature names"):
        export_pipeline(pipeline, tuple(reversed(NAMES)), X)


@pytest.mark.parametrize(
    ("pipeline", "message"),
    [
        (make_pipeline(SimpleImputer(), MinMaxScaler(), LogisticRegression()), "MinMaxScaler"),
        (make_pipeline(StandardScaler(), SimpleImputer(), LogisticRegression()), "SimpleImputer"),
        (make_pipeline(SimpleImputer(add_indicator=True), LogisticRegression()), "indicator"),
        (make_pipeline(SimpleImputer(), DummyClassifier()), "DummyClassifier has no serving form"),
    ],
    ids=["unknown-scaler", "scaler-before-imputer", "indicator", "dummy"],
)
def test_export_refuses_what_it_cannot_represent(pipeline: Pipeline, message: str) -> None:
    X, y = _data()
    pipeline.fit(X, y)
    with pytest.raises(ExportError, match=message):
        export_pipeline(pipeline, NAMES, X)


def test_export_refuses_a_multiclass_model() -> None:
    X, y = _data()
    pipeline = make_pipeline(SimpleImputer(), LogisticRegression()).fit(X, y + (X[:, 0] > 1))
    with pytest.raises(ExportError, match=r"binary classifier of classes \[0, 1\]"):
        export_pipeline(pipeline, NAMES, X)


class _DriftingPipeline(Pipeline):
    """A pipeline whose probabilities move by 1e-6: what a serving form that is not faithful looks like."""

    def predict_proba(self, X: np.ndarray, **params: object) -> np.ndarray:
        probabilities = super().predict_proba(X, **params)
        return probabilities + np.array([-1e-6, 1e-6])


def test_export_aborts_when_the_serving_form_differs_from_the_pipeline() -> None:
    X, y = _data()
    pipeline = _DriftingPipeline([("impute", SimpleImputer()), ("model", LogisticRegression())]).fit(X, y)
    with pytest.raises(
        ExportError, match=r"differs from the pipeline by 1e-06 on row \d+ \(tolerance 1e-09\)"
    ):
        export_pipeline(pipeline, NAMES, X)


# TreeEnsemble -------------------------------------------------------------------------------------


@pytest.fixture(
    scope="module",
    params=[
        {},
        {"use_missing": False},
        {"zero_as_missing": True},
        {"objective": "binary", "sigmoid": 0.7},
        {"min_child_samples": 5, "num_leaves": 31, "n_estimators": 60},
    ],
    ids=["nan-missing", "no-missing", "zero-as-missing", "sigmoid-0.7", "deep"],
)
def lightgbm(request: pytest.FixtureRequest) -> tuple[LGBMClassifier, TreeEnsemble, np.ndarray]:
    X, y = _data(n=800, seed=3)
    params = {
        "n_estimators": 40,
        "num_leaves": 12,
        "verbose": -1,
        "n_jobs": 1,
        "random_state": 0,
        **request.param,
    }
    classifier = LGBMClassifier(**params).fit(X, y)
    return classifier, TreeEnsemble(NAMES, classifier.booster_.model_to_string()), _edge_rows(X[:300])


def test_tree_ensemble_predicts_as_lightgbm(lightgbm: tuple) -> None:
    classifier, model, X = lightgbm
    np.testing.assert_allclose(
        model.predict_proba(X), classifier.predict_proba(X)[:, 1], rtol=0, atol=TOLERANCE
    )
    np.testing.assert_allclose(
        model.raw_score(X), model.sigmoid * classifier.predict(X, raw_score=True), rtol=0, atol=TOLERANCE
    )


def test_tree_shap_equals_lightgbm_pred_contrib(lightgbm: tuple) -> None:
    classifier, model, X = lightgbm
    expected = model.sigmoid * classifier.booster_.predict(X, pred_contrib=True)
    np.testing.assert_allclose(model.contributions(X), expected, rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(model.contributions(X).sum(axis=1), model.raw_score(X), rtol=0, atol=1e-9)


def test_tree_ensemble_of_single_leaf_trees_is_its_base_value() -> None:
    X, y = _data(n=100)
    classifier = LGBMClassifier(n_estimators=3, min_child_samples=1000, verbose=-1).fit(X, y)
    model = TreeEnsemble(NAMES, classifier.booster_.model_to_string())
    C = model.contributions(X[:5])
    assert np.all(C[:, :-1] == 0.0)
    np.testing.assert_allclose(C[:, -1], classifier.predict(X[:5], raw_score=True), rtol=0, atol=TOLERANCE)


def test_tree_ensemble_reads_only_its_input_columns_after_preprocessing() -> None:
    X, y = _data(n=600, seed=5)
    pipeline = ImbPipeline(
        [
            ("impute", SimpleImputer(strategy="median")),
            ("sample", RandomUnderSampler(random_state=0)),
            ("model", LGBMClassifier(n_estimators=30, num_leaves=8, verbose=-1, n_jobs=1)),
        ]
    )
    X[:, 7] = np.nan  # never observed: SimpleImputer drops it, the booster has 7 inputs
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Skipping features without any observed values")
        pipeline.fit(X, y)
        exported = export_pipeline(pipeline, NAMES, X)
    model = exported.model
    assert exported.kind == "lightgbm"
    assert model.input_columns.tolist() == list(range(7))
    again = TreeEnsemble.from_files(model.model_text, json.loads(model.dumps_preprocess()))
    np.testing.assert_array_equal(again.contributions(X[:50]), model.contributions(X[:50]))
    assert np.all(exported.contributions[:, 7] == 0.0)


def test_tree_ensemble_refuses_random_forest_boosting() -> None:
    X, y = _data(n=200)
    forest = LGBMClassifier(
        boosting_type="rf", bagging_freq=1, bagging_fraction=0.8, n_estimators=3, verbose=-1
    )
    with pytest.raises(ValueError, match="average_output"):
        TreeEnsemble(NAMES, forest.fit(X, y).booster_.model_to_string())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda text: text.replace("objective=binary sigmoid:1", "objective=regression"), "only binary"),
        (lambda text: text.replace("num_cat=0", "num_cat=1", 1), "categorical"),
        (lambda text: text.replace("\nend of trees", ""), "end of trees"),
        (lambda text: text.replace("leaf_count=", "leaf_count=1 ", 1), "leaf_count must hold"),
        (lambda text: "garbage", "not a LightGBM text model"),
    ],
    ids=["regression", "categorical", "truncated", "bad-array", "garbage"],
)
def test_tree_ensemble_refuses_models_it_cannot_evaluate(change, message: str) -> None:
    X, y = _data(n=200)
    text = LGBMClassifier(n_estimators=2, num_leaves=4, verbose=-1).fit(X, y).booster_.model_to_string()
    with pytest.raises(ValueError, match=message):
        TreeEnsemble(NAMES, change(text))


# Scorer --------------------------------------------------------------------------------------------


def _scorer(threshold: float = 0.5) -> Scorer:
    coef = np.array([2.0, -1.0, 0.5, 0.25, 3.0, -0.1, 0.2, 1.0])
    return Scorer(LinearModel(NAMES, coef, -0.5, Preprocessing(impute=np.zeros(N_FEATURES))), threshold)


def test_scorer_refuses_at_the_threshold_and_accepts_below() -> None:
    scorer = _scorer()
    x = np.zeros(N_FEATURES)
    x[0] = 0.25  # raw score 0: probability exactly 0.5
    at, below = scorer.decide(np.vstack([x, x - [1e-9, 0, 0, 0, 0, 0, 0, 0]]))
    assert (at.probability, at.prediction, at.decision) == (0.5, 1, "refused")
    assert (below.prediction, below.decision) == (0, "accepted")


def test_reasons_are_the_largest_positive_contributions_with_raw_values() -> None:
    scorer = _scorer()
    x = np.array([1.0, -2.0, np.nan, 4.0, 0.1, 5.0, 1.0, 0.3])
    (record,) = scorer.scores(x)
    contributions = scorer.model.contributions(x)[0, :-1]
    expected = sorted((j for j in range(N_FEATURES) if contributions[j] > 0), key=lambda j: -contributions[j])
    reasons = [j for j in record["reason_index"].tolist() if j >= 0]
    assert [NAMES[j] for j in reasons] == [NAMES[j] for j in expected[:MAX_REASONS]]
    assert len(reasons) == MAX_REASONS
    lines = scorer.explain(x).contributions
    for j, contribution in zip(reasons, record["reason_contribution"].tolist(), strict=True):
        assert contribution == contributions[j] > 0
        assert lines[j].value == x[j]


def test_a_missing_value_is_reported_as_none_and_negative_contributions_are_never_reasons() -> None:
    scorer = Scorer(
        LinearModel(NAMES, -np.ones(N_FEATURES), 0.0, Preprocessing(impute=-np.ones(N_FEATURES))), 0.5
    )
    x = np.full(N_FEATURES, 2.0)
    x[3] = np.nan
    (record,) = scorer.scores(x)
    reasons = [NAMES[j] for j in record["reason_index"].tolist() if j >= 0]
    assert reasons == ["f3"]  # imputed -1 times coef -1: the only positive
    assert scorer.explain(x).contributions[3].value is None


def test_explanation_sums_to_the_score_and_matches_precomputed_contributions() -> None:
    scorer = _scorer(threshold=0.3)
    x = np.array([1.0, -2.0, np.nan, 4.0, 0.1, 5.0, 1.0, 0.3])
    explanation = scorer.explain(x)
    total = explanation.base_value + math.fsum(c.contribution for c in explanation.contributions)
    assert total == pytest.approx(explanation.raw_score, abs=1e-12)
    assert explanation.probability == pytest.approx(scorer.model.predict_proba(x)[0], abs=1e-15)
    assert [c.feature for c in explanation.contributions] == list(NAMES)
    stored = scorer.model.contributions(x)[0]
    assert scorer.explain(x, stored) == explanation
    assert scorer.decide(x, stored) == scorer.decide(x)


def test_scorer_checks_shapes() -> None:
    scorer = _scorer()
    with pytest.raises(ValueError, match="expected 8 features"):
        scorer.decide(np.zeros(3))
    with pytest.raises(ValueError, match=r"contributions must have shape \(1, 9\)"):
        scorer.decide(np.zeros(N_FEATURES), np.zeros(4))
    with pytest.raises(ValueError, match="threshold"):
        Scorer(scorer.model, 1.5)


# Scorer.decide_arrays: the columnar decisions every per-row Decision is built from -------------------


def _reference_reasons(c: np.ndarray, max_reasons: int) -> list[int]:
    """The rule, written plainly: strictly positive contributions, largest first, ties in feature order."""
    positive = [j for j in range(len(c)) if c[j] > 0.0]
    return sorted(positive, key=lambda j: (-c[j], j))[:max_reasons]


def _tied_contributions(n: int, p: int, seed: int) -> np.ndarray:
    """Contributions on a coarse grid (many exact ties, zeros and negative zeros), some NaN, with rows of
    no, one or a few positive values; base value last."""
    rng = np.random.default_rng(seed)
    C = rng.integers(-3, 4, size=(n, p + 1)).astype(np.float64) / 2
    C[rng.random((n, p + 1)) < 0.1] = -0.0
    C[rng.random((n, p + 1)) < 0.05] = np.nan
    C[: n // 10, :p] = -np.abs(C[: n // 10, :p])  # no positive contribution at all
    few = slice(n // 10, n // 5)
    C[few, :p] = np.where(rng.random((n // 5 - n // 10, p)) < 0.15, 1.0, -1.0)  # fewer than max_reasons
    C[:, -1] = rng.normal(size=n)  # the base value: never a reason
    return C


@pytest.mark.parametrize("max_reasons", [1, 3, MAX_REASONS, 6])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_decide_arrays_equal_the_single_row_decisions_and_the_plain_rule(max_reasons: int, seed: int) -> None:
    p = 11
    names = tuple(f"g{j}" for j in range(p))
    scorer = Scorer(LinearModel(names, np.ones(p), 0.0), 0.5, max_reasons=max_reasons)
    n = 400
    C = _tied_contributions(n, p, seed)
    X = np.random.default_rng(seed + 10).normal(size=(n, p))
    X[np.random.default_rng(seed + 20).random((n, p)) < 0.2] = np.nan

    arrays = scorer.decide_arrays(X, C)
    assert (arrays.probability.shape, arrays.probability.dtype) == ((n,), np.float64)
    assert (arrays.prediction.shape, arrays.prediction.dtype) == ((n,), np.int8)
    assert arrays.reason_index.shape == (n, max_reasons)
    matrix = scorer.decide(X, C)
    for i in range(n):
        (single,) = scorer.decide(X[i], C[i])  # the single-row path of one application
        assert repr(matrix[i]) == repr(single)  # repr: exact for floats, and NaN (a NaN contribution) equal
        expected = _reference_reasons(C[i, :-1], max_reasons)
        chosen = arrays.reason_index[i].tolist()
        assert chosen == expected + [-1] * (max_reasons - len(expected))
        (record,) = scorer.scores(X[i], C[i])  # one row: the reasons' single-row path
        assert record["reason_index"].tolist() == chosen
        for contribution, j in zip(record["reason_contribution"].tolist(), expected, strict=False):
            assert contribution == C[i, j] > 0.0
        assert repr(single.probability) == repr(float(arrays.probability[i]))
        assert single.prediction == arrays.prediction[i] == int(arrays.probability[i] >= 0.5)
        assert single.decision == ("refused" if arrays.prediction[i] else "accepted")
    assert (arrays.reason_index[: n // 10] == -1).all()  # all-negative rows: no reason
    few = arrays.reason_index[n // 10 : n // 5]
    assert ((few >= 0).sum(axis=1) < max_reasons).any()  # rows with fewer positives than max_reasons


def test_decide_arrays_computes_contributions_like_decide_and_takes_stored_ones() -> None:
    scorer = _scorer(threshold=0.4)
    X, _ = _data(n=300, seed=3)
    X = _edge_rows(X)
    arrays = scorer.decide_arrays(X)
    stored = scorer.decide_arrays(X, scorer.model.contributions(X))
    for computed in (arrays, stored):
        np.testing.assert_array_equal(computed.probability, [d.probability for d in scorer.decide(X)])
        np.testing.assert_array_equal(computed.prediction, [d.prediction for d in scorer.decide(X)])
    np.testing.assert_array_equal(arrays.reason_index, stored.reason_index)
    (one,) = scorer.scores(X[0])
    single = scorer.decide_arrays(X[0])  # a vector is one row, as for decide
    assert single.reason_index.shape == (1, MAX_REASONS)
    assert single.reason_index[0].tolist() == one["reason_index"].tolist()


def test_decide_arrays_of_no_rows_and_checks_shapes() -> None:
    scorer = _scorer()
    empty = scorer.decide_arrays(np.empty((0, N_FEATURES)), np.empty((0, N_FEATURES + 1)))
    assert (empty.probability.shape, empty.prediction.shape) == ((0,), (0,))
    assert empty.reason_index.shape == (0, MAX_REASONS)
    assert scorer.decide(np.empty((0, N_FEATURES))) == []
    with pytest.raises(ValueError, match="expected 8 features"):
        scorer.decide_arrays(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"contributions must have shape \(2, 9\)"):
        scorer.decide_arrays(np.zeros((2, N_FEATURES)), np.zeros((2, 4)))
