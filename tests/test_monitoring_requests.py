"""Drift of the decisions served one at a time (SQS requests, the API), counted per execution
environment over a window and summed by the scheduled monitoring function, against moto."""

from __future__ import annotations

import csv
import gzip
import io
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from bundle_factory import build_test_bundle, random_applications
from fastapi.testclient import TestClient
from test_batch import BUCKET, Aws, FakeContext, request_event, request_fields, rows
from test_batch import aws as batch_aws  # noqa: F401 (test_batch's moto bucket and queue fixture)

from credit_scoring import schema
from credit_scoring.api.app import create_app
from credit_scoring.batch.config import SCORED_PREFIX
from credit_scoring.batch.handlers import handle_s3_event
from credit_scoring.batch.keys import result_key
from credit_scoring.batch.outcomes import served_decisions
from credit_scoring.batch.request_drift import LATEST_KEY, REQUESTS_DRIFT_PREFIX
from credit_scoring.bundle.loader import LoadedBundle, load_bundle
from credit_scoring.lambda_events import EventRouter, ScheduledEvents
from credit_scoring.messages.handler import handle_sqs_event
from credit_scoring.monitoring import windows
from credit_scoring.monitoring.decision_records import COLUMNS as DECISION_COLUMNS
from credit_scoring.monitoring.decision_records import DECISIONS_PREFIX
from credit_scoring.monitoring.reference import load_reference
from credit_scoring.monitoring.request_counts import RequestCounts
from credit_scoring.monitoring.windows import WINDOWS_PREFIX, DriftWindow

SCHEDULED_EVENT = {
    "version": "0",
    "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": "2026-12-03T15:00:00Z",
    "region": "eu-west-3",
    "resources": ["arn:aws:events:eu-west-3:123456789012:rule/monitoring"],
    "detail": {},
}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> LoadedBundle:
    out = tmp_path_factory.mktemp("request-drift") / "bundle"
    return load_bundle(build_test_bundle(out, n_clients=600, calibrated=False))


@pytest.fixture
def moto(batch_aws: Aws, monkeypatch: pytest.MonkeyPatch) -> Aws:  # noqa: F811 (the imported fixture)
    """The moto bucket, with request monitoring on and no window left from another test."""
    monkeypatch.setenv("MONITORING_BUCKET", BUCKET)
    monkeypatch.setattr(windows, "_windows", {})
    return batch_aws


def _summarise(bundle: LoadedBundle) -> dict[str, Any]:
    """The scheduled run, through the Lambda router as EventBridge invokes it."""
    return EventRouter([ScheduledEvents(bundle)])(SCHEDULED_EVENT, FakeContext())


def _applications(n: int, seed: int) -> pd.DataFrame:
    return random_applications(n, seed).drop(columns=schema.TARGET)


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode()


def _requests_against_a_batch_file(
    moto: Aws, bundle: LoadedBundle, frame: pd.DataFrame, n_stored: int
) -> None:
    """`frame`'s applications and `n_stored` stored clients sent as SQS requests, their window summed
    by the scheduled run: nothing lost, the score's bins those of the probabilities answered, and each
    input's figures those of the same applications scored as a batch file."""
    applications = [request_fields(row) for row in rows(_csv(frame))]
    stored = [int(client) for client in bundle.store.ids[:n_stored]]
    bodies = [json.dumps({"correlation_id": f"a{i}", "application": a}) for i, a in enumerate(applications)]
    bodies += [json.dumps({"correlation_id": f"s{i}", "client_id": c}) for i, c in enumerate(stored)]
    for first in range(0, len(bodies), 10):  # SQS delivers 10 at a time, one invocation each
        assert handle_sqs_event(request_event(*bodies[first : first + 10]), FakeContext(), bundle) == {
            "batchItemFailures": []
        }
    assert moto.keys(WINDOWS_PREFIX) == []  # nothing written while the window is open
    windows.request_window(bundle.path, bundle.manifest).flush()  # what the window's end does
    assert len(moto.keys(WINDOWS_PREFIX)) == 1  # one environment, one window: one file

    answer = _summarise(bundle)
    assert answer["windows"] == 1
    assert moto.keys(WINDOWS_PREFIX) == []  # summed, then deleted
    summary = json.loads(moto.read(LATEST_KEY))
    total = len(applications) + len(stored)
    assert (summary["decisions"], summary["applications"]) == (total, len(applications))
    computed = f"{REQUESTS_DRIFT_PREFIX}{summary['computed_at']}.json"
    assert moto.keys(REQUESTS_DRIFT_PREFIX) == sorted([LATEST_KEY, computed])
    drift = summary["drift"]
    assert drift["n"] == total

    # The score's bins hold the probabilities answered, counted independently from the results.
    probabilities = [
        json.loads(moto.read(result_key(f"{prefix}{i}")))["decision"]["probability"]
        for prefix, count in (("a", len(applications)), ("s", len(stored)))
        for i in range(count)
    ]
    reference = load_reference(bundle.path, bundle.manifest)
    counts, _ = reference.score.count_numbers(np.array(probabilities))
    assert np.allclose(np.array(drift["score"]["proportions"][:-2]) * total, counts)

    # Each input's figures are those of the same applications scored as a batch file.
    handle_s3_event(moto.upload("batch/incoming/same.csv", _csv(frame)), FakeContext(), bundle)
    batch = json.loads(moto.read("batch/reports/same.csv.json"))["drift"]
    assert batch["n"] == len(applications)
    by_name = {d["name"]: d for d in batch["inputs"]}
    assert len(drift["inputs"]) == len(by_name)
    for served in drift["inputs"]:
        assert served == by_name[served["name"]], served["name"]


def test_queued_requests_are_summed_into_the_drift_a_batch_file_of_them_gets(
    moto: Aws, bundle: LoadedBundle
) -> None:
    _requests_against_a_batch_file(moto, bundle, _applications(240, seed=21), n_stored=60)


@pytest.mark.real_data
def test_real_applications_queued_get_the_drift_of_the_same_batch_file(
    moto: Aws, real_sample_dir: Path, tmp_path: Path
) -> None:
    applications = pd.read_csv(real_sample_dir / "application_train.csv")
    training, later = applications.iloc[:3000], applications.iloc[3000:3400]
    bundle = load_bundle(
        build_test_bundle(tmp_path / "bundle", applications=training.reset_index(drop=True), calibrated=False)
    )
    _requests_against_a_batch_file(moto, bundle, later.drop(columns=schema.TARGET), n_stored=50)


def test_decisions_of_the_api_are_counted_in_the_window_and_stored_clients_by_score_only(
    moto: Aws, bundle: LoadedBundle
) -> None:
    client = TestClient(create_app(bundle))
    for client_id in bundle.store.ids[:5]:
        assert client.get(f"/predict/{int(client_id)}").status_code == 200
    (row,) = rows(_csv(_applications(1, seed=22)))
    assert client.post("/predict", json=request_fields(row)).status_code == 200
    windows.request_window(bundle.path, bundle.manifest).flush()
    (key,) = moto.keys(WINDOWS_PREFIX)
    written = json.loads(moto.read(key))
    assert (written["decisions"], written["applications"]) == (6, 1)
    assert written["model_version"] == bundle.manifest.model_version
    assert sum(written["counts"]["score"]["counts"]) == 6
    ext = written["counts"]["EXT_SOURCE_2"]
    assert sum(ext["counts"]) + ext["missing"] == 1
    assert "SK_ID_CURR" not in json.dumps(written)  # counts, never an id or a field value


class ListWriter:
    """Keeps what a window writes (counts as JSON, decisions as text), and can fail like an unreachable
    S3 for the keys under `failing`."""

    def __init__(self) -> None:
        self.written: list[tuple[str, Any]] = []
        self.failing: str | None = None

    def __call__(self, key: str, body: bytes) -> None:
        if self.failing is not None and key.startswith(self.failing):
            raise ConnectionError("S3 unreachable")
        self.written.append((key, json.loads(body) if key.endswith(".json") else body.decode()))


def test_each_window_is_written_once_when_it_closes_and_a_failed_write_loses_nothing(
    bundle: LoadedBundle,
) -> None:
    reference = load_reference(bundle.path, bundle.manifest)
    now = [3600.0 * 500]
    writer = ListWriter()
    window = DriftWindow(
        RequestCounts(reference, bundle.manifest.feature_names), "v1", 60, writer, lambda: now[0]
    )
    for _ in range(3):
        window.observe(0.2)
    assert writer.written == []
    now[0] += 3600.0  # the next window: its first decision writes the closed one
    window.observe(0.9)
    ((key, first),) = writer.written
    assert key.startswith(f"{WINDOWS_PREFIX}1970-01-21T20:00:00Z/")
    assert (first["decisions"], first["window_start"]) == (3, "1970-01-21T20:00:00Z")

    writer.failing = WINDOWS_PREFIX
    now[0] += 3600.0
    window.observe(0.5)  # the write fails: the decision is still counted, the counts kept
    writer.failing = None
    now[0] += 3600.0
    window.observe(0.5)
    assert [body["decisions"] for _, body in writer.written] == [3, 2]


def test_windows_of_another_model_or_unreadable_are_listed_and_left_in_place(
    moto: Aws, bundle: LoadedBundle, tmp_path: Path
) -> None:
    window = windows.request_window(bundle.path, bundle.manifest)
    window.observe(0.3)
    window.flush()
    other = {"format": 1, "model_version": "another", "decisions": 1, "applications": 0, "counts": {}}
    moto.s3.put_object(Bucket=BUCKET, Key=f"{WINDOWS_PREFIX}x/other.json", Body=json.dumps(other))
    moto.s3.put_object(Bucket=BUCKET, Key=f"{WINDOWS_PREFIX}x/broken.json", Body=b"{not json")
    bad_bins = {**other, "model_version": bundle.manifest.model_version, "counts": {"score": {"counts": [1]}}}
    moto.s3.put_object(Bucket=BUCKET, Key=f"{WINDOWS_PREFIX}x/bins.json", Body=json.dumps(bad_bins))

    assert _summarise(bundle)["windows"] == 1
    summary = json.loads(moto.read(LATEST_KEY))
    assert summary["decisions"] == 1
    skipped = {item["key"]: item["reason"] for item in summary["skipped"]}
    assert sorted(skipped) == sorted(f"{WINDOWS_PREFIX}x/{name}.json" for name in ("other", "broken", "bins"))
    assert "another" in skipped[f"{WINDOWS_PREFIX}x/other.json"]
    assert "score needs" in skipped[f"{WINDOWS_PREFIX}x/bins.json"]
    assert sorted(moto.keys(WINDOWS_PREFIX)) == sorted(skipped)
    assert _summarise(bundle) == {"windows": 0}  # nothing new: no summary, the old one stays latest


# ---------------------------------------------------------------- decisions kept for the outcomes' join


def _kept_rows(moto: Aws) -> list[dict[str, str]]:
    """The rows of the one decisions object written, its header checked against the documented columns."""
    (key,) = moto.keys(DECISIONS_PREFIX)
    reader = csv.DictReader(io.StringIO(moto.read(key).decode()))
    kept = list(reader)
    assert tuple(reader.fieldnames or ()) == DECISION_COLUMNS
    return kept


def _read(objects: int, rows: int, unreadable: tuple[dict[str, str], ...] = ()) -> dict[str, Any]:
    """What a join report says it read under one prefix."""
    return {
        "objects": objects,
        "rows": rows,
        "unreadable": len(unreadable),
        "unreadable_objects": list(unreadable),
    }


def _join(moto: Aws, bundle: LoadedBundle, clients: list[int]) -> dict[str, Any]:
    """The report of an outcomes upload of `clients` (alternately repaid and defaulted)."""
    lines = ["SK_ID_CURR,outcome,date", *(f"{c},{i % 2},2027-03-14" for i, c in enumerate(clients))]
    upload = moto.upload("monitoring/outcomes/2027-03.csv", ("\n".join(lines) + "\n").encode())
    assert handle_s3_event(upload, FakeContext(), bundle)["files"][0]["status"].startswith("joined")
    return json.loads(moto.read("monitoring/performance/2027-03.csv.json"))


def test_decisions_served_for_a_client_id_are_kept_when_the_window_closes_and_joined_with_outcomes(
    moto: Aws, bundle: LoadedBundle
) -> None:
    client = TestClient(create_app(bundle))
    stored = [int(client_id) for client_id in bundle.store.ids[:8]]
    answers = [client.get(f"/predict/{client_id}").json() for client_id in stored[:3]]
    items = {"items": [{"client_id": client_id} for client_id in stored[3:5]]}
    answers += [result["decision"] for result in client.post("/predict/batch", json=items).json()["results"]]
    new_applicant, anonymous = (request_fields(row) for row in rows(_csv(_applications(2, seed=23))))
    new_applicant[schema.CLIENT_ID] = 999_990
    assert new_applicant[schema.CLIENT_ID] not in stored
    answers.append(client.post("/predict", json=new_applicant).json())
    del anonymous[schema.CLIENT_ID]
    assert client.post("/predict", json=anonymous).json()["client_id"] is None
    queued = [json.dumps({"correlation_id": f"q{i}", "client_id": c}) for i, c in enumerate(stored[5:])]
    handle_sqs_event(request_event(*queued), FakeContext(), bundle)
    answers += [json.loads(moto.read(result_key(f"q{i}")))["decision"] for i in range(len(queued))]
    assert moto.keys(DECISIONS_PREFIX) == []  # nothing written while the window is open

    windows.request_window(bundle.path, bundle.manifest).flush()
    (counts_key,) = moto.keys(WINDOWS_PREFIX)
    (decisions_key,) = moto.keys(DECISIONS_PREFIX)
    # Beside the counts: the same window and environment.
    assert decisions_key.removeprefix(DECISIONS_PREFIX).removesuffix(".csv") == counts_key.removeprefix(
        WINDOWS_PREFIX
    ).removesuffix(".json")
    kept = _kept_rows(moto)
    # Every decision for a client id, as answered; the application without one is not kept.
    assert [
        (r["decision_id"], int(r[schema.CLIENT_ID]), float(r["probability"]), int(r["prediction"]))
        for r in kept
    ] == [(a["decision_id"], a["client_id"], a["probability"], a["prediction"]) for a in answers]
    assert [(r["model_version"], r["decided_at"]) for r in kept] == [
        (a["model_version"], a["decided_at"]) for a in answers
    ]

    clients = [answer["client_id"] for answer in answers]
    report = _join(moto, bundle, [*clients, 999_991])  # and one client no decision was served for
    assert report["decisions"] == {
        SCORED_PREFIX: _read(objects=0, rows=0),
        DECISIONS_PREFIX: _read(objects=1, rows=len(answers)),
    }
    performance = report["performance"]
    assert (performance["outcomes"], performance["joined"], performance["without_decision"]) == (
        len(answers) + 1,
        len(answers),
        1,
    )
    mean = np.mean([answer["probability"] for answer in answers])
    assert performance["overall"]["mean_probability"] == pytest.approx(mean)


def test_decisions_kept_are_written_beside_the_counts_and_a_failed_write_loses_none(
    bundle: LoadedBundle, caplog: pytest.LogCaptureFixture
) -> None:
    reference = load_reference(bundle.path, bundle.manifest)
    now = [3600.0 * 500]
    writer = ListWriter()
    window = DriftWindow(
        RequestCounts(reference, bundle.manifest.feature_names), "v1", 60, writer, lambda: now[0]
    )
    first = ("d-1", 100002, 0.25, 0, "1970-01-21T20:10:00.000Z")
    second = ("d-2", 100003, 0.75, 1, "1970-01-21T21:10:00.000Z")
    window.observe(0.25, None, first)
    window.observe(0.5)  # no client id: counted, not kept
    writer.failing = DECISIONS_PREFIX
    now[0] += 3600.0
    window.observe(0.75, None, second)  # the decisions' write fails: the counts are written all the same
    assert [key.split("/")[1] for key, _ in writer.written] == ["windows"]
    assert "100002" not in caplog.text  # the log holds no client's data
    assert "d-1" not in caplog.text
    assert "decisions for the outcomes' join not written" in caplog.text
    writer.failing = None
    now[0] += 3600.0
    window.observe(0.5)
    key, text = writer.written[-1]
    assert key.startswith(f"{DECISIONS_PREFIX}1970-01-21T21:00:00Z/")
    assert text == (
        "decision_id,SK_ID_CURR,probability,prediction,model_version,decided_at\n"
        "d-1,100002,0.25,0,v1,1970-01-21T20:10:00.000Z\n"
        "d-2,100003,0.75,1,v1,1970-01-21T21:10:00.000Z\n"
    )


def test_decisions_held_while_writes_fail_are_bounded_and_the_ones_beyond_are_logged(
    bundle: LoadedBundle, caplog: pytest.LogCaptureFixture
) -> None:
    reference = load_reference(bundle.path, bundle.manifest)
    now = [3600.0 * 500]
    writer = ListWriter()
    writer.failing = DECISIONS_PREFIX
    window = DriftWindow(
        RequestCounts(reference, bundle.manifest.feature_names), "v1", 60, writer, lambda: now[0], max_kept=3
    )
    for hour in range(3):  # three windows, each writing (and failing) the decisions of the last
        for i in range(2):
            window.observe(0.25, None, (f"d-{hour}-{i}", 100002 + i, 0.25, 0, "1970-01-21T20:10:00.000Z"))
        now[0] += 3600.0
    window.observe(0.5)
    assert "2 decisions not kept for the outcomes' join: 3 were held" in caplog.text
    writer.failing = None
    now[0] += 3600.0
    window.observe(0.5)
    key, text = writer.written[-1]
    assert key.startswith(DECISIONS_PREFIX)
    assert [line.split(",")[0] for line in text.splitlines()[1:]] == ["d-0-0", "d-0-1", "d-1-0"]


def test_a_clients_last_decision_counts_whether_a_batch_file_or_the_api_served_it(
    moto: Aws, bundle: LoadedBundle
) -> None:
    """A: a batch file, then the API; B: the API, then a batch file written after the API's decisions
    but before the window that kept them was written."""
    client = TestClient(create_app(bundle))
    a, b = (int(client_id) for client_id in bundle.store.ids[:2])
    frame = _applications(2, seed=24)
    frame[schema.CLIENT_ID] = [a, b]  # their stored history with other application fields
    handle_s3_event(moto.upload("batch/incoming/a.csv", _csv(frame.iloc[:1])), FakeContext(), bundle)
    api = {c: client.get(f"/predict/{c}").json()["probability"] for c in (a, b)}
    time.sleep(1.05 - time.time() % 1.0)  # S3 times objects to the second: the next one is later
    handle_s3_event(moto.upload("batch/incoming/b.csv", _csv(frame.iloc[1:])), FakeContext(), bundle)
    windows.request_window(bundle.path, bundle.manifest).flush()
    batch = {
        int(row[schema.CLIENT_ID]): float(row["probability"])
        for name in ("a.csv", "b.csv")
        for row in rows(moto.read(f"{SCORED_PREFIX}{name}"))
    }
    assert [batch[c] != api[c] for c in (a, b)] == [True, True]  # so that which one counts can be told

    decisions, read = served_decisions(moto.s3, BUCKET)
    assert read == {SCORED_PREFIX: _read(objects=2, rows=2), DECISIONS_PREFIX: _read(objects=1, rows=2)}
    last = dict(zip(decisions.client_ids.tolist(), decisions.probabilities.tolist(), strict=True))
    assert last == {a: api[a], b: batch[b]}
    performance = _join(moto, bundle, [a, b])["performance"]
    assert performance["joined"] == 2
    assert performance["overall"]["mean_probability"] == pytest.approx((api[a] + batch[b]) / 2)


def test_kept_decisions_that_cannot_be_read_are_named_and_left_out_of_the_join(
    moto: Aws, bundle: LoadedBundle, caplog: pytest.LogCaptureFixture
) -> None:
    client = TestClient(create_app(bundle))
    served = [int(client_id) for client_id in bundle.store.ids[:3]]
    answers = [client.get(f"/predict/{client_id}").json() for client_id in served]
    windows.request_window(bundle.path, bundle.manifest).flush()
    (kept,) = moto.keys(DECISIONS_PREFIX)
    # A window's object whose last line lost its fields, and a batch file's output cut short.
    text = moto.read(kept).decode()
    broken = f"{DECISIONS_PREFIX}broken/env.csv"
    moto.s3.put_object(Bucket=BUCKET, Key=broken, Body=text.rsplit(",", 2)[0].encode() + b"\n")
    truncated = f"{SCORED_PREFIX}cut.csv.gz"
    whole = gzip.compress(b"SK_ID_CURR,probability,prediction\n" + f"{served[0]},0.5,1\n".encode())
    moto.s3.put_object(Bucket=BUCKET, Key=truncated, Body=whole[:-12])

    report = _join(moto, bundle, served)
    last_line = text.count("\n")
    assert report["decisions"] == {
        SCORED_PREFIX: _read(
            objects=1,
            rows=0,
            unreadable=(
                {
                    "key": truncated,
                    "problem": f"{truncated}: not a readable gzip-compressed CSV file (EOFError)",
                },
            ),
        ),
        DECISIONS_PREFIX: _read(
            objects=2,
            rows=len(answers),
            unreadable=({"key": broken, "problem": f"{broken}: line {last_line}: expected 6 fields"},),
        ),
    }
    # The readable object is joined as before.
    assert report["performance"]["joined"] == len(answers)
    assert str(served[0]) not in json.dumps(report["decisions"])  # the problems name no client
    assert "kept decisions unreadable" in caplog.text
