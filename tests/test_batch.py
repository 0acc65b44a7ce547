"""Batch scoring end to end against moto: uploads, S3 notifications, fan-out through SQS, SQS requests.

Every test drives the Lambda handlers with real-shaped events (events/ in the repository) and reads
what they wrote back from S3, row by row. Scores are compared with the API's own single-request path
(`DecisionService` over the same bundle), never with figures copied from an earlier run.
"""

from __future__ import annotations

import copy
import csv
import gzip
import io
import json
import logging
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import numpy as np
import pytest
from botocore.exceptions import EndpointConnectionError
from bundle_factory import build_test_bundle, random_applications

from credit_scoring import schema
from credit_scoring.api.application_model import Application, decide_applications
from credit_scoring.api.audit import AUDIT_LOGGER_NAME, DecisionAudit
from credit_scoring.api.errors import MAX_LISTED_ERRORS
from credit_scoring.batch import csv_reader
from credit_scoring.batch.csv_reader import MAX_GZIP_RATIO, RATIO_CHECKED_FROM_BYTES
from credit_scoring.batch.handlers import handle_s3_event
from credit_scoring.batch.keys import BatchKeys, result_key
from credit_scoring.batch.records import DECISION_ID_NAMESPACE, REJECTED_COLUMNS, SCORED_COLUMNS
from credit_scoring.batch.scoring import SCORE_ROWS
from credit_scoring.bundle.errors import BundleError
from credit_scoring.bundle.loader import LoadedBundle, load_bundle
from credit_scoring.bundle.manifest import SCORES_FILE
from credit_scoring.cli import main
from credit_scoring.decisions.service import DecisionService
from credit_scoring.messages.handler import handle_sqs_event

REPO = Path(__file__).resolve().parent.parent
BUCKET = "credit-scoring-batch-test"
REGION = "eu-west-3"
S3_EVENT = json.loads((REPO / "events" / "s3-put-batch-incoming.json").read_text(encoding="utf-8"))
SQS_EVENT = json.loads((REPO / "events" / "sqs-receive-message.json").read_text(encoding="utf-8"))
LAMBDA_TIME_MS = 900_000


@dataclass
class FakeContext:
    """The one thing batch handlers ask of Lambda's context: the time left in this invocation."""

    remaining_ms: int = LAMBDA_TIME_MS

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> LoadedBundle:
    return load_bundle(build_test_bundle(tmp_path_factory.mktemp("batch") / "bundle", n_clients=300))


@pytest.fixture(scope="module")
def service(bundle: LoadedBundle) -> DecisionService:
    return DecisionService(bundle)


class Aws:
    """A moto S3 bucket and SQS queue, with the uploads and deliveries a deployment would make."""

    def __init__(self) -> None:
        self.s3 = boto3.client("s3", region_name=REGION)
        self.sqs = boto3.client("sqs", region_name=REGION)
        self.s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        # Versioned, as the template's DataBucket: reports name the versions of their outputs.
        self.s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        self.queue_url = self.sqs.create_queue(QueueName="batch-scoring")["QueueUrl"]

    def upload(self, key: str, data: bytes) -> dict[str, Any]:
        """Put an object and return the notification S3 sends for it (key URL-encoded, as S3 does)."""
        etag = self.s3.put_object(Bucket=BUCKET, Key=key, Body=data)["ETag"]
        event = copy.deepcopy(S3_EVENT)
        item = event["Records"][0]["s3"]
        item["bucket"].update(name=BUCKET, arn=f"arn:aws:s3:::{BUCKET}")
        item["object"].update(key=key.replace(" ", "+"), size=len(data), eTag=etag.strip('"'))
        del item["object"]["versionId"]
        return event

    def read(self, key: str) -> bytes:
        data = self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        return gzip.decompress(data) if key.endswith(".gz") else data

    def keys(self, prefix: str = "") -> list[str]:
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
        return [item["Key"] for page in pages for item in page.get("Contents", ())]

    def report(self, name: str) -> dict[str, Any]:
        return json.loads(self.read(BatchKeys(name).report))

    def receive(self) -> list[dict[str, Any]]:
        return self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages", [])

    def deliver(
        self, messages: list[dict[str, Any]], bundle: LoadedBundle, context: FakeContext
    ) -> dict[str, Any]:
        """Hand messages to the SQS handler as Lambda's event source does, deleting the processed ones."""
        answer = handle_sqs_event(sqs_event(messages), context, bundle)
        failed = {failure["itemIdentifier"] for failure in answer["batchItemFailures"]}
        for message in messages:
            if message["MessageId"] not in failed:
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return answer

    def drain(self, bundle: LoadedBundle, context: FakeContext | None = None) -> int:
        """Deliver messages until the queue is empty; returns how many were delivered."""
        delivered = 0
        while messages := self.receive():
            self.deliver(messages, bundle, context or FakeContext())
            delivered += len(messages)
        return delivered


def sqs_event(messages: list[dict[str, Any]]) -> dict[str, Any]:
    template = SQS_EVENT["Records"][0]
    return {
        "Records": [
            {**template, "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"]}
            for m in messages
        ]
    }


def request_event(*bodies: str) -> dict[str, Any]:
    return sqs_event(
        [{"MessageId": str(uuid.uuid4()), "ReceiptHandle": "handle", "Body": body} for body in bodies]
    )


@pytest.fixture
def aws(mocked_aws: None, monkeypatch: pytest.MonkeyPatch) -> Aws:
    for name in ("BATCH_BLOCK_BYTES", "BATCH_BYTES_PER_SECOND", "BATCH_TIME_RESERVE_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    environment = Aws()
    monkeypatch.setenv("BATCH_BUCKET", BUCKET)
    monkeypatch.setenv("BATCH_QUEUE_URL", environment.queue_url)
    return environment


# ---------------------------------------------------------------- input files


def applications_csv(bundle: LoadedBundle, n: int = 120, seed: int = 1, with_target: bool = False) -> bytes:
    """Application rows as in application_test.csv: new applicants, and every third a stored client
    (whose credit history the API joins)."""
    frame = random_applications(n, seed)
    stored = bundle.store.ids[: n // 3 + 1]
    frame.loc[frame.index[::3], schema.CLIENT_ID] = stored[: len(frame.index[::3])]
    if not with_target:
        frame = frame.drop(columns=schema.TARGET)
    return frame.to_csv(index=False, lineterminator="\n").encode()


BAD_ROWS = {
    # line number in the file -> (how the line is spoiled, the text the rejection reason must hold)
    5: ("AMT_CREDIT", "-5", "AMT_CREDIT must be"),
    9: ("NAME_CONTRACT_TYPE", "Mortgage", "NAME_CONTRACT_TYPE must be one of"),
    17: ("DAYS_BIRTH", "yesterday", "DAYS_BIRTH must be"),
    30: ("SK_ID_CURR", "12345", "SK_ID_CURR must be exactly 6 digits"),
    44: ("<truncate>", "", "fields (the header's), found"),
    61: ("<empty>", "", "empty line"),
}


def spoiled(data: bytes) -> bytes:
    """The file with BAD_ROWS spoiled in place (line numbers count the header as line 1)."""
    lines = data.decode().split("\n")
    header = lines[0].split(",")
    for line, (column, value, _) in BAD_ROWS.items():
        if column == "<truncate>":
            lines[line - 1] = ",".join(lines[line - 1].split(",")[:10])
        elif column == "<empty>":
            lines[line - 1] = ""
        else:
            fields = next(csv.reader([lines[line - 1]]))
            fields[header.index(column)] = value
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="").writerow(fields)
            lines[line - 1] = buffer.getvalue()
    return "\n".join(lines).encode()


def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode())))


def without_ids(output: str, data: bytes) -> bytes:
    """A scored output without its last column (decision_id, named after the input and its version);
    any other output as it is."""
    if output != "scored":
        return data
    return b"".join(line.rpartition(b",")[0] + b"\n" for line in data.splitlines())


def expected_decision_id(run: str, line: int) -> str:
    return str(uuid.uuid5(DECISION_ID_NAMESPACE, f"{run}:{line}"))


def request_fields(row: dict[str, str]) -> dict[str, Any]:
    """A CSV row as the JSON body of POST /predict: numbers as numbers, empty fields absent."""
    fields: dict[str, Any] = {}
    for column, text in row.items():
        if text == "" or column == schema.TARGET:
            continue
        fields[column] = text if column in schema.APPLICATION_CATEGORIES else json.loads(text)
    return fields


def assert_scored_like_the_api(
    scored: list[dict[str, str]], inputs: dict[int, dict[str, str]], bundle: LoadedBundle
) -> None:
    """Each scored row equals POST /predict for the same fields, SK_ID_CURR included: a stored client's
    history joined, a new applicant's missing, by the same rule on both paths."""
    service = DecisionService(bundle)
    for row in scored:
        client_id = int(row[schema.CLIENT_ID])
        application = Application.model_validate(request_fields(inputs[client_id]))
        decided = decide_applications(service, [application])[0]
        assert decided.history_joined == (bundle.store.row_index(client_id) is not None)
        expected = decided.decision
        assert float(row["probability"]) == expected.probability
        assert int(row["prediction"]) == expected.prediction
        assert row["decision"] == expected.decision
        assert row["model_version"] == service.model_version
        reasons = [row[f"reason_{i}"] for i in range(1, 5)]
        (score,) = bundle.scorer.scores(decided.features)
        names = [service.manifest.feature_names[j] for j in score["reason_index"].tolist() if j >= 0]
        assert reasons == names + [""] * (4 - len(names))


# ---------------------------------------------------------------- S3 uploads


def test_every_row_is_scored_like_the_api_or_rejected_with_its_line_and_reason(
    aws: Aws, bundle: LoadedBundle
) -> None:
    data = spoiled(applications_csv(bundle))
    answer = handle_s3_event(
        aws.upload("batch/incoming/2026/11/portfolio 1.csv", data), FakeContext(), bundle
    )

    assert answer["files"][0]["key"] == "batch/incoming/2026/11/portfolio 1.csv"
    scored = rows(aws.read("batch/scored/2026/11/portfolio 1.csv"))
    rejected = rows(aws.read("batch/rejected/2026/11/portfolio 1.csv"))
    assert list(scored[0]) == list(SCORED_COLUMNS)
    assert list(rejected[0]) == list(REJECTED_COLUMNS)

    lines = data.decode().split("\n")[1:-1]  # the data lines (the file ends with a line break)
    rejected_by_line = {int(row["line"]): row for row in rejected}
    assert set(rejected_by_line) == set(BAD_ROWS)
    for line, (_, _, reason) in BAD_ROWS.items():
        assert reason in rejected_by_line[line]["reason"]
    assert rejected_by_line[5]["SK_ID_CURR"] == lines[5 - 2].split(",")[0]  # readable id kept
    assert rejected_by_line[30]["SK_ID_CURR"] == ""

    inputs = {int(row[schema.CLIENT_ID]): row for row in rows(data) if row[schema.CLIENT_ID].isdigit()}
    expected_order = [
        int(line.split(",")[0])
        for number, line in enumerate(lines, start=2)
        if number not in BAD_ROWS and line
    ]
    assert [int(row[schema.CLIENT_ID]) for row in scored] == expected_order
    assert_scored_like_the_api(scored, inputs, bundle)

    report = aws.report("2026/11/portfolio 1.csv")
    assert report["input_rows"] == len(lines) == report["scored"] + report["rejected"]
    assert (report["scored"], report["rejected"]) == (len(scored), len(rejected))
    assert report["decisions"]["accepted"] + report["decisions"]["refused"] == len(scored)
    assert report["history_joined"] == sum(
        bundle.store.row_index(int(r[schema.CLIENT_ID])) is not None for r in scored
    )
    assert report["status"] == "scored"
    assert report["model_version"] == bundle.manifest.model_version
    assert report["source"]["key"] == "batch/incoming/2026/11/portfolio 1.csv"
    assert report["source"]["etag"] == aws.s3.head_object(Bucket=BUCKET, Key=report["source"]["key"])["ETag"]


def test_a_file_larger_than_one_block_gives_the_same_outputs(
    aws: Aws, bundle: LoadedBundle, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = spoiled(applications_csv(bundle, n=70))
    handle_s3_event(aws.upload("batch/incoming/whole.csv", data), FakeContext(), bundle)
    monkeypatch.setenv("BATCH_BLOCK_BYTES", "1024")
    assert len(data) > 20 * 1024
    handle_s3_event(aws.upload("batch/incoming/blocks.csv", data), FakeContext(), bundle)
    for output in ("scored", "rejected"):
        assert without_ids(output, aws.read(f"batch/{output}/blocks.csv")) == without_ids(
            output, aws.read(f"batch/{output}/whole.csv")
        )


def test_each_scored_row_has_a_decision_id_named_after_its_input_version_model_and_line(
    aws: Aws, bundle: LoadedBundle, caplog: pytest.LogCaptureFixture
) -> None:
    data = spoiled(applications_csv(bundle))
    event = aws.upload("batch/incoming/ids.csv", data)
    handle_s3_event(event, FakeContext(), bundle)
    etag = event["Records"][0]["s3"]["object"]["eTag"]
    run = f"{BUCKET}/batch/incoming/ids.csv:{etag}:{bundle.manifest.model_version}"
    column = data.split(b"\n", 1)[0].decode().split(",").index(schema.CLIENT_ID)
    lines = {text.split(",")[column]: n for n, text in enumerate(data.decode().splitlines(), start=1)}
    scored = rows(aws.read("batch/scored/ids.csv"))
    assert scored
    assert [row["decision_id"] for row in scored] == [
        expected_decision_id(run, lines[row[schema.CLIENT_ID]]) for row in scored
    ]
    (audit,) = [record for record in caplog.records if getattr(record, "event", None) == "batch_decisions"]
    assert audit.decision_ids_in == "decision_id column of batch/scored/ids.csv"
    assert not any(row[schema.CLIENT_ID] in str(vars(audit)) for row in scored)  # counts, no client

    first = aws.read("batch/scored/ids.csv")
    aws.s3.delete_object(Bucket=BUCKET, Key=BatchKeys("ids.csv").report)  # a re-run after a crash
    handle_s3_event(event, FakeContext(), bundle)
    assert aws.read("batch/scored/ids.csv") == first  # the same ids: the re-run is byte-identical

    new_model = with_model_version(bundle, "20991231T000000Z-newmodel")
    handle_s3_event(aws.upload("batch/incoming/ids.csv", data), FakeContext(), new_model)
    again = rows(aws.read("batch/scored/ids.csv"))
    assert not {row["decision_id"] for row in again} & {row["decision_id"] for row in scored}


def test_stored_client_ids_are_scored_like_get_predict(
    aws: Aws, bundle: LoadedBundle, service: DecisionService
) -> None:
    stored = bundle.store.ids[:40].tolist()
    unknown = next(i for i in range(100000, 999999) if bundle.store.row_index(i) is None)
    data = (
        "SK_ID_CURR\n"
        + "".join(f"{i}\n" for i in stored[:20])
        + f"{unknown}\nabc\n"
        + "".join(f"{i}\n" for i in stored[20:])
    ).encode()
    handle_s3_event(aws.upload("batch/incoming/ids.csv", data), FakeContext(), bundle)

    scored = rows(aws.read("batch/scored/ids.csv"))
    assert [int(row[schema.CLIENT_ID]) for row in scored] == stored
    for row in scored:
        expected = service.decide_stored_client(service.find(int(row[schema.CLIENT_ID]))).decision
        assert (float(row["probability"]), row["decision"]) == (expected.probability, expected.decision)
    rejected = rows(aws.read("batch/rejected/ids.csv"))
    assert [(row["line"], row["SK_ID_CURR"]) for row in rejected] == [("22", str(unknown)), ("23", "")]
    assert "not a client of the store" in rejected[0]["reason"]
    report = aws.report("ids.csv")
    assert (report["layout"], report["input_rows"], report["scored"], report["rejected"]) == (
        "client_ids",
        42,
        40,
        2,
    )


def test_a_block_of_more_rows_than_are_scored_at_once_keeps_every_row_in_order(
    aws: Aws, bundle: LoadedBundle, service: DecisionService
) -> None:
    ids = np.resize(bundle.store.ids, SCORE_ROWS * 2 + 100)  # 2,148 short lines: one block, three pieces
    data = ("SK_ID_CURR\n" + "".join(f"{i}\n" for i in ids)).encode()
    handle_s3_event(aws.upload("batch/incoming/many.csv", data), FakeContext(), bundle)
    scored = rows(aws.read("batch/scored/many.csv"))
    assert [int(row[schema.CLIENT_ID]) for row in scored] == ids.tolist()
    expected = {
        int(i): service.decide_stored_client(service.find(int(i))).decision.probability
        for i in bundle.store.ids
    }
    assert all(float(row["probability"]) == expected[int(row[schema.CLIENT_ID])] for row in scored)


def test_a_gzip_upload_is_read_by_its_bytes_and_answered_compressed_when_so_named(
    aws: Aws, bundle: LoadedBundle
) -> None:
    data = spoiled(applications_csv(bundle, with_target=True))
    handle_s3_event(aws.upload("batch/incoming/plain.csv", data), FakeContext(), bundle)
    handle_s3_event(aws.upload("batch/incoming/packed.csv.gz", gzip.compress(data)), FakeContext(), bundle)
    handle_s3_event(aws.upload("batch/incoming/misnamed.csv", gzip.compress(data)), FakeContext(), bundle)
    for output in ("scored", "rejected"):
        plain = without_ids(output, aws.read(f"batch/{output}/plain.csv"))
        packed = aws.read(f"batch/{output}/packed.csv.gz")  # read() decompresses a .gz name
        assert without_ids(output, packed) == plain
        assert without_ids(output, aws.read(f"batch/{output}/misnamed.csv")) == plain
    head = aws.s3.head_object(Bucket=BUCKET, Key="batch/scored/packed.csv.gz")
    assert head["ContentType"] == "application/gzip"
    assert aws.report("packed.csv.gz")["scored"] == aws.report("plain.csv")["scored"] > 0


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("wrong-columns.csv", b"client,amount\n100002,5\n", "unknown columns 'client', 'amount'"),
        ("empty.csv", b"", "the object is empty"),
        ("picture.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
        ("utf16.csv", "SK_ID_CURR\n100002\n".encode("utf-16"), "UTF-16"),
        ("latin1-header.csv", "SK_ID_CURR,AMT_CRÉDIT\n".encode("latin-1"), "not valid UTF-8"),
        (
            "truncated.csv.gz",
            gzip.compress(b"SK_ID_CURR\n" + b"100002\n" * 50_000)[:300],
            "corrupt or truncated",
        ),
        ("workbook.xlsx", b"PK\x03\x04" + bytes(100), "ZIP archive"),
        (
            "mac-line-endings.csv",
            b"SK_ID_CURR\r100002\r100003\r",
            "line 1 (the header) holds a carriage return",
        ),
        (
            "long-header-field.csv",
            b"SK_ID_CURR," + b"A" * (csv.field_size_limit() + 1) + b"\n100002,1\n",
            "line 1 (the header) cannot be read as CSV (field larger than field limit",
        ),
    ],
)
def test_a_file_that_cannot_be_scored_is_rejected_whole_without_raising(
    aws: Aws, bundle: LoadedBundle, name: str, data: bytes, reason: str
) -> None:
    answer = handle_s3_event(aws.upload(f"batch/incoming/{name}", data), FakeContext(), bundle)
    assert answer["files"][0]["status"].startswith("rejected")
    (rejection,) = rows(aws.read(f"batch/rejected/{name}"))
    assert (rejection["line"], rejection["SK_ID_CURR"]) == ("", "")
    assert reason in rejection["reason"]
    assert aws.read(f"batch/scored/{name}").decode().splitlines() == [",".join(SCORED_COLUMNS)]
    report = aws.report(name)
    assert report["status"] == "rejected"
    assert reason in report["file_error"]
    assert (report["input_rows"], report["scored"], report["rejected"]) == (0, 0, 0)


def test_an_application_file_for_a_model_without_application_features_is_rejected(
    aws: Aws, bundle: LoadedBundle
) -> None:
    imported = LoadedBundle(
        manifest=replace_protected(bundle),
        model=bundle.model,
        scorer=bundle.scorer,
        store=bundle.store,
        source=bundle.source,
        path=bundle.path,
    )
    handle_s3_event(aws.upload("batch/incoming/apps.csv", applications_csv(bundle)), FakeContext(), imported)
    assert "cannot score an application" in aws.report("apps.csv")["file_error"]


def replace_protected(bundle: LoadedBundle) -> Any:
    from dataclasses import replace

    return replace(bundle.manifest, protected=None)


def test_the_same_notification_twice_changes_nothing(aws: Aws, bundle: LoadedBundle) -> None:
    event = aws.upload("batch/incoming/twice.csv", applications_csv(bundle))
    handle_s3_event(event, FakeContext(), bundle)
    before = {key: aws.s3.head_object(Bucket=BUCKET, Key=key) for key in aws.keys("batch/")}
    answer = handle_s3_event(event, FakeContext(), bundle)
    assert answer["files"][0]["status"].startswith("already scored")
    after = {key: aws.s3.head_object(Bucket=BUCKET, Key=key) for key in aws.keys("batch/")}
    assert after.keys() == before.keys()
    for key in before:
        assert (after[key]["ETag"], after[key]["LastModified"]) == (
            before[key]["ETag"],
            before[key]["LastModified"],
        )


def serialised(method: Callable[..., Any], lock: threading.Lock) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return method(*args, **kwargs)

    return call


def test_two_deliveries_at_once_score_the_file_once(
    aws: Aws, bundle: LoadedBundle, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.s3.responses import S3Response

    # moto checks a write's condition, then writes; S3 does both at once, as this makes moto do.
    atomic = threading.Lock()
    for name in ("put_object", "delete_object"):
        monkeypatch.setattr(S3Response, name, serialised(getattr(S3Response, name), atomic))
    event = aws.upload("batch/incoming/twice.csv", applications_csv(bundle, n=900))
    boto3.client("s3"), boto3.client("sqs")  # the default session's first clients, made in one thread
    start = threading.Barrier(2)
    statuses: list[str] = []

    def deliver() -> None:
        start.wait()
        statuses.append(handle_s3_event(event, FakeContext(), bundle)["files"][0]["status"])

    with caplog.at_level(logging.INFO):
        threads = [threading.Thread(target=deliver) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    audits = [record for record in caplog.records if getattr(record, "event", None) == "batch_decisions"]
    assert len(audits) == 1, statuses
    assert sorted(status.split(":")[0] for status in statuses) in (
        ["already scored", "scored"],
        ["ignored", "scored"],
    ), statuses
    assert aws.report("twice.csv")["scored"] + aws.report("twice.csv")["rejected"] == 900
    assert not [key for key in aws.keys("batch/parts/") if key.endswith("lock.json")]


def with_model_version(bundle: LoadedBundle, model_version: str) -> LoadedBundle:
    """The same bundle, as a deployment of another model version serves it."""
    from dataclasses import replace

    return replace(bundle, manifest=replace(bundle.manifest, model_version=model_version))


def test_the_same_bytes_uploaded_again_after_a_model_change_are_scored_with_the_new_model(
    aws: Aws, bundle: LoadedBundle
) -> None:
    data = applications_csv(bundle, n=20)
    handle_s3_event(aws.upload("batch/incoming/again.csv", data), FakeContext(), bundle)
    old = bundle.manifest.model_version
    assert {row["model_version"] for row in rows(aws.read("batch/scored/again.csv"))} == {old}

    new_model = with_model_version(bundle, "20991231T000000Z-newmodel")
    event = aws.upload("batch/incoming/again.csv", data)  # same bytes: same ETag
    assert handle_s3_event(event, FakeContext(), new_model)["files"][0]["status"].startswith("scored")
    scored = rows(aws.read("batch/scored/again.csv"))
    assert {row["model_version"] for row in scored} == {"20991231T000000Z-newmodel"}
    assert aws.report("again.csv")["model_version"] == "20991231T000000Z-newmodel"
    assert len(scored) == aws.report("again.csv")["scored"]

    status = handle_s3_event(event, FakeContext(), new_model)["files"][0]["status"]
    assert status.startswith("already scored")  # same input, same model: nothing to do


def test_a_replaced_upload_is_scored_again_and_a_stale_notification_is_ignored(
    aws: Aws, bundle: LoadedBundle
) -> None:
    first = aws.upload("batch/incoming/daily.csv", b"SK_ID_CURR\n" + f"{bundle.store.ids[0]}\n".encode())
    handle_s3_event(first, FakeContext(), bundle)
    second = aws.upload("batch/incoming/daily.csv", b"SK_ID_CURR\n" + f"{bundle.store.ids[1]}\n".encode())
    assert handle_s3_event(first, FakeContext(), bundle)["files"][0]["status"].startswith("ignored")
    handle_s3_event(second, FakeContext(), bundle)
    assert [row[schema.CLIENT_ID] for row in rows(aws.read("batch/scored/daily.csv"))] == [
        str(bundle.store.ids[1])
    ]


def read_as_reported(aws: Aws, name: str) -> tuple[dict[str, Any], dict[str, list[dict[str, str]]]]:
    """What a consumer following docs/batch.md reads: the report, then each output at the version the
    report names (never simply the current object under the output's key)."""
    report = aws.report(name)
    outputs = {}
    for output, key in report["outputs"].items():
        version = report["output_versions"][output]["version_id"]
        data = aws.s3.get_object(Bucket=BUCKET, Key=key, VersionId=version)["Body"].read()
        outputs[output] = rows(gzip.decompress(data) if key.endswith(".gz") else data)
    assert (len(outputs["scored"]), len(outputs["rejected"])) == (report["scored"], report["rejected"])
    return report, outputs


@pytest.mark.parametrize("name", ["pair.csv", "pair.csv.gz"])
def test_a_run_failing_between_its_two_outputs_leaves_readers_the_pair_of_one_run(
    aws: Aws, bundle: LoadedBundle, s3_unavailable_for: set[str], name: str
) -> None:
    keys = BatchKeys(name)
    handle_s3_event(aws.upload(keys.input, spoiled(applications_csv(bundle, n=70))), FakeContext(), bundle)
    first = read_as_reported(aws, name)

    # A replaced upload's run publishes its rejected object, then cannot write its scored one.
    replaced = aws.upload(keys.input, applications_csv(bundle, n=50, seed=2))
    s3_unavailable_for.add(keys.scored)
    with pytest.raises(EndpointConnectionError):
        handle_s3_event(replaced, FakeContext(), bundle)
    assert rows(aws.read(keys.rejected)) != first[1]["rejected"]  # the fault fell between the two writes
    assert read_as_reported(aws, name) == first

    s3_unavailable_for.clear()  # S3 is back: the retry publishes the new pair, the report with it
    handle_s3_event(replaced, FakeContext(), bundle)
    report, outputs = read_as_reported(aws, name)
    assert report["source"]["etag"].strip('"') == replaced["Records"][0]["s3"]["object"]["eTag"]
    assert (report["input_rows"], outputs["rejected"]) == (50, [])


@pytest.mark.parametrize("key", ["batch/scored/x.csv", "batch/incoming/2026/"])
def test_objects_that_are_not_inputs_are_ignored(aws: Aws, bundle: LoadedBundle, key: str) -> None:
    answer = handle_s3_event(aws.upload(key, b"SK_ID_CURR\n100002\n"), FakeContext(), bundle)
    assert answer["files"][0]["status"].startswith("ignored")
    assert aws.keys() == [key]


@pytest.mark.real_data
def test_the_real_sample_is_scored_like_the_api(
    aws: Aws, bundle: LoadedBundle, real_sample_dir: Path
) -> None:
    lines = (real_sample_dir / "application_train.csv").read_bytes().split(b"\n")
    data = b"\n".join(lines[:501]) + b"\n"  # the header and 500 real applications, TARGET included
    handle_s3_event(aws.upload("batch/incoming/real.csv", data), FakeContext(), bundle)
    report = aws.report("real.csv")
    assert (report["input_rows"], report["scored"] + report["rejected"]) == (500, 500)
    inputs = {int(row[schema.CLIENT_ID]): row for row in rows(data)}
    assert_scored_like_the_api(rows(aws.read("batch/scored/real.csv")), inputs, bundle)


# ---------------------------------------------------------------- fan-out


@pytest.fixture
def small_budget(monkeypatch: pytest.MonkeyPatch) -> FakeContext:
    """A throughput and a time left that make a 100 KB file too large for one invocation: 20 KB parts."""
    monkeypatch.setenv("BATCH_BYTES_PER_SECOND", "20000")
    monkeypatch.setenv("BATCH_TIME_RESERVE_SECONDS", "0")
    monkeypatch.setenv("BATCH_BLOCK_BYTES", "4096")
    return FakeContext(remaining_ms=2_000)


@pytest.mark.parametrize("name", ["fanned.csv", "fanned.csv.gz"])
def test_a_file_too_large_for_one_invocation_is_split_and_merged_into_the_same_outputs(
    aws: Aws, bundle: LoadedBundle, small_budget: FakeContext, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    data = spoiled(applications_csv(bundle, n=80))
    body = gzip.compress(data) if name.endswith(".gz") else data
    answer = handle_s3_event(aws.upload(f"batch/incoming/{name}", body), small_budget, bundle)
    parts = int(answer["files"][0]["status"].split()[3])
    assert parts > 3
    assert aws.drain(bundle, small_budget) == parts

    handle_s3_event(aws.upload("batch/incoming/single.csv", data), FakeContext(), bundle)
    for output in ("scored", "rejected"):
        assert without_ids(output, aws.read(f"batch/{output}/{name}")) == without_ids(
            output, aws.read(f"batch/{output}/single.csv")
        )
    report, single = aws.report(name), aws.report("single.csv")
    assert report["parts"] == parts
    assert read_as_reported(aws, name)[1]["scored"] == rows(aws.read(f"batch/scored/{name}"))
    for field in ("input_rows", "scored", "rejected", "decisions", "history_joined", "status", "layout"):
        assert report[field] == single[field]
    assert aws.keys("batch/parts/") == []


def gzip_bomb(decompressed_bytes: int) -> bytes:
    """A valid file of client ids, one id repeated: gzip shrinks it several hundred times."""
    line = b"100002\n"
    return gzip.compress(b"SK_ID_CURR\n" + line * (decompressed_bytes // len(line)), mtime=0)


def test_a_gzip_bomb_is_rejected_naming_the_bound_not_planned_at_an_assumed_ratio(
    aws: Aws, bundle: LoadedBundle, small_budget: FakeContext
) -> None:
    body = gzip_bomb(2 * RATIO_CHECKED_FROM_BYTES)
    assert len(body) * MAX_GZIP_RATIO < 2 * RATIO_CHECKED_FROM_BYTES

    answer = handle_s3_event(aws.upload("batch/incoming/bomb.csv.gz", body), small_budget, bundle)

    assert answer["files"][0]["status"].startswith("rejected: "), answer
    report = aws.report("bomb.csv.gz")
    assert (report["status"], report["input_rows"]) == ("rejected", 0)
    assert "MAX_GZIP_RATIO" in report["file_error"]
    (rejection,) = rows(aws.read("batch/rejected/bomb.csv.gz"))
    assert rejection["reason"] == report["file_error"]
    assert rows(aws.read("batch/scored/bomb.csv.gz")) == []
    assert aws.receive() == []  # no part message: nothing left to retry into the dead-letter queue
    assert aws.keys("batch/parts/") == []


def assert_rejected_whole(aws: Aws, name: str, bound: str) -> None:
    """The file was rejected as a whole, its report and its one rejected row naming `bound`."""
    report = aws.report(name)
    assert (report["status"], report["input_rows"], report["scored"]) == ("rejected", 0, 0)
    assert bound in report["file_error"]
    (rejection,) = rows(aws.read(BatchKeys(name).rejected))
    assert rejection["reason"] == report["file_error"]
    assert rows(aws.read(BatchKeys(name).scored)) == []


def test_a_file_of_more_rows_than_the_bound_is_rejected_whole_naming_it(
    aws: Aws, bundle: LoadedBundle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_reader, "MAX_ROWS", 40)
    monkeypatch.setenv("BATCH_BLOCK_BYTES", "4096")  # the bound falls inside the file, not its first block
    handle_s3_event(
        aws.upload("batch/incoming/at.csv", applications_csv(bundle, n=40)), FakeContext(), bundle
    )
    assert aws.report("at.csv")["input_rows"] == 40
    handle_s3_event(
        aws.upload("batch/incoming/past.csv", applications_csv(bundle, n=41)), FakeContext(), bundle
    )
    assert_rejected_whole(aws, "past.csv", "MAX_ROWS")


def test_a_fanned_out_file_of_more_rows_than_the_bound_is_rejected_whole_at_the_merge(
    aws: Aws, bundle: LoadedBundle, small_budget: FakeContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_reader, "MAX_ROWS", 60)  # more than any part's rows, fewer than the file's
    answer = handle_s3_event(
        aws.upload("batch/incoming/many.csv", applications_csv(bundle, n=80)), small_budget, bundle
    )
    assert int(answer["files"][0]["status"].split()[3]) > 2
    aws.drain(bundle, small_budget)
    assert_rejected_whole(aws, "many.csv", "MAX_ROWS")
    assert aws.keys("batch/parts/") == []


def crlf_with_bom(data: bytes) -> bytes:
    return b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")


def header_only(data: bytes) -> bytes:
    return data.split(b"\n", 1)[0] + b"\n"


def ten_thousand_columns(data: bytes) -> bytes:
    return (
        b"SK_ID_CURR," + b",".join(b"C%04d" % i for i in range(9_999)) + b"\n100002" + b",1" * 9_999 + b"\n"
    )


def one_mib_line(data: bytes) -> bytes:
    header, rest = data.split(b"\n", 1)
    return header + b"\n" + rest[:400] + b"x" * (1024 * 1024) + b"\n" + rest


@pytest.mark.parametrize(
    ("shape", "status", "reason"),
    [
        (lambda data: b"", "rejected", "empty"),
        (header_only, "scored", None),
        (crlf_with_bom, "scored", None),
        (ten_thousand_columns, "rejected", "C0000"),
        (one_mib_line, "rejected", "longer than 1048576 bytes"),
    ],
    ids=["empty", "header-only", "crlf-bom", "10000-columns", "1-mib-line"],
)
def test_a_file_of_each_awkward_shape_gets_a_report_never_an_exception(
    aws: Aws, bundle: LoadedBundle, shape: Callable[[bytes], bytes], status: str, reason: str | None
) -> None:
    data = applications_csv(bundle, n=30)
    handle_s3_event(aws.upload("batch/incoming/shape.csv", shape(data)), FakeContext(), bundle)
    report = aws.report("shape.csv")
    assert report["status"] == status
    assert report["input_rows"] == report["scored"] + report["rejected"]
    if reason is not None:
        assert_rejected_whole(aws, "shape.csv", reason)
    elif shape is crlf_with_bom:  # read as the same rows as the plain file
        handle_s3_event(aws.upload("batch/incoming/plain.csv", data), FakeContext(), bundle)
        assert without_ids("scored", aws.read("batch/scored/shape.csv")) == without_ids(
            "scored", aws.read("batch/scored/plain.csv")
        )
        assert report["input_rows"] == 30
    else:
        assert (report["input_rows"], rows(aws.read("batch/scored/shape.csv"))) == (0, [])


def test_a_fan_out_survives_lost_and_duplicated_messages(
    aws: Aws, bundle: LoadedBundle, small_budget: FakeContext
) -> None:
    data = spoiled(applications_csv(bundle, n=80))
    event = aws.upload("batch/incoming/flaky.csv", data)
    handle_s3_event(event, small_budget, bundle)
    first = aws.receive()
    aws.deliver(first[:2], bundle, small_budget)
    aws.deliver(first[:1], bundle, small_budget)  # delivered again
    while aws.receive():  # the other messages are lost (an invocation that crashed, say)
        pass
    aws.sqs.purge_queue(QueueUrl=aws.queue_url)
    assert aws.keys("batch/scored/") == []

    handle_s3_event(event, small_budget, bundle)  # S3 retries the notification: the same plan is resumed
    aws.drain(bundle, small_budget)
    late = {
        "batch_part": {
            "bucket": BUCKET,
            "plan": json.loads(first[0]["Body"])["batch_part"]["plan"],
            "index": 0,
        }
    }
    assert handle_sqs_event(request_event(json.dumps(late)), small_budget, bundle) == {
        "batchItemFailures": []
    }

    handle_s3_event(aws.upload("batch/incoming/single.csv", data), FakeContext(), bundle)
    for output in ("scored", "rejected"):
        assert without_ids(output, aws.read(f"batch/{output}/flaky.csv")) == without_ids(
            output, aws.read(f"batch/{output}/single.csv")
        )
    assert aws.keys("batch/parts/") == []


def test_parts_planned_by_another_model_version_are_not_scored_by_this_one(
    aws: Aws, bundle: LoadedBundle, small_budget: FakeContext
) -> None:
    data = applications_csv(bundle, n=80)
    event = aws.upload("batch/incoming/redeployed.csv", data)
    handle_s3_event(event, small_budget, bundle)
    new_model = with_model_version(bundle, "20991231T000000Z-newmodel")
    aws.drain(new_model, small_budget)  # the function was redeployed while the parts were queued
    assert aws.keys("batch/parts/") == []
    assert aws.keys("batch/scored/") == []

    handle_s3_event(event, small_budget, new_model)  # uploaded again: a new run, with the new model
    aws.drain(new_model, small_budget)
    assert {row["model_version"] for row in rows(aws.read("batch/scored/redeployed.csv"))} == {
        "20991231T000000Z-newmodel"
    }
    assert aws.report("redeployed.csv")["input_rows"] == 80


def test_a_part_without_time_left_goes_back_to_the_queue(
    aws: Aws, bundle: LoadedBundle, small_budget: FakeContext
) -> None:
    handle_s3_event(
        aws.upload("batch/incoming/late.csv", applications_csv(bundle, n=80)), small_budget, bundle
    )
    messages = aws.receive()
    answer = aws.deliver(messages, bundle, FakeContext(remaining_ms=100))
    assert answer == {"batchItemFailures": []}
    assert aws.keys("batch/parts/late.csv/") != []
    assert aws.keys("batch/scored/") == []
    aws.drain(bundle, small_budget)
    assert aws.report("late.csv")["input_rows"] == 80


def test_a_fan_out_of_a_replaced_input_ends_without_outputs_or_retries(
    aws: Aws, bundle: LoadedBundle, small_budget: FakeContext
) -> None:
    data = applications_csv(bundle, n=80)
    handle_s3_event(aws.upload("batch/incoming/replaced.csv", data), small_budget, bundle)
    newer = aws.upload("batch/incoming/replaced.csv", data.replace(b"Cash loans", b"Revolving loans"))
    while messages := aws.receive():
        assert aws.deliver(messages, bundle, small_budget) == {"batchItemFailures": []}
    assert aws.keys("batch/parts/") == []
    assert aws.keys("batch/scored/") == []
    handle_s3_event(newer, small_budget, bundle)
    aws.drain(bundle, small_budget)
    assert (
        aws.report("replaced.csv")["source"]["etag"].strip('"') == newer["Records"][0]["s3"]["object"]["eTag"]
    )


# ---------------------------------------------------------------- SQS requests


def result(aws: Aws, key: str) -> dict[str, Any]:
    return json.loads(aws.read(key))


def test_queued_requests_are_answered_under_their_correlation_id_like_the_api(
    aws: Aws, bundle: LoadedBundle, service: DecisionService
) -> None:
    client_id = int(bundle.store.ids[5])
    row = rows(applications_csv(bundle, n=3))[1]
    fields = {name: value for name, value in request_fields(row).items() if name != schema.CLIENT_ID}
    event = request_event(
        json.dumps({"correlation_id": "req-1", "client_id": client_id}),
        json.dumps({"correlation_id": "req-2", "application": fields}),
    )
    assert handle_sqs_event(event, FakeContext(), bundle) == {"batchItemFailures": []}

    stored = result(aws, result_key("req-1"))
    expected = service.decide_stored_client(service.find(client_id))
    assert stored["status"] == 200
    assert stored["error"] is None
    decision = stored["decision"]
    assert (decision["client_id"], decision["probability"], decision["prediction"]) == (
        client_id,
        expected.decision.probability,
        expected.decision.prediction,
    )
    assert decision["reasons"] == service.principal_reasons(
        expected, "fr"
    )  # the API's, in its default language
    assert decision["model_version"] == bundle.manifest.model_version
    uuid.UUID(decision["decision_id"])

    application = result(aws, result_key("req-2"))["decision"]
    expected = decide_applications(service, [Application.model_validate(fields)])[0].decision
    assert (application["client_id"], application["probability"]) == (None, expected.probability)
    assert (decision["history_joined"], application["history_joined"]) == (True, False)

    handle_sqs_event(event, FakeContext(), bundle)  # delivered again: the same answer, not a new decision
    assert result(aws, result_key("req-1"))["decision"]["decision_id"] == decision["decision_id"]


@pytest.fixture
def audit_lines() -> Iterator[list[dict[str, Any]]]:
    """The decision audit log's lines, as JSON."""
    lines: list[dict[str, Any]] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(json.loads(record.getMessage()))

    handler = Collect()
    DecisionAudit("set-up")  # the audit logger as the service sets it up (stdout, level INFO)
    audit = logging.getLogger(AUDIT_LOGGER_NAME)
    audit.addHandler(handler)
    yield lines
    audit.removeHandler(handler)


def test_two_concurrent_deliveries_of_a_request_leave_one_result_the_first_written(
    aws: Aws, bundle: LoadedBundle, audit_lines: list[dict[str, Any]]
) -> None:
    """The second delivery runs to its end while the first is about to write its result (S3's own
    PutObject event, below the code under test): both decided, the first write wins, nothing changes it."""
    event = request_event(json.dumps({"correlation_id": "race", "client_id": int(bundle.store.ids[3])}))
    overtaken: list[dict[str, Any]] = []

    def deliver_again_first(params: dict[str, Any], **_: Any) -> None:
        if params["url_path"].endswith(result_key("race")) and not overtaken:
            overtaken.append(params)
            assert handle_sqs_event(event, FakeContext(), bundle) == {"batchItemFailures": []}

    events = boto3.DEFAULT_SESSION.events if boto3.DEFAULT_SESSION else None
    if events is None:
        boto3.setup_default_session()
        events = boto3.DEFAULT_SESSION.events
    events.register("before-call.s3.PutObject", deliver_again_first, unique_id="batch-test-race")
    try:
        assert handle_sqs_event(event, FakeContext(), bundle) == {"batchItemFailures": []}
    finally:
        events.unregister("before-call.s3.PutObject", unique_id="batch-test-race")

    assert overtaken
    decided = [line["decision_id"] for line in audit_lines if line["route"] == "sqs"]
    assert len(decided) == 2  # both deliveries decided and logged their decision
    kept = result(aws, result_key("race"))["decision"]["decision_id"]
    assert kept == decided[1]  # the inner (second) delivery wrote first: its decision is the outcome
    assert aws.keys("batch/results/") == [result_key("race")]
    handle_sqs_event(event, FakeContext(), bundle)  # a later redelivery neither decides nor writes
    assert len([line for line in audit_lines if line["route"] == "sqs"]) == 2
    assert result(aws, result_key("race"))["decision"]["decision_id"] == kept


@pytest.mark.parametrize(
    ("body", "key", "status", "field"),
    [
        ('{"correlation_id": "r", "client_id": 999999}', result_key("r"), 404, None),
        ('{"correlation_id": "r", "client_id": "100002"}', result_key("r"), 422, "client_id"),
        (
            '{"correlation_id": "r", "application": {"AMT_CREDIT": -5}}',
            result_key("r"),
            422,
            "application.AMT_CREDIT",
        ),
        (
            '{"correlation_id": "r", "application": {"colour": "red"}}',
            result_key("r"),
            422,
            "application.colour",
        ),
        (
            '{"correlation_id": "r", "application": {"AMT_CREDIT": 1' + "0" * 4299 + "}}",
            result_key("r"),
            422,
            "application.AMT_CREDIT",
        ),
        ('{"correlation_id": "r"}', result_key("r"), 422, None),
        ('{"correlation_id": "r", "client_id": 100002, "urgent": true}', result_key("r"), 422, "urgent"),
        ('{"client_id": 100002}', "unidentified", 422, "correlation_id"),
        ('{"correlation_id": "../x", "client_id": 100002}', "unidentified", 422, "correlation_id"),
        ("not json at all", "unidentified", 422, None),
        ("[1, 2]", "unidentified", 422, None),
        (
            '{"correlation_id": "r", "application": ' + "[" * 100_000 + "]" * 100_000 + "}",
            "unidentified",
            422,
            None,
        ),
    ],
)
def test_a_request_that_can_never_succeed_is_answered_not_retried(
    aws: Aws, bundle: LoadedBundle, body: str, key: str, status: int, field: str | None
) -> None:
    event = request_event(body)
    assert handle_sqs_event(event, FakeContext(), bundle) == {"batchItemFailures": []}
    if key == "unidentified":
        key = f"batch/results/unidentified/{event['Records'][0]['messageId']}.json"
    answer = result(aws, key)
    assert (answer["status"], answer["decision"]) == (status, None)
    assert answer["error"]["detail"]
    if field is not None:
        assert field in [error["field"] for error in answer["error"]["errors"]]


def test_a_request_with_many_problems_lists_a_few_and_counts_them_all(aws: Aws, bundle: LoadedBundle) -> None:
    fields = {f"unknown_{i}": 0 for i in range(MAX_LISTED_ERRORS + 10)}
    event = request_event(json.dumps({"correlation_id": "many", "application": fields}))
    assert handle_sqs_event(event, FakeContext(), bundle) == {"batchItemFailures": []}
    error = result(aws, result_key("many"))["error"]
    assert [e["field"] for e in error["errors"]] == [f"application.{name}" for name in fields][
        :MAX_LISTED_ERRORS
    ]
    assert error["detail"].startswith("invalid message: application.unknown_0: unknown field")
    assert error["detail"].endswith(f"(and {len(fields) - 5} more)")


@pytest.fixture
def s3_unavailable_for() -> Iterator[set[str]]:
    """Keys whose PutObject fails as if S3 could not be reached (fault injected in botocore's transport
    events, below the code under test); the test adds keys to the set."""
    failing: set[str] = set()

    def refuse(params: dict[str, Any], **_: Any) -> None:
        if any(params["url_path"].endswith(f"/{key}") for key in failing):
            raise EndpointConnectionError(endpoint_url=params["url"])

    if boto3.DEFAULT_SESSION is None:
        boto3.setup_default_session()
    events = boto3.DEFAULT_SESSION.events
    events.register("before-call.s3.PutObject", refuse, unique_id="batch-test-unavailable")
    yield failing
    events.unregister("before-call.s3.PutObject", unique_id="batch-test-unavailable")


def test_one_failing_message_is_reported_alone_for_redelivery(
    aws: Aws, bundle: LoadedBundle, s3_unavailable_for: set[str]
) -> None:
    s3_unavailable_for.add(result_key("ok-2"))
    event = request_event(
        json.dumps({"correlation_id": "ok-1", "client_id": int(bundle.store.ids[0])}),
        json.dumps({"correlation_id": "ok-2", "client_id": int(bundle.store.ids[1])}),
        json.dumps({"batch_part": {"plan": 3}}),  # a defective part message: the dead-letter queue's
        json.dumps({"batch_part": {"bucket": BUCKET, "plan": "batch/reports/x.json", "index": 0}}),
        json.dumps({"correlation_id": "ok-3", "client_id": int(bundle.store.ids[2])}),
    )
    answer = handle_sqs_event(event, FakeContext(), bundle)
    failed = [failure["itemIdentifier"] for failure in answer["batchItemFailures"]]
    assert failed == [event["Records"][i]["messageId"] for i in (1, 2, 3)]
    assert result(aws, result_key("ok-1"))["status"] == result(aws, result_key("ok-3"))["status"] == 200
    assert aws.keys("batch/results/") == [result_key("ok-1"), result_key("ok-3")]

    s3_unavailable_for.clear()  # S3 is back: the redelivered message succeeds
    redelivery = {"Records": [event["Records"][1]]}
    assert handle_sqs_event(redelivery, FakeContext(), bundle) == {"batchItemFailures": []}
    assert result(aws, result_key("ok-2"))["status"] == 200


# ---------------------------------------------------------------- command line


def test_the_command_scores_a_local_file_through_the_same_pipeline(
    aws: Aws, bundle: LoadedBundle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = spoiled(applications_csv(bundle))
    source = tmp_path / "portfolio.csv.gz"
    source.write_bytes(gzip.compress(data))
    assert (
        main(["batch", "--bundle", str(bundle.path), "--input", str(source), "--out", str(tmp_path / "out")])
        == 0
    )
    assert "rows:" in capsys.readouterr().out
    handle_s3_event(aws.upload("batch/incoming/portfolio.csv.gz", gzip.compress(data)), FakeContext(), bundle)
    for output in ("scored", "rejected"):
        local = gzip.decompress((tmp_path / "out" / output / "portfolio.csv.gz").read_bytes())
        assert without_ids(output, local) == without_ids(output, aws.read(f"batch/{output}/portfolio.csv.gz"))
    report = json.loads((tmp_path / "out" / "reports" / "portfolio.csv.gz.json").read_text())
    assert report["input_rows"] == report["scored"] + report["rejected"] == data.count(b"\n") - 1


def test_the_command_ends_with_status_2_and_the_reason_for_a_file_it_cannot_score(
    bundle: LoadedBundle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "notes.csv"
    source.write_text("name,amount\nx,1\n")
    out = tmp_path / "out"
    assert main(["batch", "--bundle", str(bundle.path), "--input", str(source), "--out", str(out)]) == 2
    assert "unknown columns 'name', 'amount'" in capsys.readouterr().err
    assert (out / "rejected" / "notes.csv").is_file()
    assert main(["batch", "--bundle", str(tmp_path), "--input", str(source), "--out", str(out)]) == 2
    assert (
        main(
            [
                "batch",
                "--bundle",
                str(bundle.path),
                "--input",
                str(tmp_path / "absent.csv"),
                "--out",
                str(out),
            ]
        )
        == 2
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"SK_ID_CURR\r100002\r100003\r", "lines must end in LF or CRLF, not in CR alone"),
        (b"SK_ID_CURR," + b"A" * (csv.field_size_limit() + 1) + b"\n", "field larger than field limit"),
    ],
    ids=["cr-line-endings", "header-field-over-the-csv-limit"],
)
def test_the_command_ends_with_status_2_naming_the_line_of_a_header_csv_cannot_read(
    bundle: LoadedBundle, tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, reason: str
) -> None:
    source = tmp_path / "portfolio.csv"
    source.write_bytes(data)
    out = tmp_path / "out"
    assert main(["batch", "--bundle", str(bundle.path), "--input", str(source), "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert f"--input {source}: line 1 (the header)" in error
    assert reason in error
    (rejection,) = rows((out / "rejected" / "portfolio.csv").read_bytes())
    assert "line 1 (the header)" in rejection["reason"]


def test_the_command_ends_with_status_2_naming_the_problem_of_a_bundle_the_api_refuses(
    bundle: LoadedBundle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    refused = tmp_path / "bundle"
    shutil.copytree(bundle.path, refused)
    manifest = json.loads((refused / "manifest.json").read_text())
    next(f for f in manifest["features"] if f["group"] != "application")["group"] = "application"
    (refused / "manifest.json").write_text(json.dumps(manifest))
    source = tmp_path / "ids.csv"
    source.write_text(f"SK_ID_CURR\n{bundle.store.ids[0]}\n")
    out = tmp_path / "out"
    assert main(["batch", "--bundle", str(refused), "--input", str(source), "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert "manifest.json" in error
    assert "not computed by this code's feature definition" in error


@pytest.fixture
def tampered(bundle: LoadedBundle, tmp_path: Path) -> LoadedBundle:
    """The bundle with its last client's stored score changed in place after it was loaded: reading that
    score, which every decision for a stored client does, fails its block digest."""
    copy = tmp_path / "tampered"
    shutil.copytree(bundle.path, copy)
    loaded = load_bundle(copy)
    scores = copy / SCORES_FILE
    data = bytearray(scores.read_bytes())
    data[-1] ^= 1
    scores.write_bytes(bytes(data))
    return loaded


def test_a_store_block_failing_its_digest_fails_the_upload_for_a_retry_without_writing_anything(
    aws: Aws, tampered: LoadedBundle
) -> None:
    last = int(tampered.store.ids[-1])
    event = aws.upload(
        "batch/incoming/tampered.csv", f"SK_ID_CURR\n{tampered.store.ids[0]}\n{last}\n".encode()
    )
    with pytest.raises(BundleError, match="does not match") as caught:
        handle_s3_event(event, FakeContext(), tampered)
    assert caught.value.file == SCORES_FILE
    assert aws.keys("batch/") == ["batch/incoming/tampered.csv"]  # no rejection of the client's row


def test_a_store_block_failing_its_digest_fails_the_message_for_redelivery(
    aws: Aws, tampered: LoadedBundle
) -> None:
    last = int(tampered.store.ids[-1])
    event = request_event(
        json.dumps({"correlation_id": "fine", "client_id": int(tampered.store.ids[0])}),
        json.dumps({"correlation_id": "tampered", "client_id": last}),
    )
    answer = handle_sqs_event(event, FakeContext(), tampered)
    assert answer == {"batchItemFailures": [{"itemIdentifier": event["Records"][1]["messageId"]}]}
    assert aws.keys("batch/results/") == [result_key("fine")]


def test_the_command_ends_with_status_2_naming_a_store_block_failing_its_digest(
    tampered: LoadedBundle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "ids.csv"
    source.write_text(f"SK_ID_CURR\n{tampered.store.ids[-1]}\n")
    out = tmp_path / "out"
    assert main(["batch", "--bundle", str(tampered.path), "--input", str(source), "--out", str(out)]) == 2
    assert SCORES_FILE in capsys.readouterr().err
    assert not (out / "scored" / "ids.csv").exists()
