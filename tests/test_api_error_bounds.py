"""What a rejected request may cost: a hostile body of up to 6 MB, sent through the ASGI app, is answered
with a 422 of at most 64 KB in at most 1 s of CPU, however many problems it holds and however long
the names and values it repeats."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from bundle_factory import build_test_bundle
from fastapi.testclient import TestClient

from credit_scoring import schema
from credit_scoring.api.app import create_app
from credit_scoring.api.application_model import Application
from credit_scoring.api.body_limit import MAX_BODY_BYTES
from credit_scoring.api.errors import MAX_FIELD_CHARS, MAX_LISTED_ERRORS
from credit_scoring.api.models import MAX_BATCH_ITEMS
from credit_scoring.api.request_model import MAX_UNKNOWN_FIELDS
from credit_scoring.bundle.loader import load_bundle

MAX_ERROR_BODY_BYTES = 64 * 1024
MAX_REJECTION_CPU_SECONDS = 1.0
CONTROL = "\u0007"  # one character that JSON writes as six bytes, in the request and in the answer


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    bundle = load_bundle(build_test_bundle(tmp_path_factory.mktemp("bounds") / "bundle"))
    with TestClient(create_app(bundle)) as test_client:
        yield test_client


def filled(text: str) -> str:
    """The JSON text padded with trailing whitespace to exactly the largest body accepted."""
    assert len(text.encode()) <= MAX_BODY_BYTES
    return text + " " * (MAX_BODY_BYTES - len(text.encode()))


def unknown_fields() -> tuple[str, str]:
    """One object of about 480,000 unknown fields."""
    n = (MAX_BODY_BYTES - 2) // len('"u0000000":0,')
    return "/predict", filled("{" + ",".join(f'"u{i:07d}":0' for i in range(n)) + "}")


def long_unknown_names() -> tuple[str, str]:
    """As many unknown fields as are each named, each name 300,000 characters long."""
    length = MAX_BODY_BYTES // (MAX_UNKNOWN_FIELDS + 1) // len(json.dumps(CONTROL))
    names = {f"{i}{CONTROL * length}": 0 for i in range(MAX_UNKNOWN_FIELDS)}
    return "/predict", filled(json.dumps(names))


def long_values() -> tuple[str, str]:
    """Every category field with a value of 40,000 characters that is not one of its labels."""
    columns = list(schema.APPLICATION_CATEGORIES)
    length = MAX_BODY_BYTES // (len(columns) + 1) // len(json.dumps(CONTROL))
    return "/predict", filled(json.dumps({column: CONTROL * length for column in columns}))


def batch_of_unknown_fields() -> tuple[str, str]:
    """The largest batch, each item's application with as many unknown fields as are each named."""
    per_item = len(Application.model_fields) + MAX_UNKNOWN_FIELDS
    per_field = (MAX_BODY_BYTES - 50 * MAX_BATCH_ITEMS) // (MAX_BATCH_ITEMS * per_item)
    name = "u" * (per_field - len('"000": 0, '))
    item = {"application": {f"{i:03d}{name}": 0 for i in range(per_item)}}
    return "/predict/batch", filled(json.dumps({"items": [item] * MAX_BATCH_ITEMS}))


def batch_of_bad_values() -> tuple[str, str]:
    """As many items as fit, every field of each one wrong, each text longer than a message repeats."""
    application = {
        column: CONTROL * (2 * schema.MAX_SHOWN_CHARS) if column in schema.APPLICATION_CATEGORIES else -1e300
        for column in schema.application_columns()
        if column != schema.CLIENT_ID
    }
    item = {"application": application}
    n = min(MAX_BATCH_ITEMS, (MAX_BODY_BYTES - 20) // len(json.dumps(item) + ", "))
    return "/predict/batch", filled(json.dumps({"items": [item] * n}))


def nested_arrays() -> tuple[str, str]:
    """JSON nested 3,000,000 arrays deep: deeper than any parser recurses."""
    depth = MAX_BODY_BYTES // 2
    return "/predict", "[" * depth + "]" * depth


def nested_objects() -> tuple[str, str]:
    """An object nested about 1,000,000 objects deep."""
    depth = (MAX_BODY_BYTES - 1) // len('{"a":}')
    return "/predict/batch", '{"a":' * depth + "1" + "}" * depth


def too_many_items() -> tuple[str, str]:
    """As many stored-client items as fit, 270 times the most a batch may hold."""
    item = '{"client_id": 100002}'
    n = (MAX_BODY_BYTES - 20) // (len(item) + 1)
    return "/predict/batch", filled('{"items": [' + ",".join([item] * n) + "]}")


def answered(client: TestClient, route: str, body: str) -> tuple[Any, float]:
    """The answer to `body` and the CPU seconds it cost (the route warmed up first)."""
    client.post(route, content="{}", headers={"Content-Type": "application/json"})
    started = time.process_time()
    response = client.post(route, content=body, headers={"Content-Type": "application/json"})
    return response, time.process_time() - started


@pytest.mark.parametrize(
    ("hostile", "status"), [(nested_arrays, 400), (nested_objects, 400), (too_many_items, 422)]
)
def test_a_6_mb_body_too_deep_to_read_or_too_long_a_batch_is_refused_in_one_error(
    client: TestClient, hostile: Callable[[], tuple[str, str]], status: int
) -> None:
    route, body = hostile()
    response, cpu = answered(client, route, body)
    assert response.status_code == status
    assert len(response.content) <= MAX_ERROR_BODY_BYTES
    assert cpu <= MAX_REJECTION_CPU_SECONDS
    (error,) = response.json()["errors"]
    assert error["field"] in ("body", "items")


@pytest.mark.parametrize(
    "hostile",
    [unknown_fields, long_unknown_names, long_values, batch_of_unknown_fields, batch_of_bad_values],
)
def test_a_hostile_6_mb_body_gets_a_small_422_for_little_cpu(
    client: TestClient, hostile: Callable[[], tuple[str, str]]
) -> None:
    route, body = hostile()
    response, cpu = answered(client, route, body)

    assert response.status_code == 422
    assert len(response.content) <= MAX_ERROR_BODY_BYTES
    assert cpu <= MAX_REJECTION_CPU_SECONDS
    answer = response.json()
    assert 1 <= len(answer["errors"]) <= MAX_LISTED_ERRORS
    for error in answer["errors"]:
        assert len(error["field"]) <= MAX_FIELD_CHARS + len("… (9,999,999 characters)")
    assert answer["errors"][0]["field"] in answer["detail"]


def test_an_object_with_too_many_unknown_fields_is_refused_whole_in_one_error(client: TestClient) -> None:
    declared = len(Application.model_fields)
    fields = {f"unknown_{i}": 0 for i in range(declared + MAX_UNKNOWN_FIELDS + 1)}
    answer = client.post("/predict/batch", json={"items": [{"application": fields}]}).json()
    (error,) = answer["errors"]
    assert error["field"] == "items[0].application"
    assert f"at most the {declared} fields" in error["message"]
    assert f"{len(fields):,} fields" in error["message"]


def test_up_to_the_bound_every_unknown_field_is_named(client: TestClient) -> None:
    fields = {f"unknown_{i}": 0 for i in range(MAX_UNKNOWN_FIELDS)}
    answer = client.post("/predict", json=fields).json()
    assert [error["field"] for error in answer["errors"]] == list(fields)
    assert f"(and {MAX_UNKNOWN_FIELDS - 5} more)" in answer["detail"]


def test_the_errors_listed_are_capped_and_the_detail_counts_them_all(client: TestClient) -> None:
    items = [{"application": {"AMT_CREDIT": -1, "CNT_CHILDREN": -1}} for _ in range(30)]
    answer = client.post("/predict/batch", json={"items": items}).json()
    assert len(answer["errors"]) == MAX_LISTED_ERRORS
    assert {error["field"] for error in answer["errors"][:2]} == {
        "items[0].application.AMT_CREDIT",
        "items[0].application.CNT_CHILDREN",
    }
    assert f"(and {2 * len(items) - 5} more)" in answer["detail"]


def test_a_value_repeated_in_a_message_is_clipped(client: TestClient) -> None:
    answer = client.post("/predict", json={"NAME_CONTRACT_TYPE": "x" * 10_000}).json()
    (error,) = answer["errors"]
    assert error["message"].endswith(f"got '{'x' * (schema.MAX_SHOWN_CHARS - 1)}… (10,002 characters)")
