"""Bad input through the Lambda handler: always a 4xx JSON body naming the field and what is expected,
never a 5xx or a traceback, and never the last-resort error handler. That handler itself answers an
unexpected failure with a bare 500 and logs it without the exception's message."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from api_events import aimed, invoke, load_event, load_function
from bundle_factory import build_test_bundle

from credit_scoring.api.audit import begin_decision
from credit_scoring.api.body_limit import MAX_BODY_BYTES
from credit_scoring.bundle.loader import LoadedBundle, load_bundle


@pytest.fixture(scope="module")
def bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_test_bundle(tmp_path_factory.mktemp("bad-input") / "bundle")


@pytest.fixture(scope="module")
def function(bundle_dir: Path) -> dict[str, Any]:
    return load_function(MODEL_DIR=str(bundle_dir))


@pytest.fixture(scope="module")
def client_id(bundle_dir: Path) -> int:
    bundle: LoadedBundle = load_bundle(bundle_dir)
    return bundle.manifest.example_client_ids[0]


@pytest.fixture
def no_unexpected_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fails the test if the last-resort handler logged anything: bad input must never reach it."""
    with caplog.at_level(logging.ERROR, logger="credit_scoring.api.errors"):
        yield
    assert not [r for r in caplog.records if r.name == "credit_scoring.api.errors"]


def request(
    handler: Callable, method: str, path: str, body: str | None = None, content_type: str = "application/json"
) -> tuple[int, dict[str, str], Any]:
    event = load_event("http-v2-post-predict.json" if body is not None else "http-v2-get-predict.json")
    headers = {"Content-Type": content_type} if body is not None else {}
    return invoke(handler, aimed(event, path, method, body, headers))


def assert_names(body: dict[str, Any], field: str, *expected: str) -> None:
    """The error body names `field` (in `errors` and in `detail`) and says what is expected."""
    fields = [error["field"] for error in body["errors"]]
    assert field in fields, body
    message = body["errors"][fields.index(field)]["message"]
    assert field in body["detail"]
    for words in expected:
        assert words in message, message
    assert "Traceback" not in json.dumps(body)


@pytest.mark.usefixtures("no_unexpected_errors")
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/predict/abcdef", "exactly 6 digits"),
        ("/predict/12345", "exactly 6 digits"),
        ("/predict/1234567", "exactly 6 digits"),
        ("/predict/-12345", "exactly 6 digits"),
        ("/predict/012345", "exactly 6 digits"),
        ("/predict/1e5000", "exactly 6 digits"),
        ("/predict/１２３４５６", "exactly 6 digits"),  # full-width digits: int() would accept them
        ("/explain/99999", "exactly 6 digits"),
        ("/explain/xyzxyz", "exactly 6 digits"),
    ],
)
def test_ids_that_are_not_6_digits_are_a_422_naming_client_id(
    function: dict[str, Any], path: str, expected: str
) -> None:
    status, _, body = request(function["handler"], "GET", path)
    assert status == 422
    assert_names(body, "client_id", expected)
    assert body["errors"][0]["location"] == "path"


@pytest.mark.usefixtures("no_unexpected_errors")
@pytest.mark.parametrize("path", ["/predict/999998", "/explain/999998"])
def test_an_unknown_client_is_a_404_naming_it(function: dict[str, Any], path: str) -> None:
    status, _, body = request(function["handler"], "GET", path)
    assert status == 404
    assert_names(body, "client_id", "999998")
    assert body["errors"][0]["location"] == "path"


BAD_APPLICATIONS = [
    pytest.param("{not json", "body", ("not valid JSON",), id="not-json"),
    pytest.param("", "body", ("JSON request body",), id="empty-body"),
    pytest.param("[1, 2]", "body", ("JSON object",), id="json-array"),
    pytest.param('"text"', "body", ("JSON object",), id="json-string"),
    pytest.param('{"AMT_CREDIT": NaN}', "AMT_CREDIT", ("finite number",), id="nan"),
    pytest.param('{"AMT_CREDIT": 1e400}', "AMT_CREDIT", ("between 0 and",), id="1e400"),
    pytest.param('{"AMT_CREDIT": -Infinity}', "AMT_CREDIT", ("between 0 and",), id="minus-infinity"),
    pytest.param('{"AMT_CREDIT": "250000"}', "AMT_CREDIT", ("a number",), id="string-for-number"),
    pytest.param('{"CNT_CHILDREN": true}', "CNT_CHILDREN", ("whole number",), id="boolean-for-number"),
    pytest.param('{"AMT_INCOME_TOTAL": -1}', "AMT_INCOME_TOTAL", ("between 0 and",), id="negative-amount"),
    pytest.param('{"CNT_CHILDREN": 1.5}', "CNT_CHILDREN", ("whole number",), id="fractional-count"),
    pytest.param('{"DAYS_BIRTH": 10}', "DAYS_BIRTH", ("between",), id="birth-in-the-future"),
    pytest.param(
        '{"NAME_CONTRACT_TYPE": "Mortgage"}', "NAME_CONTRACT_TYPE", ("'Cash loans'",), id="unknown-category"
    ),
    pytest.param('{"NAME_CONTRACT_TYPE": 3}', "NAME_CONTRACT_TYPE", ("one of",), id="number-for-category"),
    pytest.param('{"SALARY": 3000}', "SALARY", ("unknown field",), id="unknown-field"),
    pytest.param('{"TARGET": 1}', "TARGET", ("unknown field",), id="target-is-not-an-input"),
    pytest.param('{"SK_ID_CURR": "100002"}', "SK_ID_CURR", ("6 digits", "JSON number"), id="id-as-string"),
    pytest.param('{"SK_ID_CURR": 12345}', "SK_ID_CURR", ("6 digits",), id="id-5-digits"),
    pytest.param('{"SK_ID_CURR": -100002}', "SK_ID_CURR", ("6 digits",), id="id-negative"),
    # Integers too large for a float: JSON reads up to 4,300 digits, a float holds up to 308.
    pytest.param('{"AMT_CREDIT": 2' + "0" * 308 + "}", "AMT_CREDIT", ("between 0 and",), id="int-309-digits"),
    pytest.param(
        '{"DAYS_BIRTH": -1' + "0" * 4299 + "}", "DAYS_BIRTH", ("between",), id="negative-int-4300-digits"
    ),
    pytest.param(
        '{"CNT_CHILDREN": 1' + "0" * 4299 + "}", "CNT_CHILDREN", ("whole number",), id="count-4300-digits"
    ),
]


@pytest.mark.usefixtures("no_unexpected_errors")
@pytest.mark.parametrize(("payload", "field", "expected"), BAD_APPLICATIONS)
def test_bad_applications_are_a_422_naming_the_field(
    function: dict[str, Any], payload: str, field: str, expected: tuple[str, ...]
) -> None:
    status, _, body = request(function["handler"], "POST", "/predict", payload)
    assert status == 422
    assert_names(body, field, *expected)


@pytest.mark.usefixtures("no_unexpected_errors")
@pytest.mark.parametrize(
    "raw",
    [b'{"AMT_CREDIT": "\xff\xfe"}', b'{"AMT_CREDIT": 1' + b"0" * 5000 + b"}"],
    ids=["not-utf-8", "integer-of-5000-digits"],
)
def test_a_body_json_cannot_decode_is_a_400_naming_the_body(function: dict[str, Any], raw: bytes) -> None:
    event = aimed(load_event("http-v2-post-predict.json"), "/predict", "POST", "")
    event.update(body=base64.b64encode(raw).decode(), isBase64Encoded=True)
    event["headers"]["content-length"] = str(len(raw))
    status, _, body = invoke(function["handler"], event)
    assert status == 400
    assert_names(body, "body", "JSON object in UTF-8")


@pytest.mark.usefixtures("no_unexpected_errors")
def test_every_bad_field_is_reported_not_only_the_first(function: dict[str, Any]) -> None:
    payload = json.dumps({"AMT_CREDIT": -5, "FLAG_OWN_CAR": "maybe", "COLOUR": "red"})
    status, _, body = request(function["handler"], "POST", "/predict", payload)
    assert status == 422
    assert sorted(error["field"] for error in body["errors"]) == ["AMT_CREDIT", "COLOUR", "FLAG_OWN_CAR"]


@pytest.mark.usefixtures("no_unexpected_errors")
def test_a_body_that_is_not_declared_json_is_refused(function: dict[str, Any]) -> None:
    status, _, body = request(function["handler"], "POST", "/predict", '{"AMT_CREDIT": 1}', "text/plain")
    assert status == 422
    assert_names(body, "body", "JSON object")


@pytest.mark.usefixtures("no_unexpected_errors")
@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
@pytest.mark.parametrize("route", ["/predict", "/predict/batch"])
def test_a_body_over_6_mb_is_a_json_413(function: dict[str, Any], route: str, declared: bool) -> None:
    padding = " " * (MAX_BODY_BYTES + 1 - len("{}"))
    event = aimed(load_event("http-v2-post-predict.json"), route, "POST", "{" + padding + "}")
    if not declared:
        del event["headers"]["content-length"]
    status, _, body = invoke(function["handler"], event)
    assert status == 413
    assert str(MAX_BODY_BYTES) in body["detail"]


@pytest.mark.usefixtures("no_unexpected_errors")
def test_a_body_of_exactly_6_mb_is_read(function: dict[str, Any]) -> None:
    padding = " " * (MAX_BODY_BYTES - len('{"AMT_CREDIT": -1}'))
    status, _, body = request(function["handler"], "POST", "/predict", '{"AMT_CREDIT": -1' + padding + "}")
    assert status == 422
    assert_names(body, "AMT_CREDIT", "between 0 and")


BAD_BATCHES = [
    pytest.param({"items": []}, "items", ("at least 1",), id="empty"),
    pytest.param({"items": [{"client_id": 100002}] * 1001}, "items", ("at most 1000",), id="over-the-limit"),
    pytest.param({"clients": [100002]}, "clients", ("unknown field",), id="unknown-field"),
    pytest.param({"items": [{}]}, "items[0]", ("exactly one of client_id",), id="item-without-subject"),
    pytest.param(
        {"items": [{"client_id": 100002, "application": {}}]},
        "items[0]",
        ("exactly one of client_id",),
        id="item-with-both",
    ),
    pytest.param(
        {"items": [{"client_id": "100002"}]}, "items[0].client_id", ("6 digits",), id="id-as-string"
    ),
    pytest.param(
        {"items": [{"client_id": 100002}, {"application": {"AMT_CREDIT": -5}}]},
        "items[1].application.AMT_CREDIT",
        ("between 0 and",),
        id="bad-application-field",
    ),
    pytest.param(
        {"items": [{"application": {"AMT_ANNUITY": 10**400}}]},
        "items[0].application.AMT_ANNUITY",
        ("between 0 and",),
        id="int-too-large-for-a-float",
    ),
]


@pytest.mark.usefixtures("no_unexpected_errors")
@pytest.mark.parametrize(("payload", "field", "expected"), BAD_BATCHES)
def test_bad_batches_are_a_422_naming_the_field(
    function: dict[str, Any], payload: dict[str, Any], field: str, expected: tuple[str, ...]
) -> None:
    status, _, body = request(function["handler"], "POST", "/predict/batch", json.dumps(payload))
    assert status == 422
    assert_names(body, field, *expected)


@pytest.mark.usefixtures("no_unexpected_errors")
@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/predict/100002", "GET, HEAD"),
        ("DELETE", "/predict", "POST"),
        ("GET", "/predict", "POST"),
        ("POST", "/health", "GET, HEAD"),
        ("PATCH", "/model", "GET, HEAD"),
        # /predict/batch is spelled out: never a client id of /predict/{client_id}, whatever the method.
        ("GET", "/predict/batch", "POST"),
        ("PUT", "/predict/batch", "POST"),
        ("HEAD", "/predict/batch", "POST"),
        ("POST", "/openapi.json", "GET, HEAD"),
    ],
)
def test_wrong_methods_are_a_405_naming_the_allowed_ones(
    function: dict[str, Any], method: str, path: str, allowed: str
) -> None:
    status, headers, body = request(function["handler"], method, path)
    assert status == 405
    assert headers["allow"] == allowed
    if method != "HEAD":
        assert f"method {method} is not allowed on this route; allowed: {allowed}" in body["detail"]


@pytest.mark.usefixtures("no_unexpected_errors")
@pytest.mark.parametrize(
    "path",
    [
        "/health",
        "/predict/{id}",
        "/predict/999998",
        "/predict/12345",
        "/explain/{id}",
        "/model",
        "/clients/{id}",
        "/population",
        "/application-fields",
        "/",
        "/static/dashboard.css",
        "/openapi.json",
        "/docs",
    ],
)
def test_head_is_answered_wherever_get_is(function: dict[str, Any], client_id: int, path: str) -> None:
    path = path.replace("{id}", str(client_id))
    got_status, got_headers, got_body = request(function["handler"], "GET", path)
    status, headers, body = request(function["handler"], "HEAD", path)
    assert status == got_status
    assert body == ""
    for name in ("content-type", "content-length", "content-encoding", "etag", "cache-control"):
        assert headers.get(name) == got_headers.get(name), name
    assert got_body


@pytest.mark.usefixtures("no_unexpected_errors")
def test_an_unknown_route_is_a_json_404(function: dict[str, Any]) -> None:
    status, _, body = request(function["handler"], "GET", "/score/100002")
    assert status == 404
    assert "/docs" in body["detail"]


def test_an_unexpected_failure_is_a_bare_500_logged_without_its_message(
    function: dict[str, Any], client_id: int, caplog: pytest.LogCaptureFixture
) -> None:
    app = function["app"]
    secret = f"client {client_id} earns 123456.78"
    decision_ids: list[str] = []

    async def failing() -> None:
        decision_ids.append(begin_decision())
        raise RuntimeError(secret)

    app.add_api_route("/test-failure", failing)
    try:
        with caplog.at_level(logging.ERROR):
            status, _, body = request(function["handler"], "GET", "/test-failure")
    finally:
        app.router.routes.pop()

    assert status == 500
    assert set(body) == {"detail", "errors", "decision_id"}
    assert body["decision_id"] == decision_ids[0]
    assert "Traceback" not in body["detail"]
    assert secret not in body["detail"]
    logged = [r.getMessage() for r in caplog.records if r.name == "credit_scoring.api.errors"]
    assert len(logged) == 1
    assert "RuntimeError" in logged[0]
    assert "/test-failure" in logged[0]
    assert decision_ids[0] in logged[0]
    assert secret not in caplog.text
    assert str(client_id) not in caplog.text
