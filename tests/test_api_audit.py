"""The decision audit log: one JSON line per decision on its own logger, carrying the decision id the
caller receives and nothing personal (no feature value, no application field, no client id)."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from api_events import aimed, invoke, load_event, load_function
from bundle_factory import build_test_bundle

from credit_scoring.api.audit import AUDIT_LOGGER_NAME
from credit_scoring.bundle.loader import LoadedBundle, load_bundle

AUDIT_FIELDS = {
    "event",
    "decision_id",
    "time",
    "route",
    "subject",
    "model_version",
    "probability",
    "decision",
    "reasons",
    "latency_ms",
}


@pytest.fixture(scope="module")
def bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_test_bundle(tmp_path_factory.mktemp("audit") / "bundle")


@pytest.fixture(scope="module")
def bundle(bundle_dir: Path) -> LoadedBundle:
    return load_bundle(bundle_dir)


@pytest.fixture(scope="module")
def handler(bundle_dir: Path) -> Callable:
    return load_function(MODEL_DIR=str(bundle_dir))["handler"]


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def audit_lines() -> Iterator[list[str]]:
    """Every line written to the audit logger during the test, formatted as its own handler does."""
    logger = logging.getLogger(AUDIT_LOGGER_NAME)
    capture = _Lines()
    capture.setFormatter(logger.handlers[0].formatter)
    logger.addHandler(capture)
    yield capture.lines
    logger.removeHandler(capture)


def call(
    handler: Callable, method: str, path: str, payload: object = None
) -> tuple[int, dict[str, str], Any]:
    if payload is None:
        return invoke(handler, aimed(load_event("http-v2-get-predict.json"), path))
    event = load_event("rest-v1-post-predict.json")
    return invoke(handler, aimed(event, path, method, json.dumps(payload)))


def strings_in(entry: dict[str, Any]) -> list[str]:
    """Every string an audit entry holds; its only numbers are the decision's probability and latency."""
    assert {key for key, value in entry.items() if not isinstance(value, (str, list))} == {
        "probability",
        "latency_ms",
    }
    return [value for value in entry.values() if isinstance(value, str)] + entry["reasons"]


def assert_not_logged(entry: dict[str, Any], value: object) -> None:
    """`value` (a client id, an application field, a feature value) appears nowhere in the entry.

    A category label may be part of a reason's feature name ("NAME_INCOME_TYPE=Working"), so strings
    must not be logged as values; numbers must not appear inside any logged string. Numbers shorter
    than four characters are skipped: such digits occur by chance in a uuid or a timestamp.
    """
    strings = strings_in(entry)
    if isinstance(value, str):
        assert value not in strings
    elif len(repr(value)) >= 4:
        assert not any(repr(value) in text for text in strings)
        assert value not in (entry["probability"], entry["latency_ms"])


def test_one_line_per_decision_with_the_id_the_caller_receives(
    handler: Callable, bundle: LoadedBundle, audit_lines: list[str]
) -> None:
    client_id = bundle.manifest.example_client_ids[0]
    status, headers, body = call(handler, "GET", f"/predict/{client_id}")

    assert status == 200
    (line,) = audit_lines
    entry = json.loads(line)
    assert set(entry) == AUDIT_FIELDS
    assert entry["event"] == "credit_decision"
    assert entry["decision_id"] == body["decision_id"] == headers["x-decision-id"]
    assert uuid.UUID(entry["decision_id"]).version == 4
    assert entry["route"] == "/predict/{client_id}"  # the template: the path would hold the client id
    assert entry["subject"] == "stored_client"
    assert entry["model_version"] == bundle.manifest.model_version
    assert (entry["probability"], entry["decision"]) == (body["probability"], body["decision"])
    assert entry["reasons"] == [reason["feature"] for reason in body["reasons"]]
    assert entry["latency_ms"] >= 0
    assert datetime.fromisoformat(entry["time"]).tzinfo is not None


def test_no_client_id_and_no_feature_value_is_logged(
    handler: Callable, bundle: LoadedBundle, audit_lines: list[str]
) -> None:
    client_id = bundle.manifest.example_client_ids[1]
    _, _, decision = call(handler, "GET", f"/predict/{client_id}")
    (line,) = audit_lines

    entry = json.loads(line)
    assert_not_logged(entry, client_id)
    assert_not_logged(entry, str(client_id))
    for reason in decision["reasons"]:
        if reason["value"] is not None:
            assert_not_logged(entry, reason["value"])


def test_an_application_is_logged_without_any_of_its_fields(
    handler: Callable, bundle: LoadedBundle, audit_lines: list[str]
) -> None:
    client_id = bundle.manifest.example_client_ids[2]
    record = bundle.store.application(client_id)
    assert record is not None
    application = {column: value for column, value in record.items() if value is not None}

    status, _, body = call(handler, "POST", "/predict", {**application, "SK_ID_CURR": client_id})

    assert status == 200
    (line,) = audit_lines
    entry = json.loads(line)
    assert (entry["route"], entry["subject"], entry["decision_id"]) == (
        "/predict",
        "application",
        body["decision_id"],
    )
    assert_not_logged(entry, client_id)
    for value in application.values():
        assert_not_logged(entry, value)


def test_a_batch_logs_each_decision_and_nothing_for_its_errors(
    handler: Callable, bundle: LoadedBundle, audit_lines: list[str]
) -> None:
    first, second = bundle.manifest.example_client_ids[:2]
    items = [{"client_id": first}, {"client_id": 999998}, {"client_id": second}]

    status, _, body = call(handler, "POST", "/predict/batch", {"items": items})

    assert status == 200
    entries = [json.loads(line) for line in audit_lines]
    decided = [result["decision"] for result in body["results"] if result["status"] == 200]
    assert [e["decision_id"] for e in entries] == [d["decision_id"] for d in decided]
    assert {e["route"] for e in entries} == {"/predict/batch"}
    for entry in entries:
        for client in (first, second, 999998):
            assert_not_logged(entry, client)


def test_refused_requests_and_other_routes_are_not_decisions(
    handler: Callable, bundle: LoadedBundle, audit_lines: list[str]
) -> None:
    client_id = bundle.manifest.example_client_ids[0]
    for path in ("/predict/999998", "/predict/12345", f"/explain/{client_id}", "/model", "/health"):
        call(handler, "GET", path)
    call(handler, "POST", "/predict", {"AMT_CREDIT": -1})

    assert audit_lines == []
