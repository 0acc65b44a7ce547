"""`credit-scoring import-sklearn`: the predecessor's model served from a bundle passes its own tests,
and bad input stops the command with a message naming the file, column or line, writing nothing."""

from __future__ import annotations

import argparse
import pickle
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import InconsistentVersionWarning
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from credit_scoring.bundle.loader import load_bundle
from credit_scoring.cli import CommandError, import_sklearn

THRESHOLD = 0.5050505050505051
KNOWN_CLIENT, KNOWN_PROBABILITY = 127494, 0.08933094542391484
UNKNOWN_CLIENT = 326316


def _run(*argv: str | Path) -> int:
    """Run the sub-command as `credit-scoring import-sklearn ARGV` does."""
    parser = argparse.ArgumentParser(prog="credit-scoring")
    import_sklearn.register(parser.add_subparsers())
    args = parser.parse_args(["import-sklearn", *map(str, argv)])
    return args.run(args)


@pytest.fixture(scope="module")
def seed_bundle(seed_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seed") / "bundle"
    status = _run(
        "--model", seed_model_dir / "modele_retenu.pkl",
        "--scaler", seed_model_dir / "scaler.pkl",
        "--features", seed_model_dir / "df_sample.csv",
        "--threshold", repr(THRESHOLD),
        "--out", out,
    )  # fmt: skip
    assert status == 0
    return out


@pytest.mark.real_data
def test_served_predecessor_passes_its_own_tests(seed_bundle: Path) -> None:
    bundle = load_bundle(seed_bundle)
    row = bundle.store.row_index(KNOWN_CLIENT)
    (decision,) = bundle.scorer.decide(bundle.store.row(row), bundle.store.contributions(row))
    assert round(decision.probability, 8) == round(KNOWN_PROBABILITY, 8)
    assert (decision.prediction, decision.decision) == (0, "accepted")
    assert bundle.store.row_index(UNKNOWN_CLIENT) is None
    assert bundle.manifest.threshold == THRESHOLD


@pytest.mark.real_data
def test_served_predecessor_equals_the_unpickled_model_on_every_client(
    seed_bundle: Path, seed_model_dir: Path
) -> None:
    frame = pd.read_csv(seed_model_dir / "df_sample.csv")
    with pytest.warns(InconsistentVersionWarning, match="from version 1.6.1"):
        model = joblib.load(seed_model_dir / "modele_retenu.pkl")
    with pytest.warns(InconsistentVersionWarning, match="from version 1.6.1"):
        scaler = joblib.load(seed_model_dir / "scaler.pkl")
    expected = model.predict_proba(scaler.transform(frame[scaler.feature_names_in_]))[:, 1]
    bundle = load_bundle(seed_bundle)
    rows = [bundle.store.row_index(int(i)) for i in frame["SK_ID_CURR"]]
    served = [d.probability for d in bundle.scorer.decide(bundle.store.features[rows])]
    np.testing.assert_allclose(served, expected, rtol=0, atol=1e-9)


@pytest.mark.real_data
def test_import_records_what_it_is_and_where_it_came_from(seed_bundle: Path) -> None:
    manifest = load_bundle(seed_bundle).manifest
    assert manifest.protected is None  # application_features: null, POST /predict answers 409
    assert (manifest.model.kind, manifest.model.estimator, manifest.model.imbalance) == (
        "linear",
        "LogisticRegression",
        "class_weight",
    )
    assert len(manifest.features) == 521
    assert "TARGET" not in manifest.feature_names
    assert manifest.model.export_check.clients == manifest.store.clients == 100
    assert any("pickled by scikit-learn 1.6.1" in n for n in manifest.model.provenance["notices"])


# Bad input -------------------------------------------------------------------------------------------


@pytest.fixture
def small_model(tmp_path: Path) -> dict[str, Path]:
    """A small model, scaler and feature CSV in the predecessor's shape (booleans included)."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "SK_ID_CURR": np.arange(100_001, 100_041),
            "TARGET": rng.integers(0, 2, 40),
            "AMOUNT": rng.normal(size=40),
            "OWNS_CAR": rng.integers(0, 2, 40).astype(bool),
        }
    )
    features = frame[["AMOUNT", "OWNS_CAR"]].astype(float)
    scaler = StandardScaler().fit(features)
    model = LogisticRegression().fit(scaler.transform(features), frame["TARGET"])
    paths = {
        "model": tmp_path / "model.pkl",
        "scaler": tmp_path / "scaler.pkl",
        "features": tmp_path / "f.csv",
    }
    joblib.dump(model, paths["model"])
    joblib.dump(scaler, paths["scaler"])
    frame.to_csv(paths["features"], index=False)
    return paths


def _import(paths: dict[str, Path], out: Path, *extra: str) -> int:
    return _run(
        "--model", paths["model"], "--scaler", paths["scaler"], "--features", paths["features"],
        "--threshold", "0.5", "--out", out, *extra,
    )  # fmt: skip


def test_booleans_become_one_and_zero(small_model: dict[str, Path], tmp_path: Path) -> None:
    assert _import(small_model, tmp_path / "bundle") == 0
    bundle = load_bundle(tmp_path / "bundle")
    frame = pd.read_csv(small_model["features"])
    row = bundle.store.row_index(int(frame["SK_ID_CURR"][3]))
    assert bundle.store.row(row)[1] == float(frame["OWNS_CAR"][3])


def _rewrite_csv(paths: dict[str, Path], change) -> dict[str, Path]:
    frame = pd.read_csv(paths["features"])
    frame = change(frame)
    frame.to_csv(paths["features"], index=False)
    return paths


def _set(frame: pd.DataFrame, row: int, column: str, value: object) -> pd.DataFrame:
    frame[column] = frame[column].astype(object)
    frame.loc[row, column] = value
    return frame


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns="SK_ID_CURR"), "the SK_ID_CURR column is missing"),
        (
            lambda f: _set(f, 5, "SK_ID_CURR", f["SK_ID_CURR"][2]),
            "SK_ID_CURR 100003 appears twice .again on line 7",
        ),
        (lambda f: _set(f, 4, "AMOUNT", "lots"), "column AMOUNT, line 6: the value is not a number"),
        (lambda f: _set(f, 8, "AMOUNT", None), "column AMOUNT, line 10: the value is missing"),
        (lambda f: _set(f, 1, "SK_ID_CURR", "x1"), "SK_ID_CURR on line 3 is not a positive whole number"),
        (
            lambda f: f.drop(columns="OWNS_CAR"),
            "has 1 feature columns but the model was fitted on 2 features",
        ),
        (
            lambda f: f.rename(columns={"AMOUNT": "AMT"}),
            "column AMOUNT, which the model was fitted on, is missing",
        ),
        (lambda f: f.iloc[:0], "no client rows"),
    ],
    ids=[
        "no-id",
        "duplicate-id",
        "non-numeric",
        "missing-value",
        "bad-id",
        "feature-count",
        "names",
        "empty",
    ],
)
def test_bad_feature_csv_is_refused_naming_file_column_and_line(
    small_model: dict[str, Path], tmp_path: Path, change, message: str
) -> None:
    _rewrite_csv(small_model, change)
    with pytest.raises(CommandError, match=message) as caught:
        _import(small_model, tmp_path / "bundle")
    assert str(small_model["features"]) in str(caught.value)
    assert not (tmp_path / "bundle").exists()


def test_an_empty_csv_file_is_refused(small_model: dict[str, Path], tmp_path: Path) -> None:
    small_model["features"].write_text("")
    with pytest.raises(CommandError, match=r"f\.csv: not a readable CSV file"):
        _import(small_model, tmp_path / "bundle")


def test_missing_files_and_pickles_of_the_wrong_kind_are_refused(
    small_model: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "bundle"
    with pytest.raises(CommandError, match=r"absent\.pkl: no such file"):
        _import({**small_model, "model": tmp_path / "absent.pkl"}, out)
    with pytest.raises(
        CommandError, match=r"scaler\.pkl: holds a StandardScaler, not a probabilistic classifier"
    ):
        _import({**small_model, "model": small_model["scaler"]}, out)
    with pytest.raises(CommandError, match=r"model\.pkl: holds a LogisticRegression, not a fitted scaler"):
        _import({**small_model, "scaler": small_model["model"]}, out)
    garbage = tmp_path / "garbage.pkl"
    garbage.write_bytes(b"not a pickle at all")
    with pytest.raises(CommandError, match=r"garbage\.pkl: not a loadable joblib pickle"):
        _import({**small_model, "model": garbage}, out)
    plain = tmp_path / "plain.pkl"
    plain.write_bytes(pickle.dumps({"weights": [1, 2]}))
    with pytest.raises(CommandError, match=r"plain\.pkl: holds a dict"):
        _import({**small_model, "model": plain}, out)
    assert not out.exists()


def test_threshold_and_existing_output_are_checked_first(
    small_model: dict[str, Path], tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match=r"--threshold must be a probability between 0 and 1, got 1\.5"):
        _run(
            "--model", small_model["model"], "--features", small_model["features"],
            "--threshold", "1.5", "--out", tmp_path / "b",
        )  # fmt: skip
    (tmp_path / "taken").mkdir()
    with pytest.raises(CommandError, match="already exists"):
        _import(small_model, tmp_path / "taken")
    assert _import(small_model, tmp_path / "taken", "--overwrite") == 0
    assert load_bundle(tmp_path / "taken").manifest.store.clients == 40
