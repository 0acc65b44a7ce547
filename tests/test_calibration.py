"""Calibrated probabilities: the serving map equals scikit-learn's calibrators, calibration never learns
from the clients it calibrates, every entry point serves the calibrated probability, and the model card
holds what a risk team signs."""

from __future__ import annotations

import json
from pathlib import Path

import joblib
import numpy as np
import pytest
from bundle_factory import build_test_bundle
from sklearn.model_selection import StratifiedKFold

from credit_scoring.bundle.errors import BundleError
from credit_scoring.bundle.loader import load_bundle
from credit_scoring.scoring.calibration import Calibration
from credit_scoring.scoring.model import sigmoid
from credit_scoring.training.calibration import (
    CalibratedPipeline,
    calibrated_probability,
    choose_calibration,
    cross_fitted,
    fit_calibrator,
    log_odds,
    serving_calibration,
)
from credit_scoring.training.cost import CostWeights
from credit_scoring.training.fairness import fairness_report
from credit_scoring.training.metrics import expected_calibration_error
from credit_scoring.training.model_card import markdown, model_card, reliability_svg


def _overconfident(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Raw scores of a model that overstates the risk: the true log-odds are raw / 2 − 2."""
    rng = np.random.default_rng(seed)
    raw = rng.normal(0.0, 2.0, n)
    y = (rng.random(n) < sigmoid(raw / 2 - 2)).astype(np.int64)
    return raw, y


@pytest.mark.parametrize("method", ["sigmoid", "isotonic"])
def test_the_serving_map_equals_the_fitted_calibrator(method: str) -> None:
    raw, y = _overconfident(3000, seed=1)
    calibrator = fit_calibrator(method, raw, y)
    served = serving_calibration(calibrator)
    probe = np.concatenate([np.linspace(-12, 12, 2001), [-1e3, 1e3]])  # beyond the knots too
    np.testing.assert_allclose(
        served.probability(probe), calibrated_probability(calibrator, probe), atol=1e-12
    )
    again = Calibration.from_json(json.loads(served.dumps()))
    assert np.array_equal(again.probability(probe), served.probability(probe))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"method": "sigmoid", "slope": "x", "intercept": 0.0}, "slope"),
        ({"method": "isotonic", "raw_knots": [0.0, 1.0], "probability_knots": [0.5, 0.2]}, "non-decreasing"),
        ({"method": "isotonic", "raw_knots": [0.0, 1.0], "probability_knots": [0.5]}, "probability_knots"),
        ({"method": "isotonic", "raw_knots": [0.0], "probability_knots": [1.5]}, "between 0 and 1"),
        ({"method": "platt"}, "method"),
    ],
)
def test_a_malformed_calibration_is_refused_naming_what_is_wrong(data: dict, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        Calibration.from_json(data)


def test_calibration_fixes_overstated_risk_and_never_learns_from_the_clients_it_calibrates() -> None:
    raw, y = _overconfident(4000, seed=2)
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(raw.reshape(-1, 1), y))
    choice = choose_calibration(sigmoid(raw), y, folds)
    assert choice.method in ("sigmoid", "isotonic")
    assert set(choice.scores) == {"sigmoid", "isotonic"}
    assert expected_calibration_error(y, sigmoid(raw)) > 0.1
    assert expected_calibration_error(y, choice.oof) < 0.03
    assert abs(choice.oof.mean() - y.mean()) < 0.01
    # A fold's calibrated probabilities come from a map fitted on the other folds only: changing that
    # fold's outcomes leaves them as they were.
    _, first = folds[0]
    flipped = y.copy()
    flipped[first] = 1 - flipped[first]
    again = choose_calibration(sigmoid(raw), flipped, folds)
    for method in ("sigmoid", "isotonic"):
        assert np.array_equal(
            cross_fitted(method, log_odds(sigmoid(raw)), y, folds)[first],
            cross_fitted(method, log_odds(sigmoid(raw)), flipped, folds)[first],
        )
    assert not np.array_equal(again.oof, choice.oof)


@pytest.mark.parametrize("kind", ["linear", "lightgbm"])
def test_a_bundle_serves_the_calibrated_pipeline_probability(tmp_path: Path, kind: str) -> None:
    bundle_dir = build_test_bundle(tmp_path / "bundle", kind=kind, n_clients=400, seed=3)
    bundle = load_bundle(bundle_dir)
    manifest = bundle.manifest
    assert manifest.model.calibration_file in manifest.files
    pipeline = joblib.load(bundle_dir / "model.joblib")
    assert isinstance(pipeline, CalibratedPipeline)
    store = bundle.store
    expected = pipeline.predict_proba(store.features)[:, 1]
    served = [decision.probability for decision in bundle.scorer.decide(store.features)]
    np.testing.assert_allclose(served, expected, atol=1e-9)
    np.testing.assert_allclose(store.all_scores["probability"], expected, atol=1e-9)
    uncalibrated = pipeline.uncalibrated_proba(store.features)
    assert not np.allclose(served, uncalibrated, atol=1e-3)  # the calibration is really applied
    explanation = bundle.scorer.explain(store.features[0])
    assert explanation.probability == pytest.approx(expected[0], abs=1e-9)
    assert sigmoid(np.float64(explanation.raw_score)) == pytest.approx(uncalibrated[0], abs=1e-9)


def test_an_altered_calibration_file_is_refused(tmp_path: Path) -> None:
    bundle_dir = build_test_bundle(tmp_path / "bundle", n_clients=200, seed=4)
    name = load_bundle(bundle_dir).manifest.model.calibration_file
    path = bundle_dir / name
    data = json.loads(path.read_text())
    data["method"] = "sigmoid" if data["method"] == "isotonic" else "isotonic"
    path.write_text(json.dumps(data))
    with pytest.raises(BundleError) as refused:
        load_bundle(bundle_dir)
    assert refused.value.file == name


def test_the_model_card_reports_intervals_calibration_costs_and_fairness() -> None:
    raw, y = _overconfident(2000, seed=5)
    probability = sigmoid(raw / 2 - 2)
    groups = np.where(np.arange(y.size) % 3 == 0, "F", "M").astype(object)
    fairness = fairness_report(y, probability, 0.1, {"CODE_GENDER": groups})
    card = model_card(
        y,
        probability,
        0.1,
        CostWeights(),
        {"method": "sigmoid", "calibrated": True, "cv": {"sigmoid": {"brier": 0.1, "log_loss": 0.3}}},
        fairness,
        seed=0,
        resamples=200,
    )
    auc = card["discrimination"]["auc"]
    assert auc["ci95"][0] < auc["value"] < auc["ci95"][1]
    assert card["discrimination"]["gini"]["value"] == pytest.approx(2 * auc["value"] - 1)
    calibration = card["calibration"]
    assert sum(row["n"] for row in calibration["reliability"]) == y.size
    assert calibration["brier"] < calibration["brier_base_rate"]
    assert card["threshold"]["decision_theory"] == pytest.approx(1 / 11)
    costs = {point["threshold"]: point["cost"] for point in card["cost_curve"]}
    assert card["cost"]["at_threshold"] == pytest.approx(costs[0.1])
    lo, hi = card["threshold"]["flat_between"]
    assert min(costs.values()) >= 0
    assert lo <= hi
    rows = card["fairness"]["by_group"]["CODE_GENDER"]
    assert max(row["adverse_impact_ratio"] for row in rows.values()) == pytest.approx(1.0)
    for row in rows.values():
        assert row["calibration_gap"] == pytest.approx(row["mean_probability"] - row["default_rate"])
    svg = reliability_svg(card)
    assert svg.count("<circle") == len(calibration["reliability"])
    assert "<title>" in svg
    text = markdown(card)
    assert "| CODE_GENDER | F |" in text
    assert "reliability.svg" in text


LAST_LINKED_TRAINING_ID = 105849
"""home-credit-linked's training clients are the real sample's first 5,000: train on them, judge the rest."""


@pytest.mark.real_data
@pytest.mark.slow
def test_real_clients_no_model_saw_get_probabilities_that_match_their_default_rate(
    real_sample_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import pandas as pd

    from credit_scoring.cli import main

    applications = pd.read_csv(real_sample_dir / "application_train.csv")
    for name, part in (
        ("train", applications[applications["SK_ID_CURR"] <= LAST_LINKED_TRAINING_ID]),
        ("held-out", applications[applications["SK_ID_CURR"] > LAST_LINKED_TRAINING_ID]),
    ):
        (tmp_path / name).mkdir()
        part.to_csv(tmp_path / name / "application_train.csv", index=False)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", (tmp_path / "mlruns").as_uri())
    bundle = tmp_path / "bundle"
    common = ["--application-only"]
    trained = ["train", "--data", str(tmp_path / "train"), "--out", str(bundle), "--search", "quick"]
    assert main([*trained, *common, "--seed", "42", "--store-clients", "300", "--jobs", "1"]) == 0
    capsys.readouterr()
    assert main(["evaluate", "--bundle", str(bundle), "--data", str(tmp_path / "held-out"), *common]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    calibration = result["calibration"]
    assert result["calibrated"] is True
    assert result["n"] == 1999
    # The goals, on clients that neither training, calibration nor the threshold search saw.
    assert calibration["ece"] <= 0.02
    assert calibration["brier"] <= 0.95 * calibration["brier_base_rate"]
    assert abs(calibration["mean_probability"] - calibration["default_rate"]) <= 0.015
    assert result["auc"] >= 0.74
