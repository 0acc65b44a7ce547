"""`credit-scoring evaluate`: a bundle's decisions on labelled clients, measured through the serving
scorer, against an independent computation with the fitted pipeline; and its refusals of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import joblib
import numpy as np
import pytest
from bundle_factory import build_test_bundle, random_applications
from sklearn.metrics import roc_auc_score

from credit_scoring import schema
from credit_scoring.bundle.manifest import read_manifest
from credit_scoring.cli import main
from credit_scoring.training.feature_frame import build_features

EVALUATED_CLIENTS = 400


@pytest.fixture(scope="module", params=["linear", "lightgbm"])
def bundle(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_test_bundle(tmp_path_factory.mktemp(request.param) / "bundle", kind=request.param, seed=0)


@pytest.fixture(scope="module")
def labelled_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """New clients (another seed than the bundle's), with their outcome."""
    directory = tmp_path_factory.mktemp("labelled")
    random_applications(EVALUATED_CLIENTS, seed=1).to_csv(directory / "application_train.csv", index=False)
    return directory


def _evaluate(bundle: Path, data: Path) -> int:
    return main(["evaluate", "--bundle", str(bundle), "--data", str(data)])


def test_the_last_line_is_json_matching_the_fitted_pipeline(bundle, labelled_dir, capsys):
    assert _evaluate(bundle, labelled_dir) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    result = json.loads(lines[-1])
    assert len(lines) > 1  # a human summary comes first

    manifest = read_manifest(bundle)
    frame = build_features(
        {schema.APPLICATION: random_applications(EVALUATED_CLIENTS, seed=1)}, ("CODE_GENDER",)
    )
    probability = joblib.load(bundle / "model.joblib").predict_proba(frame.X)[:, 1]
    y = frame.target
    refused = probability >= manifest.threshold
    fn, fp = int(np.sum(~refused & (y == 1))), int(np.sum(refused & (y == 0)))
    tp, tn = int(np.sum(refused & (y == 1))), int(np.sum(~refused & (y == 0)))
    assert result["n"] == EVALUATED_CLIENTS
    assert result["threshold"] == manifest.threshold
    assert result["auc"] == pytest.approx(roc_auc_score(y, probability), abs=1e-9)
    assert result["confusion_matrix"] == {"tn": tn, "fp": fp, "fn": fn, "tp": tp}
    cost = manifest.cost
    assert result["business_cost"] == pytest.approx((cost["fn"] * fn + cost["fp"] * fp) / EVALUATED_CLIENTS)
    assert result["precision"] == pytest.approx(tp / (tp + fp))
    assert result["recall"] == pytest.approx(tp / (tp + fn))
    assert result["model_version"] == manifest.model_version


def _tamper(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("file", "damage"),
    [
        ("serving/model.json", _tamper),
        ("model.joblib", _tamper),
        ("store/ids.npy", Path.unlink),
    ],
)
def test_a_bundle_that_does_not_verify_is_refused_naming_the_file(
    file, damage, labelled_dir, tmp_path, capsys
):
    bundle = build_test_bundle(tmp_path / "bundle", kind="linear", n_clients=120, seed=2)
    damage(bundle / file)
    assert _evaluate(bundle, labelled_dir) == 2
    error = capsys.readouterr().err
    assert file in error
    assert "Traceback" not in error


def test_a_missing_bundle_is_refused(labelled_dir, tmp_path, capsys):
    assert _evaluate(tmp_path / "nowhere", labelled_dir) == 2
    assert "manifest.json" in capsys.readouterr().err


def test_unlabelled_or_broken_data_is_refused_naming_the_column(bundle, tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    frame = random_applications(50, seed=4)
    frame.loc[2, schema.TARGET] = 3
    frame.to_csv(data / "application_train.csv", index=False)
    assert _evaluate(bundle, data) == 2
    error = capsys.readouterr().err
    assert "application_train.csv line 4" in error
    assert schema.TARGET in error


def test_a_missing_data_directory_is_refused(bundle, tmp_path, capsys):
    assert _evaluate(bundle, tmp_path / "absent") == 2
    assert str(tmp_path / "absent") in capsys.readouterr().err


@pytest.mark.real_data
def test_an_imported_model_without_application_features_is_refused(
    seed_model_dir, labelled_dir, tmp_path, capsys
):
    bundle = tmp_path / "imported"
    imported = main(
        [
            "import-sklearn",
            "--model", str(seed_model_dir / "modele_retenu.pkl"),
            "--scaler", str(seed_model_dir / "scaler.pkl"),
            "--features", str(seed_model_dir / "df_sample.csv"),
            "--threshold", "0.5050505050505051",
            "--out", str(bundle),
        ]
    )  # fmt: skip
    assert imported == 0
    capsys.readouterr()
    assert _evaluate(bundle, labelled_dir) == 2
    assert "cannot be computed from application data" in capsys.readouterr().err
