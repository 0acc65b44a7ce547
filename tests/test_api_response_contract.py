"""Every route's responses, success and error, validate against the models its OpenAPI document declares
for that status: a field renamed in a hand-built body, or a status the document does not list, fails."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bundle_factory import build_test_bundle, random_applications
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from credit_scoring.api.app import create_app
from credit_scoring.bundle.loader import BundleUnavailable, load_bundle, load_from_environment


@pytest.fixture(scope="module")
def bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_test_bundle(tmp_path_factory.mktemp("contract") / "bundle", n_clients=200)


@pytest.fixture(scope="module")
def client(bundle_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(load_bundle(bundle_dir)), raise_server_exceptions=False) as test_client:
        yield test_client


def _validator(document: dict[str, Any], method: str, template: str, status: int) -> Draft202012Validator:
    responses = document["paths"][template][method.lower()]["responses"]
    assert str(status) in responses, f"{method} {template} answered {status}, not in its documented responses"
    schema = responses[str(status)]["content"]["application/json"]["schema"]
    root = Resource.from_contents({**document, "$schema": "https://json-schema.org/draft/2020-12/schema"})
    registry = Registry().with_resource("urn:openapi", root)
    return Draft202012Validator(_rooted(schema), registry=registry)


def _rooted(schema: dict[str, Any]) -> dict[str, Any]:
    """The response schema with its local references pointed at the OpenAPI document's components."""
    return json.loads(json.dumps(schema).replace('"#/components/', '"urn:openapi#/components/'))


def _check(client: TestClient, method: str, template: str, url: str, **request: Any) -> int:
    response = client.request(method, url, **request)
    document = client.app.openapi()
    errors = sorted(
        _validator(document, method, template, response.status_code).iter_errors(response.json()),
        key=str,
    )
    assert not errors, f"{method} {url} -> {response.status_code}: {[error.message for error in errors]}"
    return response.status_code


def _application() -> dict[str, Any]:
    row = random_applications(1, seed=5).iloc[0].drop(labels=["SK_ID_CURR", "TARGET"], errors="ignore")
    return {key: (value.item() if hasattr(value, "item") else value) for key, value in row.dropna().items()}


def test_every_success_response_is_the_documented_model(client: TestClient, bundle_dir: Path) -> None:
    stored = load_bundle(bundle_dir).manifest.example_client_ids[0]
    application = _application()
    cases = [
        ("GET", "/predict/{client_id}", f"/predict/{stored}", {}),
        ("POST", "/predict", "/predict", {"json": {**application, "SK_ID_CURR": stored}}),
        ("POST", "/predict", "/predict", {"json": application}),
        (
            "POST",
            "/predict/batch",
            "/predict/batch",
            {"json": {"items": [{"client_id": stored}, {"application": application}]}},
        ),
        ("GET", "/explain/{client_id}", f"/explain/{stored}", {}),
        ("GET", "/model", "/model", {}),
        ("GET", "/health", "/health", {}),
        ("GET", "/clients/{client_id}", f"/clients/{stored}", {}),
        ("GET", "/population", "/population", {}),
        ("GET", "/population/features/{feature}", "/population/features/DAYS_BIRTH", {}),
        (
            "GET",
            "/population/features/{feature}",
            "/population/features/NAME_EDUCATION_TYPE%3DSecondary%20%2F%20secondary%20special",
            {},
        ),
        ("GET", "/application-fields", "/application-fields", {}),
        ("GET", "/model-health", "/model-health", {}),
    ]
    assert {(method, path) for method, path, _, _ in cases} == {
        (method.upper(), path)
        for path, operations in client.app.openapi()["paths"].items()
        for method in operations
    }
    for method, template, url, request in cases:
        assert _check(client, method, template, url, **request) == 200


def test_every_error_response_is_the_documented_model(client: TestClient) -> None:
    cases = [
        ("GET", "/predict/{client_id}", "/predict/999999", {}, 404),
        ("GET", "/predict/{client_id}", "/predict/12", {}, 422),
        ("POST", "/predict", "/predict", {"json": {"AMT_CREDIT": -5}}, 422),
        ("POST", "/predict", "/predict", {"json": {"NO_SUCH_FIELD": 1}}, 422),
        (
            "POST",
            "/predict",
            "/predict",
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
            422,
        ),
        ("POST", "/predict/batch", "/predict/batch", {"json": {"items": []}}, 422),
        ("GET", "/explain/{client_id}", "/explain/999999", {}, 404),
        ("GET", "/clients/{client_id}", "/clients/abc", {}, 422),
        ("GET", "/population/features/{feature}", "/population/features/NOT_A_FEATURE", {}, 404),
    ]
    for method, template, url, request, status in cases:
        assert _check(client, method, template, url, **request) == status


def test_unavailable_responses_are_the_documented_model(tmp_path: Path) -> None:
    state = load_from_environment({"MODEL_DIR": str(tmp_path / "missing")})
    assert isinstance(state, BundleUnavailable)
    with TestClient(create_app(state), raise_server_exceptions=False) as down:
        for template, url in (
            ("/predict/{client_id}", "/predict/100002"),
            ("/model", "/model"),
            ("/health", "/health"),
        ):
            assert _check(down, "GET", template, url) == 503
