"""GET /model-health: the latest drift and realised performance, from a local directory that
`credit-scoring monitor --summary-dir` fills, or from the bucket the deployed monitoring writes to."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from bundle_factory import build_test_bundle, random_applications
from fastapi.testclient import TestClient
from test_batch import BUCKET, Aws, FakeContext
from test_batch import aws as batch_aws  # noqa: F401 (test_batch's moto bucket and queue fixture)

from credit_scoring import schema
from credit_scoring.api.app import create_app
from credit_scoring.api.model_health import ModelHealthResponse
from credit_scoring.batch.handlers import handle_s3_event
from credit_scoring.bundle.loader import LoadedBundle, load_bundle
from credit_scoring.cli import main
from credit_scoring.monitoring.summaries import PERFORMANCE_LATEST, REQUESTS_DRIFT_LATEST


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> LoadedBundle:
    return load_bundle(build_test_bundle(tmp_path_factory.mktemp("health") / "bundle", n_clients=400))


@pytest.fixture
def moto(batch_aws: Aws) -> Aws:  # noqa: F811 (the fixture imported above, asked for by its name)
    return batch_aws


@pytest.fixture
def no_summaries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONITORING_SUMMARY_DIR", raising=False)
    monkeypatch.delenv("MONITORING_BUCKET", raising=False)


def _health(bundle: LoadedBundle) -> dict:
    answer = TestClient(create_app(bundle)).get("/model-health")
    assert answer.status_code == 200, answer.text
    return ModelHealthResponse.model_validate(answer.json()).model_dump()


def test_without_summaries_there_is_no_monitoring_data_yet(bundle: LoadedBundle, no_summaries: None) -> None:
    assert _health(bundle) == {"status": "no_data", "source": "none", "drift": None, "performance": None}


def test_the_monitor_command_writes_the_summaries_a_local_dashboard_reads(
    bundle: LoadedBundle,
    no_summaries: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    frame = random_applications(600, seed=41)
    data = tmp_path / "applications.csv"
    frame.drop(columns=schema.TARGET).to_csv(data, index=False)
    outcomes = tmp_path / "outcomes.csv"
    with outcomes.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(("SK_ID_CURR", "outcome", "date"))
        for i, (client, target) in enumerate(zip(frame[schema.CLIENT_ID], frame[schema.TARGET], strict=True)):
            writer.writerow((client, target, "2027-01-15" if i % 2 else "2027-02-15"))
    summaries = tmp_path / "summaries"
    arguments = ["monitor", "--bundle", str(bundle.path), "--data", str(data), "--outcomes", str(outcomes)]
    assert main([*arguments, "--report", str(tmp_path / "r.md"), "--summary-dir", str(summaries)]) == 0
    printed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (summaries / REQUESTS_DRIFT_LATEST).is_file()
    assert (summaries / PERFORMANCE_LATEST).is_file()

    monkeypatch.setenv("MONITORING_SUMMARY_DIR", str(summaries))
    health = _health(bundle)
    assert (health["status"], health["source"]) == ("available", "directory")
    drift = health["drift"]
    assert (drift["decisions"], drift["applications"]) == (600, 600)
    assert drift["score"]["proportions"] == printed["drift"]["score"]["proportions"]
    assert drift["score"]["reference_proportions"] == printed["drift"]["score"]["reference_proportions"]
    assert [d["name"] for d in drift["most_drifting"]] == [d["name"] for d in printed["drift"]["top_inputs"]]
    performance = health["performance"]
    assert [m["month"] for m in performance["by_month"]] == ["2027-01", "2027-02"]
    for served, month in zip(performance["by_month"], printed["performance"]["by_month"], strict=True):
        assert (served["n"], served["auc"]) == (month["n"], month["auc"])
    assert performance["overall"]["n"] == sum(m["n"] for m in performance["by_month"]) == 600


def test_a_summary_that_cannot_be_read_is_a_503_naming_it(
    bundle: LoadedBundle, no_summaries: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / REQUESTS_DRIFT_LATEST).parent.mkdir(parents=True)
    (tmp_path / REQUESTS_DRIFT_LATEST).write_text("{not json")
    monkeypatch.setenv("MONITORING_SUMMARY_DIR", str(tmp_path))
    answer = TestClient(create_app(bundle)).get("/model-health")
    assert answer.status_code == 503
    assert REQUESTS_DRIFT_LATEST in answer.json()["detail"]


def test_on_lambda_the_summaries_are_read_from_the_bucket(
    bundle: LoadedBundle, moto: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MONITORING_SUMMARY_DIR", raising=False)
    monkeypatch.setenv("MONITORING_BUCKET", BUCKET)
    assert _health(bundle)["status"] == "no_data"
    frame = random_applications(300, seed=42)
    data = frame.drop(columns=schema.TARGET).to_csv(index=False, lineterminator="\n").encode()
    handle_s3_event(moto.upload("batch/incoming/decided.csv", data), FakeContext(), bundle)
    lines = [
        "SK_ID_CURR,outcome,date",
        *(f"{c},{t},2027-03-01" for c, t in zip(frame[schema.CLIENT_ID], frame[schema.TARGET], strict=True)),
    ]
    outcomes = ("\n".join(lines) + "\n").encode()
    handle_s3_event(moto.upload("monitoring/outcomes/march.csv", outcomes), FakeContext(), bundle)
    health = _health(bundle)
    assert (health["status"], health["source"], health["drift"]) == ("available", "s3", None)
    assert health["performance"]["joined"] == 300
    assert health["performance"]["by_month"][0]["month"] == "2027-03"
