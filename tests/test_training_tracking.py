"""MLflow tracking of a training: where runs go, what each candidate's nested run holds, and how a
failed or interrupted training ends its run (never left RUNNING)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from mlflow import MlflowClient
from mlflow.utils.mlflow_tags import MLFLOW_PARENT_RUN_ID

from credit_scoring.training import candidates as cands
from credit_scoring.training.calibration import CalibrationChoice
from credit_scoring.training.cost import ThresholdChoice
from credit_scoring.training.report import candidate_rows, csv_table, markdown_table
from credit_scoring.training.search import CandidateResult, ConfigResult
from credit_scoring.training.tracking import EXPERIMENT, resolve_tracking_uri, training_run

_CALIBRATION = CalibrationChoice(
    "sigmoid",
    None,
    np.zeros(3),
    {"sigmoid": {"brier": 0.070, "log_loss": 0.25}, "isotonic": {"brier": 0.071, "log_loss": 0.26}},
)


def _result(name: str, cv_auc: float, cost: float, eligible: bool = True) -> CandidateResult:
    return CandidateResult(
        candidate=cands.Candidate(name, cands.LOGISTIC_REGRESSION, "class_weight", ({},), 2, lambda: None),
        best=ConfigResult({"model__C": 0.02}, cv_auc, 0.01, cv_auc + 0.03, np.zeros(3)),
        configs_tried=2,
        calibration=_CALIBRATION,
        threshold=ThresholdChoice(0.47, cost),
        eligible=eligible,
        reason="" if eligible else "train-CV AUC gap 0.080 > 0.05",
        seconds=1.5,
    )


def _runs(uri: str) -> list:
    client = MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name(EXPERIMENT)
    return client.search_runs([experiment.experiment_id])


@pytest.fixture
def tracking(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    uri = (tmp_path / "mlruns").as_uri()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    return uri


def test_candidates_are_nested_runs_with_their_scores_and_the_champion_tagged(tracking):
    results = [_result("lr-a", 0.74, 0.51), _result("lr-b", 0.76, 0.55, eligible=False)]
    rows = candidate_rows(results, champion="lr-a")
    with training_run("train-test", {"search": "quick", "seed": 7}) as run:
        for result in results:
            run.log_candidate(result, folds=5)
        run.log_outcome(
            "lr-a",
            metrics={"test_auc": 0.75, "test_precision": None},
            tags={"model_version": "v1"},
            artifacts={"candidates.md": markdown_table(rows), "candidates.csv": csv_table(rows)},
        )
    runs = {run.info.run_name: run for run in _runs(tracking)}
    parent = runs["train-test"]
    assert parent.info.status == "FINISHED"
    assert parent.data.params == {"search": "quick", "seed": "7"}
    assert parent.data.metrics == {"test_auc": 0.75}  # an undefined metric is not logged
    assert parent.data.tags["champion"] == "lr-a"
    assert parent.data.tags["model_version"] == "v1"
    for name, result in (("lr-a", results[0]), ("lr-b", results[1])):
        child = runs[name]
        assert child.data.tags[MLFLOW_PARENT_RUN_ID] == parent.info.run_id
        assert child.info.status == "FINISHED"
        assert child.data.params["model__C"] == "0.02"
        assert child.data.params["folds"] == "5"
        assert child.data.metrics["cv_auc"] == pytest.approx(result.best.cv_auc)
        assert child.data.metrics["train_auc"] == pytest.approx(result.best.train_auc)
        assert child.data.metrics["auc_gap"] == pytest.approx(result.best.auc_gap)
        assert child.data.metrics["business_cost"] == pytest.approx(result.threshold.cost_per_client)
        assert child.data.metrics["threshold"] == pytest.approx(0.47)
    assert runs["lr-a"].data.tags["champion"] == "true"
    assert "champion" not in runs["lr-b"].data.tags
    assert runs["lr-b"].data.tags["eligible"] == "false"
    client = MlflowClient(tracking_uri=tracking)
    assert {item.path for item in client.list_artifacts(parent.info.run_id)} == {
        "candidates.md",
        "candidates.csv",
    }


def _fail_after_one_candidate() -> None:
    with training_run("failing", {}) as run:
        run.log_candidate(_result("lr-a", 0.7, 0.5), folds=3)
        raise ValueError("boom")


def test_a_failed_training_ends_its_run_failed_and_the_next_one_runs(tracking):
    with pytest.raises(ValueError, match="boom"):
        _fail_after_one_candidate()
    with training_run("next", {}):
        pass
    statuses = {run.info.run_name: run.info.status for run in _runs(tracking)}
    assert statuses == {"failing": "FAILED", "lr-a": "FINISHED", "next": "FINISHED"}


def test_an_interrupted_training_ends_its_run_killed(tracking):
    with pytest.raises(KeyboardInterrupt), training_run("interrupted", {}):
        raise KeyboardInterrupt
    assert [run.info.status for run in _runs(tracking)] == ["KILLED"]


def test_the_default_store_is_mlruns_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("MLFLOW_ALLOW_FILE_STORE", raising=False)
    monkeypatch.chdir(tmp_path)
    assert resolve_tracking_uri() == (tmp_path / "mlruns").as_uri()
    with training_run("default", {}):
        pass
    assert [run.info.run_name for run in _runs((tmp_path / "mlruns").as_uri())] == ["default"]


def test_the_comparison_table_has_a_row_per_candidate(tracking):
    rows = candidate_rows([_result("lr-a", 0.74, 0.51), _result("lr-b", 0.76, 0.55, False)], "lr-a")
    markdown = markdown_table(rows).splitlines()
    assert len(markdown) == 2 + len(rows)
    assert markdown[2].startswith("| lr-a | LogisticRegression | class_weight | 0.7400 |")
    csv_lines = csv_table(rows).splitlines()
    assert csv_lines[0].startswith("name,estimator,imbalance,cv_auc")
    assert csv_lines[2].startswith("lr-b,")
    assert [row["champion"] for row in rows] == [True, False]
    assert rows[1]["reason"].startswith("train-CV AUC gap")
