"""`credit-scoring train`: bad input refused with the file, column and line named and nothing written;
and one end-to-end training on synthetic clients whose bundle the serving loader verifies."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from mlflow import MlflowClient
from mlflow.utils.mlflow_tags import MLFLOW_PARENT_RUN_ID
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from credit_scoring import schema
from credit_scoring.bundle.loader import load_bundle
from credit_scoring.cli import main
from credit_scoring.data import load_tables
from credit_scoring.synth import generate_tables, write_tables
from credit_scoring.training.feature_frame import build_features
from credit_scoring.training.tracking import EXPERIMENT

CLIENTS = 1500
STORE_CLIENTS = 400
SEED = 3


def _train(data: Path, out: Path, *extra: str) -> int:
    return main(["train", "--data", str(data), "--out", str(out), *extra])


# --- bad input ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_tables() -> dict[str, pd.DataFrame]:
    return generate_tables(300, seed=8)


def _write(directory: Path, tables: dict[str, pd.DataFrame]) -> Path:
    directory.mkdir()
    for table, frame in tables.items():
        frame.to_csv(directory / f"{table}.csv", index=False)
    return directory


def _application(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return tables[schema.APPLICATION].copy()


def _missing_column(tables):
    return {schema.APPLICATION: _application(tables).drop(columns="AMT_CREDIT")}


def _text_amount(tables):
    frame = _application(tables)
    frame["AMT_INCOME_TOTAL"] = frame["AMT_INCOME_TOTAL"].astype(object)
    frame.loc[5, "AMT_INCOME_TOTAL"] = "a lot"
    return {schema.APPLICATION: frame}


def _target_two(tables):
    frame = _application(tables)
    frame.loc[3, schema.TARGET] = 2
    return {schema.APPLICATION: frame}


def _duplicate_bureau_credit(tables):
    bureau = tables["bureau"].copy()
    bureau.loc[0, "SK_ID_BUREAU"] = bureau.loc[1, "SK_ID_BUREAU"]
    return {schema.APPLICATION: _application(tables), "bureau": bureau}


@pytest.mark.parametrize(
    ("corrupt", "expected"),
    [
        (_missing_column, ["application_train.csv", "AMT_CREDIT"]),
        (_text_amount, ["application_train.csv line 7", "AMT_INCOME_TOTAL", "a lot"]),
        (_target_two, ["application_train.csv line 5", "TARGET"]),
        (_duplicate_bureau_credit, ["bureau.csv line 3", "SK_ID_BUREAU", "appears more than once"]),
    ],
)
def test_bad_data_is_refused_naming_file_column_and_line(corrupt, expected, small_tables, tmp_path, capsys):
    data = _write(tmp_path / "data", corrupt(small_tables))
    assert _train(data, tmp_path / "bundle") == 2
    error = capsys.readouterr().err
    for fragment in expected:
        assert fragment in error
    assert "Traceback" not in error
    assert not (tmp_path / "bundle").exists()
    assert [path.name for path in tmp_path.iterdir()] == ["data"]  # no partial bundle beside it


def test_application_only_does_not_read_the_history_tables(small_tables, tmp_path, capsys):
    data = _write(tmp_path / "data", _duplicate_bureau_credit(small_tables))
    assert _train(data, tmp_path / "bundle", "--application-only") == 2
    error = capsys.readouterr().err
    # bureau.csv is only listed among the files not read, never read or checked.
    assert [line for line in error.splitlines() if "bureau.csv" in line] == [
        "notice: files ignored (not a table read here): bureau.csv"
    ]
    assert "TARGET has" in error  # it went on to the next check: too few defaults in 300 clients


def test_an_empty_application_file_is_refused(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    (data / "application_train.csv").write_bytes(b"")
    assert _train(data, tmp_path / "bundle") == 2
    assert "application_train.csv" in capsys.readouterr().err
    assert not (tmp_path / "bundle").exists()


@pytest.mark.parametrize("make", [lambda path: None, lambda path: path.write_text("not a directory")])
def test_an_unusable_data_directory_is_refused(make, tmp_path, capsys):
    data = tmp_path / "data"
    make(data)
    assert _train(data, tmp_path / "bundle") == 2
    assert str(data) in capsys.readouterr().err


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--protected", "GENDER"], "protected column GENDER"),
        (["--cost-fn", "-1"], "--cost-fn/--cost-fp"),
        (["--test-size", "0"], "test size"),
        (["--jobs", "0"], "--jobs"),
    ],
)
def test_bad_options_are_refused_naming_the_option(options, expected, small_tables, tmp_path, capsys):
    data = _write(tmp_path / "data", {schema.APPLICATION: _application(small_tables)})
    assert _train(data, tmp_path / "bundle", *options) == 2
    assert expected in capsys.readouterr().err
    assert not (tmp_path / "bundle").exists()


def test_too_few_defaults_for_the_search_is_refused(small_tables, tmp_path, capsys):
    data = _write(tmp_path / "data", {schema.APPLICATION: _application(small_tables)})
    assert _train(data, tmp_path / "bundle") == 2  # 300 clients: about 20 defaults for 5 folds
    assert "application_train.csv: TARGET has" in capsys.readouterr().err


def test_an_existing_bundle_is_not_replaced_without_overwrite(small_tables, tmp_path, capsys):
    data = _write(tmp_path / "data", {schema.APPLICATION: _application(small_tables)})
    out = tmp_path / "bundle"
    out.mkdir()
    (out / "keep.txt").write_text("previous")
    assert _train(data, out) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert (out / "keep.txt").read_text() == "previous"


# --- end to end -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory):
    """One `train --search quick` on synthetic clients: exit status, stdout, stderr, bundle, MLflow URI."""
    root = tmp_path_factory.mktemp("end-to-end")
    data = write_tables(generate_tables(CLIENTS, seed=SEED), root / "data")
    uri = (root / "mlruns").as_uri()
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_TRACKING_URI", uri)
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            # A small synthetic set overfits more than the real data: a looser guard keeps candidates.
            status = _train(
                data,
                root / "bundle",
                *("--seed", str(SEED), "--max-auc-gap", "0.1", "--store-clients", str(STORE_CLIENTS)),
            )
    return status, stdout.getvalue(), stderr.getvalue(), data, root / "bundle", uri


@pytest.mark.slow
def test_train_writes_a_bundle_that_the_serving_loader_verifies(trained):
    status, stdout, stderr, _, out, _ = trained
    assert status == 0, stderr
    bundle = load_bundle(out)
    manifest = bundle.manifest
    assert manifest.store.clients == STORE_CLIENTS
    stored = np.load(out / "store" / "ids.npy")
    all_ids = build_features(load_tables(trained[3]), ("CODE_GENDER",)).ids
    assert len(stored) == STORE_CLIENTS
    assert set(stored.tolist()) <= set(all_ids.tolist())
    assert manifest.protected == ("CODE_GENDER",)
    assert not [name for name in manifest.feature_names if "GENDER" in name]
    rows = manifest.candidates
    assert len(rows) == 13
    (champion,) = [row for row in rows if row["champion"]]
    assert champion["business_cost"] == min(row["business_cost"] for row in rows if row["eligible"])
    assert champion["estimator"] != "DummyClassifier"
    assert manifest.threshold == champion["threshold"]
    assert all(bundle.store.lookup(client) is not None for client in manifest.example_client_ids)
    assert f"champion: {champion['name']}" in stdout
    assert stdout.count("\n| ") >= 13  # the comparison table, one row per candidate
    saved_table = (out / "reports" / "candidates.md").read_text(encoding="utf-8")
    assert all(f"| {row['name']} " in saved_table for row in rows)
    assert "reports/candidates.csv" in manifest.files
    progress = [line for line in stderr.splitlines() if line.startswith("[")]
    assert len(progress) == 13
    assert all("elapsed" in line for line in progress)


@pytest.mark.slow
def test_train_test_metrics_match_an_independent_computation(trained):
    _, _, _, data, out, _ = trained
    manifest = load_bundle(out).manifest
    frame = build_features(load_tables(data), ("CODE_GENDER",))
    _, test_rows = train_test_split(
        np.arange(CLIENTS), test_size=0.2, stratify=frame.target, random_state=SEED
    )
    probability = joblib.load(out / "model.joblib").predict_proba(frame.X[test_rows])[:, 1]
    y = frame.target[test_rows]
    refused = probability >= manifest.threshold
    fn, fp = int(np.sum(~refused & (y == 1))), int(np.sum(refused & (y == 0)))
    test = manifest.metrics["test"]
    assert test["n"] == test_rows.size
    assert test["auc"] == pytest.approx(roc_auc_score(y, probability))
    assert test["confusion_matrix"] == {
        "tn": int(np.sum(~refused & (y == 0))),
        "fp": fp,
        "fn": fn,
        "tp": int(np.sum(refused & (y == 1))),
    }
    assert test["business_cost"] == pytest.approx((10 * fn + fp) / test_rows.size)
    for attribute in ("CODE_GENDER", "AGE_BAND"):
        groups = manifest.fairness["by_group"][attribute]
        assert sum(group["n"] for group in groups.values()) == test_rows.size


@pytest.mark.slow
def test_train_records_every_candidate_in_mlflow(trained):
    _, _, _, _, out, uri = trained
    manifest = load_bundle(out).manifest
    client = MlflowClient(tracking_uri=uri)
    runs = client.search_runs([client.get_experiment_by_name(EXPERIMENT).experiment_id])
    (parent,) = [run for run in runs if MLFLOW_PARENT_RUN_ID not in run.data.tags]
    assert parent.info.status == "FINISHED"
    assert parent.data.tags["model_version"] == manifest.model_version
    children = [run for run in runs if run.data.tags.get(MLFLOW_PARENT_RUN_ID) == parent.info.run_id]
    assert sorted(run.info.run_name for run in children) == sorted(row["name"] for row in manifest.candidates)
