"""schemathesis over the app's own OpenAPI document: every operation, every check, answered as documented.

Each operation is driven through schemathesis' phases (examples, coverage, fuzzing) in positive and
negative modes, with its default checks, which are all of its built-in checks: no 5xx, status codes,
content types, headers and bodies as documented, schema-valid requests accepted, invalid ones rejected,
unsupported methods answered 405 with `Allow`. Nothing is excluded. Cases are derandomised, so the suite
replays the same few thousand cases (docs/benchmarks.md has the count); `make fuzz` runs random ones,
as many per operation as FUZZ_EXAMPLES says.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from bundle_factory import build_test_bundle
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from credit_scoring.api.app import create_app
from credit_scoring.bundle.loader import BundleUnavailable, load_bundle

FUZZ_EXAMPLES = os.environ.get("FUZZ_EXAMPLES")

# The document does not depend on the bundle served (test_the_document_is_the_served_apps checks it), so
# it is read at collection from an app serving none, and each case is sent to an app serving one.
schema = schemathesis.openapi.from_dict(create_app(BundleUnavailable("no bundle", None, "none")).openapi())


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return create_app(
        load_bundle(build_test_bundle(tmp_path_factory.mktemp("fuzz") / "bundle", n_clients=200))
    )


def test_the_document_is_the_served_apps(app: FastAPI) -> None:
    assert app.openapi() == schema.raw_schema


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=int(FUZZ_EXAMPLES or 60),
    derandomize=FUZZ_EXAMPLES is None,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
def test_every_operation_answers_as_documented(case: schemathesis.Case, app: FastAPI) -> None:
    case.call_and_validate(app=app)


def test_a_batch_item_is_exactly_one_of_client_id_or_application_in_the_document() -> None:
    """What a generator could not know from the validator alone, the document states."""
    document = {**schema.raw_schema, "$schema": "https://json-schema.org/draft/2020-12/schema"}
    registry = Registry().with_resource("urn:openapi", Resource.from_contents(document))
    item = Draft202012Validator({"$ref": "urn:openapi#/components/schemas/BatchItem"}, registry=registry)
    assert item.is_valid({"client_id": 100002})
    assert item.is_valid({"application": {"AMT_CREDIT": 450000.0}, "client_id": None})
    assert not item.is_valid({"client_id": 100002, "application": {"AMT_CREDIT": 450000.0}})
    assert not item.is_valid({"client_id": None, "application": None})
    assert not item.is_valid({})
