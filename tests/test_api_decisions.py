"""The scoring API through the Lambda handler of functions/scoring/app.py, called with API Gateway
events (REST API payload 1.0, HTTP API payload 2.0, behind a stage prefix): decisions, explanations,
the model card, health, and the OpenAPI contract."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from api_events import aimed, invoke, load_event, load_function
from bundle_factory import build_test_bundle

from credit_scoring.bundle.loader import LoadedBundle, load_bundle
from credit_scoring.reasons import catalogue

REST = "rest-v1-get-predict.json"
HTTP = "http-v2-get-predict.json"
HTTP_STAGE = "http-v2-get-predict-stage.json"


@pytest.fixture(scope="module", params=["linear", "lightgbm"])
def bundle_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real bundle of each serving kind: linear (contributions computed per request) and LightGBM
    (contributions precomputed in the store)."""
    return build_test_bundle(tmp_path_factory.mktemp(request.param) / "bundle", kind=request.param)


@pytest.fixture(scope="module")
def bundle(bundle_dir: Path) -> LoadedBundle:
    return load_bundle(bundle_dir)


@pytest.fixture(scope="module")
def handler(bundle_dir: Path) -> Callable:
    return load_function(MODEL_DIR=str(bundle_dir))["handler"]


@pytest.fixture(scope="module")
def staged_handler(bundle_dir: Path) -> Callable:
    """The function behind the `dev` stage, template.yaml's default, which sets API_BASE_PATH so."""
    return load_function(MODEL_DIR=str(bundle_dir), API_BASE_PATH="/dev")["handler"]


def get(handler: Callable, path: str, event: str = HTTP) -> tuple[int, dict[str, str], Any]:
    return invoke(handler, aimed(load_event(event), path))


def post(handler: Callable, path: str, payload: object, event: str = HTTP) -> tuple[int, dict[str, str], Any]:
    base = load_event(event.replace("get-predict", "post-predict"))
    return invoke(handler, aimed(base, path, "POST", json.dumps(payload)))


def stored_client(bundle: LoadedBundle, index: int = 0) -> int:
    return bundle.manifest.example_client_ids[index]


def assert_same_decision(decision: dict[str, Any], expected: dict[str, Any]) -> None:
    """Same decision and reasons; scores equal to float rounding (TreeSHAP computed per request and
    precomputed in the store sum in different orders)."""
    assert decision["probability"] == pytest.approx(expected["probability"], abs=1e-12)
    assert decision["prediction"] == expected["prediction"]
    assert [(r["feature"], r["value"]) for r in decision["reasons"]] == [
        (r["feature"], r["value"]) for r in expected["reasons"]
    ]
    assert [r["contribution"] for r in decision["reasons"]] == pytest.approx(
        [r["contribution"] for r in expected["reasons"]], abs=1e-12
    )


@pytest.mark.parametrize("event", [REST, HTTP])
def test_the_event_files_get_a_decision_with_the_predecessors_fields(handler: Callable, event: str) -> None:
    response = handler(load_event(event), None)
    # events/ ask for client 100002, which the random test bundle does not hold: a proper 404.
    assert response["statusCode"] == 404
    assert "100002" in json.loads(response["body"])["detail"]


@pytest.mark.parametrize("event", [REST, HTTP])
def test_decision_for_a_stored_client(handler: Callable, bundle: LoadedBundle, event: str) -> None:
    client_id = stored_client(bundle)
    status, headers, body = get(handler, f"/predict/{client_id}", event)

    assert status == 200
    row = bundle.store.row(bundle.store.row_index(client_id))
    probability = float(bundle.scorer.calibration.probability(bundle.model.raw_score(row[np.newaxis, :]))[0])
    assert body["client_id"] == client_id
    assert body["probability"] == pytest.approx(probability, abs=1e-12)
    assert body["prediction"] == int(probability >= bundle.manifest.threshold)
    assert body["decision"] == ("refused" if body["prediction"] == 1 else "accepted")
    assert body["threshold"] == bundle.manifest.threshold
    assert body["model_version"] == bundle.manifest.model_version
    assert headers["x-decision-id"] == body["decision_id"]


def test_each_reason_is_led_by_its_familys_most_risk_raising_feature(
    handler: Callable, bundle: LoadedBundle
) -> None:
    """Reasons are families (tests/test_reasons.py orders them); each is stated through the feature of
    its family with the largest contribution, with that feature's value and contribution."""
    for client_id in bundle.manifest.example_client_ids:
        _, _, decision = get(handler, f"/predict/{client_id}")
        _, _, explanation = get(handler, f"/explain/{client_id}")
        by_family: dict[str, list[dict[str, Any]]] = {}
        for c in explanation["contributions"]:
            by_family.setdefault(catalogue.entry(c["feature"]).family.key, []).append(c)
        leading = [max(by_family[r["family"]], key=lambda c: c["contribution"]) for r in decision["reasons"]]
        assert_same_decision(decision, {**decision, "reasons": leading})


def test_explanation_adds_up_to_the_score(handler: Callable, bundle: LoadedBundle) -> None:
    client_id = stored_client(bundle, 1)
    status, _, body = get(handler, f"/explain/{client_id}")

    assert status == 200
    contributions = body["contributions"]
    assert [c["feature"] for c in contributions] != list(
        bundle.manifest.feature_names
    )  # sorted, not raw order
    assert sorted(c["feature"] for c in contributions) == sorted(bundle.manifest.feature_names)
    assert [abs(c["contribution"]) for c in contributions] == sorted(
        (abs(c["contribution"]) for c in contributions), reverse=True
    )
    assert body["base"] + math.fsum(c["contribution"] for c in contributions) == pytest.approx(
        body["raw_score"], abs=1e-9
    )
    calibrated = bundle.scorer.calibration.probability(np.float64(body["raw_score"]))
    assert body["probability"] == pytest.approx(float(calibrated), abs=1e-12)
    row = bundle.store.row(bundle.store.row_index(client_id))
    assert body["raw_score"] == pytest.approx(float(bundle.model.raw_score(row[np.newaxis, :])[0]), abs=1e-9)


def application_of(bundle: LoadedBundle, client_id: int) -> dict[str, Any]:
    """A stored client's application fields as a caller would send them (missing fields left out)."""
    record = bundle.store.application(client_id)
    assert record is not None
    return {column: value for column, value in record.items() if value is not None}


def test_an_application_scores_as_the_stored_client_it_describes(
    handler: Callable, bundle: LoadedBundle
) -> None:
    client_id = stored_client(bundle, 2)
    _, _, stored = get(handler, f"/predict/{client_id}")
    application = application_of(bundle, client_id)

    joined_status, joined_headers, joined = post(
        handler, "/predict", {**application, "SK_ID_CURR": client_id}
    )
    alone_status, _, alone = post(handler, "/predict", application, event="rest-v1-get-predict.json")

    assert (joined_status, alone_status) == (200, 200)
    assert joined["client_id"] == client_id
    assert alone["client_id"] is None
    assert (joined["history_joined"], alone["history_joined"], stored["history_joined"]) == (
        True,
        False,
        True,
    )
    # The test bundle has no history tables: with or without the join, the same features.
    for body in (joined, alone):
        assert_same_decision(body, stored)
    assert joined_headers["x-decision-id"] == joined["decision_id"] != alone["decision_id"]


def test_a_new_applicants_id_is_scored_from_its_application_without_history(
    handler: Callable, bundle: LoadedBundle
) -> None:
    """An SK_ID_CURR the store does not hold is a new applicant (every row of application_test.csv),
    scored from its fields as the batch path scores the same row."""
    application = application_of(bundle, stored_client(bundle, 1))
    new_id = 999998
    assert bundle.store.row_index(new_id) is None

    status, _, new = post(handler, "/predict", {**application, "SK_ID_CURR": new_id})
    _, _, anonymous = post(handler, "/predict", application)

    assert status == 200
    assert (new["client_id"], new["history_joined"]) == (new_id, False)
    assert new["probability"] == anonymous["probability"]
    assert new["reasons"] == anonymous["reasons"]


def test_an_empty_application_is_scored_with_every_value_missing(handler: Callable) -> None:
    status, _, body = post(handler, "/predict", {})

    assert status == 200
    assert 0.0 < body["probability"] < 1.0


def test_batch_answers_each_item_in_order_as_the_single_routes_do(
    handler: Callable, bundle: LoadedBundle
) -> None:
    first, second = stored_client(bundle, 0), stored_client(bundle, 1)
    application = application_of(bundle, second)
    unknown_application = {**application, "SK_ID_CURR": 999998}
    items = [
        {"client_id": first},
        {"client_id": 999998},
        {"application": application},
        {"application": unknown_application},
    ]

    status, _, body = post(handler, "/predict/batch", {"items": items})

    assert status == 200
    assert body["model_version"] == bundle.manifest.model_version
    assert [(r["index"], r["status"]) for r in body["results"]] == [(0, 200), (1, 404), (2, 200), (3, 200)]
    assert [r["error"] for r in body["results"] if r["decision"]] == [None, None, None]
    # An item's error has the shape of a request's error, naming the item's field.
    error = body["results"][1]["error"]
    assert set(error) == {"detail", "errors"}
    (entry,) = error["errors"]
    assert (entry["location"], entry["field"]) == ("body", "items[1].client_id")
    assert "999998" in entry["message"]
    assert error["detail"] == f"items[1].client_id: {entry['message']}"
    # An application with a new applicant's id is scored as POST /predict scores it.
    _, _, single = post(handler, "/predict", unknown_application)
    new_applicant = body["results"][3]["decision"]
    assert (new_applicant["history_joined"], single["history_joined"]) == (False, False)
    assert new_applicant["probability"] == single["probability"]
    for result, client_id in ((body["results"][0], first), (body["results"][2], second)):
        _, _, single = get(handler, f"/predict/{client_id}")
        assert_same_decision(result["decision"], single)
    ids = [r["decision"]["decision_id"] for r in body["results"] if r["decision"]]
    assert len(set(ids)) == 3


def test_model_card_describes_the_served_bundle(handler: Callable, bundle: LoadedBundle) -> None:
    status, _, body = get(handler, "/model")
    manifest = bundle.manifest

    assert status == 200
    assert (body["model_version"], body["threshold"], body["kind"]) == (
        manifest.model_version,
        manifest.threshold,
        manifest.model.kind,
    )
    assert body["cost"] == manifest.cost
    assert [f["name"] for f in body["features"]] == list(manifest.feature_names)
    assert [i["feature"] for i in body["global_importance"]] == [
        i.feature for i in manifest.global_importance
    ]
    assert body["accepts_applications"] is True
    assert body["protected"] == ["CODE_GENDER"]
    assert body["example_client_ids"] == list(manifest.example_client_ids)
    assert body["metrics"] == json.loads(json.dumps(manifest.metrics))


def test_health_names_the_source_and_version(
    handler: Callable, bundle_dir: Path, bundle: LoadedBundle
) -> None:
    status, _, body = get(handler, "/health", "rest-v1-get-health.json")

    assert status == 200
    assert body == {"status": "ok", "source": str(bundle_dir), "model_version": bundle.manifest.model_version}


def test_behind_a_stage_prefix_every_route_and_the_docs_work(
    staged_handler: Callable, bundle: LoadedBundle
) -> None:
    client_id = stored_client(bundle)
    # HTTP API: the stage is in the path; REST API: it is not, but the public URLs carry it.
    for event in (HTTP_STAGE, REST):
        status, _, body = get(staged_handler, f"/predict/{client_id}", event)
        assert (status, body["client_id"]) == (200, client_id)

        status, headers, page = get(staged_handler, "/docs", event)
        assert status == 200
        assert headers["content-type"].startswith("text/html")
        assert "'/dev/openapi.json'" in page or '"/dev/openapi.json"' in page

        status, _, schema = get(staged_handler, "/openapi.json", event)
        assert status == 200
        assert schema["servers"] == [{"url": "/dev"}]


def test_the_bare_stage_url_serves_the_page_instead_of_redirecting_off_the_stage(
    staged_handler: Callable,
) -> None:
    # https://host/dev (no trailing slash) reaches the app as an empty path once Mangum strips "/dev".
    status, headers, _ = get(staged_handler, "", HTTP_STAGE)

    assert status == 200, headers.get("location")
    assert headers["content-type"].startswith("text/html")


def test_a_trailing_slash_redirect_stays_on_the_stage(staged_handler: Callable) -> None:
    # /dev/health/ is redirected to the route /health, whose public URL is /dev/health.
    for event in (HTTP_STAGE, REST):
        status, headers, _ = get(staged_handler, "/health/", event)

        assert status == 307
        location = headers["location"]
        assert location.split("://", 1)[-1].partition("/")[2] == "dev/health", location


def test_the_stage_event_file_reaches_the_route(staged_handler: Callable) -> None:
    status, _, body = invoke(staged_handler, load_event(HTTP_STAGE))
    assert status == 404
    assert "100002" in body["detail"]


def test_openapi_documents_models_examples_and_errors(handler: Callable) -> None:
    _, _, schema = get(handler, "/openapi.json")
    paths, components = schema["paths"], schema["components"]["schemas"]

    predict = paths["/predict/{client_id}"]["get"]
    assert predict["parameters"][0]["schema"]["minimum"] == 100000
    assert predict["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/PredictionResponse"
    )
    assert "X-Decision-Id" in predict["responses"]["200"]["headers"]
    for status in ("404", "422", "503"):
        assert predict["responses"][status]["content"]["application/json"]["schema"]["$ref"].endswith(
            "/ErrorResponse"
        )
    assert components["PredictionResponse"]["examples"]

    application = components["Application"]
    assert application["additionalProperties"] is False
    contract_type = application["properties"]["NAME_CONTRACT_TYPE"]["anyOf"][0]
    assert contract_type["enum"] == ["Cash loans", "Revolving loans"]
    assert application["properties"]["AMT_CREDIT"]["anyOf"][0]["minimum"] == 0
    assert "CODE_GENDER" in application["properties"]
    assert "TARGET" not in application["properties"]
    for route in ("/predict", "/predict/batch"):
        assert {"413", "422"} <= set(paths[route]["post"]["responses"])
    result = components["BatchResult"]["properties"]["error"]
    assert {"$ref": "#/components/schemas/ErrorResponse"} in result["anyOf"]
    assert paths["/predict"]["post"]["responses"]["409"]
    assert components["BatchRequest"]["properties"]["items"]["maxItems"] == 1000
    for route in ("/explain/{client_id}", "/model", "/health"):
        assert "503" in paths[route]["get"]["responses"]


def test_every_route_taking_a_body_documents_the_400_of_a_body_json_cannot_decode(handler: Callable) -> None:
    _, _, schema = get(handler, "/openapi.json")
    with_body = [
        (path, method, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    ]
    assert {(path, method) for path, method, _ in with_body} >= {
        ("/predict", "post"),
        ("/predict/batch", "post"),
    }
    for path, method, operation in with_body:
        answer = operation["responses"].get("400")
        assert answer is not None, (path, method)
        assert answer["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorResponse")
        assert "JSON" in answer["description"]


def test_the_documented_examples_are_valid_requests(handler: Callable) -> None:
    _, _, schema = get(handler, "/openapi.json")
    (example,) = schema["components"]["schemas"]["Application"]["examples"]

    status, _, body = post(handler, "/predict", example)
    assert status == 200
    assert body["client_id"] is None

    status, _, body = post(handler, "/predict/batch", {"items": [{"application": example}]})
    assert (status, body["results"][0]["status"]) == (200, 200)
