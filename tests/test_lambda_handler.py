"""The Lambda entry points: what a fresh execution environment of each function imports, and how each
function's `EventRouter` dispatches its events (API Gateway for the API function; S3 and SQS for the
batch function, end to end against moto) and answers any other with an error result."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import boto3
import pytest
from api_events import BATCH_FUNCTION_FILE, EVENTS_DIR, FUNCTION_FILE, aimed, load_event, load_function
from bundle_factory import build_test_bundle

from credit_scoring.bundle.loader import BundleUnavailable, load_bundle
from credit_scoring.lambda_events import (
    BatchBundleUnavailableError,
    EventRouter,
    HttpEvents,
    S3ObjectCreatedEvents,
    ScheduledEvents,
    SqsEvents,
)

REPO = FUNCTION_FILE.parents[2]
API_EVENTS = sorted(path.name for path in EVENTS_DIR.glob("*-v[12]-*.json"))
BUCKET = "credit-scoring-123456789012-eu-west-3"
HEAVY = (
    "pandas",
    "sklearn",
    "scipy",
    "joblib",
    "lightgbm",
    "mlflow",
    "imblearn",
    "boto3",
    "pyarrow",
    "credit_scoring.training",
    "credit_scoring.synth",
    "credit_scoring.data",
    "credit_scoring.batch",
)


@pytest.fixture(scope="module", params=["linear", "lightgbm"])
def bundle_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_test_bundle(tmp_path_factory.mktemp(request.param) / "bundle", kind=request.param)


@pytest.fixture(scope="module")
def function(bundle_dir: Path) -> dict[str, Any]:
    return load_function(MODEL_DIR=str(bundle_dir), API_BASE_PATH="/dev")


@pytest.fixture(scope="module")
def batch_function(bundle_dir: Path) -> dict[str, Any]:
    return load_function(BATCH_FUNCTION_FILE, MODEL_DIR=str(bundle_dir))


@pytest.fixture(scope="module")
def client_id(bundle_dir: Path) -> int:
    return load_bundle(bundle_dir).manifest.example_client_ids[0]


FRESH_PROCESS = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, {function_dir!r})
    sys.path.insert(0, {tests_dir!r})
    import app
    from api_events import aimed, load_event
    statuses = {{}}
    for name in {events!r}:
        path = "/health" if "health" in name else "/predict" if "post" in name else "/predict/{client_id}"
        event = load_event(name)
        if "post" not in name:
            event = aimed(event, path)
        statuses[name] = app.handler(event, None)["statusCode"]
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in {heavy!r} or m.startswith({heavy!r}))
    print(json.dumps({{"statuses": statuses, "loaded": loaded}}))
    """
)


def test_a_fresh_environment_answers_every_api_event_without_heavy_imports(
    bundle_dir: Path, client_id: int
) -> None:
    script = FRESH_PROCESS.format(
        function_dir=str(FUNCTION_FILE.parent),
        tests_dir=str(REPO / "tests"),
        events=API_EVENTS,
        client_id=client_id,
        heavy=HEAVY,
    )
    env = {
        "MODEL_DIR": str(bundle_dir),
        "API_BASE_PATH": "/dev",
        "PYTHONPATH": str(REPO),
        "PATH": "/usr/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])

    # events/ post an application whose SK_ID_CURR (100002) the random test bundle does not hold: a new
    # applicant, scored from its fields.
    expected = dict.fromkeys(API_EVENTS, 200)
    assert report["statuses"] == expected
    assert report["loaded"] == []


@pytest.mark.parametrize(
    ("event", "source"),
    [(name, "http") for name in API_EVENTS]
    + [
        ("s3-put-batch-incoming.json", "s3"),
        ("sqs-receive-message.json", "sqs"),
        ("schedule-drift-window.json", "schedule"),
    ],
)
def test_each_event_file_is_recognised_by_its_own_handler_only(event: str, source: str) -> None:
    state = BundleUnavailable(reason="not needed", file=None, source="test")
    handlers = {
        "http": HttpEvents(lambda e, c: {}),
        "s3": S3ObjectCreatedEvents(state),
        "sqs": SqsEvents(state),
        "schedule": ScheduledEvents(state),
    }
    accepted = {name for name, handler in handlers.items() if handler.infer(load_event(event))}
    assert accepted == {source}


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2", "detail": {}},
        {"Records": []},
        {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectRemoved:Delete"}]},
        {"Records": [{"eventSource": "aws:dynamodb"}]},
        [1, 2, 3],
        "text",
    ],
    ids=["empty", "eventbridge", "no-records", "s3-delete", "dynamodb", "list", "string"],
)
def test_an_unrecognised_event_gets_an_error_result_not_an_exception(
    function: dict[str, Any], batch_function: dict[str, Any], event: object, caplog: pytest.LogCaptureFixture
) -> None:
    for handler, answers in ((function["handler"], "API Gateway"), (batch_function["handler"], "SQS")):
        result = handler(event, None)

        assert result["error"] == "UnrecognisedEvent"
        assert answers in result["message"]
    assert "unrecognised event" in caplog.text


@pytest.mark.parametrize("name", ["s3-put-batch-incoming.json", "sqs-receive-message.json"])
def test_the_api_function_answers_a_batch_event_with_an_error_result(
    function: dict[str, Any], name: str
) -> None:
    result = function["handler"](load_event(name), None)

    assert result["error"] == "UnrecognisedEvent"
    assert result["message"].startswith("this function answers API Gateway requests (payload 1.0 or 2.0);")


@pytest.mark.parametrize("name", API_EVENTS[:2])
def test_the_batch_function_answers_an_http_event_with_an_error_result(
    batch_function: dict[str, Any], name: str
) -> None:
    result = batch_function["handler"](load_event(name), None)

    assert result["error"] == "UnrecognisedEvent"
    assert result["message"].startswith(
        "this function answers S3 object-created notifications, SQS messages and EventBridge"
    )


def test_a_fresh_batch_environment_never_builds_the_api(bundle_dir: Path, tmp_path: Path) -> None:
    """The batch function answers an event (here an S3 upload outside batch/incoming/, ignored without
    reaching S3) without importing the app, the dashboard or Mangum."""
    script = textwrap.dedent(
        f"""
        import json, sys
        sys.path.insert(0, {str(BATCH_FUNCTION_FILE.parent)!r})
        sys.path.insert(0, {str(REPO / "tests")!r})
        import app
        from api_events import load_event
        event = load_event("s3-put-batch-incoming.json")
        event["Records"][0]["s3"]["object"]["key"] = "elsewhere/file.csv"
        result = app.handler(event, None)
        api = {{"mangum", *(f"credit_scoring.api.{{m}}" for m in ("app", "dashboard", "routes"))}}
        loaded = sorted(m for m in sys.modules if m in api)
        print(json.dumps({{"result": result, "loaded": loaded}}))
        """
    )
    env = {
        "MODEL_DIR": str(bundle_dir),
        "PYTHONPATH": str(REPO),
        "PATH": "/usr/bin",
        "AWS_DEFAULT_REGION": "eu-west-3",
        "BATCH_BUCKET": BUCKET,
    }
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])

    assert report["result"]["files"][0]["status"].startswith("ignored")
    assert report["loaded"] == []


def _refused_by_the_api(bundle_dir: Path, tmp_path: Path) -> Path:
    """A bundle that loads and verifies, but whose application features this code does not compute."""
    copy = tmp_path / "bundle"
    shutil.copytree(bundle_dir, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    next(f for f in manifest["features"] if f["group"] != "application")["group"] = "application"
    (copy / "manifest.json").write_text(json.dumps(manifest))
    return copy


@pytest.mark.parametrize(
    ("bundle", "reason"),
    [("empty", r"manifest\.json: is missing"), ("refused", "not computed by this code")],
)
def test_batch_events_are_refused_while_the_bundle_is_unavailable(
    bundle_dir: Path, tmp_path: Path, bundle: str, reason: str
) -> None:
    model_dir = tmp_path if bundle == "empty" else _refused_by_the_api(bundle_dir, tmp_path)
    function = load_function(BATCH_FUNCTION_FILE, MODEL_DIR=str(model_dir))
    assert isinstance(function["state"], BundleUnavailable)
    for name in ("s3-put-batch-incoming.json", "sqs-receive-message.json"):
        with pytest.raises(BatchBundleUnavailableError, match=reason):
            function["handler"](load_event(name), None)


@pytest.fixture
def aws(mocked_aws: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("BATCH_BUCKET", BUCKET)
    monkeypatch.delenv("BATCH_QUEUE_URL", raising=False)
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
    return s3


def s3_event(s3: Any, key: str) -> dict[str, Any]:
    """events/s3-put-batch-incoming.json announcing an object uploaded to the mocked bucket."""
    event = load_event("s3-put-batch-incoming.json")
    head = s3.head_object(Bucket=BUCKET, Key=key)
    record = event["Records"][0]["s3"]
    record["object"].update(key=key, size=head["ContentLength"], eTag=head["ETag"].strip('"'))
    record["object"].pop("versionId")
    return event


def test_an_s3_upload_is_scored_by_the_batch_handler(
    batch_function: dict[str, Any], client_id: int, aws: Any
) -> None:
    key = "batch/incoming/clients.csv"
    aws.put_object(Bucket=BUCKET, Key=key, Body=f"SK_ID_CURR\n{client_id}\n999998\n".encode())

    result = batch_function["handler"](s3_event(aws, key), None)

    assert [file["key"] for file in result["files"]] == [key]
    scored = aws.get_object(Bucket=BUCKET, Key="batch/scored/clients.csv")["Body"].read().decode()
    rejected = aws.get_object(Bucket=BUCKET, Key="batch/rejected/clients.csv")["Body"].read().decode()
    assert str(client_id) in scored
    assert "999998" in rejected


def test_an_sqs_message_is_answered_by_the_batch_handler(
    batch_function: dict[str, Any], client_id: int, aws: Any
) -> None:
    event = load_event("sqs-receive-message.json")
    record = event["Records"][0]
    record["body"] = json.dumps({"correlation_id": "a1b2c3d4-request", "client_id": client_id})
    record["md5OfBody"] = hashlib.md5(record["body"].encode()).hexdigest()

    result = batch_function["handler"](event, None)

    assert result == {"batchItemFailures": []}
    answer = json.loads(
        aws.get_object(Bucket=BUCKET, Key="batch/results/a1b2c3d4-request.json")["Body"].read()
    )
    assert answer["status"] == 200
    assert answer["decision"]["client_id"] == client_id


def test_the_router_hands_http_events_to_mangum_unchanged() -> None:
    seen: list[tuple[dict[str, Any], object]] = []

    def asgi_handler(event: dict[str, Any], context: object) -> dict[str, Any]:
        seen.append((event, context))
        return {"statusCode": 204}

    router = EventRouter([HttpEvents(asgi_handler)])
    event = aimed(load_event("rest-v1-get-health.json"), "/health")
    context = object()

    assert router(event, context) == {"statusCode": 204}
    assert seen == [(event, context)]
