"""The scoring routes: decisions, explanations, the model card and health, over one bundle's state.

The routes close over the `ServedBundle` built once at start-up (no per-request dependency lookup):
the bundle with its `DecisionService`, or the reason it cannot be served. When it cannot, every scoring
route answers 503 with the reason, and `/health` says why; a bundle whose file fails verification while
serving is withdrawn for good (`ServedBundle.withdraw`, called by the app's `BundleError` handler). Each
decision gets a fresh decision id, returned in the body and in X-Decision-Id, and one audit line.
"""

from __future__ import annotations

import time
from typing import Any, Final

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from pydantic_core import to_json

from credit_scoring import schema
from credit_scoring.api.application_model import Application, decide_applications
from credit_scoring.api.audit import begin_decision, new_decision_id
from credit_scoring.api.body_limit import MAX_BODY_BYTES
from credit_scoring.api.client_ids import ClientIdPath
from credit_scoring.api.client_route import ClientIdRoute
from credit_scoring.api.errors import ApiError, api_error_body
from credit_scoring.api.items import decide_items
from credit_scoring.api.language import AcceptLanguageHeader, LanguageQuery, choose_language
from credit_scoring.api.models import (
    BatchRequest,
    BatchResponse,
    ErrorResponse,
    ExplanationResponse,
    HealthResponse,
    ModelResponse,
    PredictionResponse,
)
from credit_scoring.api.recorder import APPLICATION, STORED_CLIENT, DecisionRecorder
from credit_scoring.bundle.errors import BundleError
from credit_scoring.bundle.loader import BundleUnavailable, LoadedBundle
from credit_scoring.decisions.service import DecisionService, ServedDecision

DECISION_ID_HEADER: Final = "X-Decision-Id"
PREDICT_ROUTE: Final = "/predict/{client_id}"
BATCH_ROUTE: Final = "/predict/batch"


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


_UNAVAILABLE = {
    503: _error(
        "The model bundle could not be loaded, or one of its files failed verification while serving; "
        "`detail` says why."
    )
}
_BAD_ID = {422: _error("The client id is not exactly 6 digits.")}
_UNKNOWN = {404: _error("The client is not in the store of this model version.")}
_BAD_BODY = {
    400: _error(
        "The body cannot be decoded as JSON text at all (not UTF-8, an integer of thousands of digits); "
        "`errors` names the field `body`."
    ),
    413: _error(f"The body is larger than {MAX_BODY_BYTES} bytes (6 MB)."),
    422: _error("A field is invalid: `errors` names each one and what is expected."),
}
_DECISION_HEADERS = {DECISION_ID_HEADER: {"description": "The decision id.", "schema": {"type": "string"}}}


class _Scoring(DecisionRecorder):
    """A loaded bundle's decision service with its audit log: makes, audits and shapes decisions."""

    def respond(
        self,
        route: str,
        decision_id: str,
        subject: str,
        client_id: int | None,
        served: ServedDecision,
        started: float,
        language: str,
    ) -> Response:
        """The decision as a JSON response, serialised by pydantic-core: the hot path's largest saving
        over JSONResponse (the body's shape is PredictionResponse, declared as the route's model)."""
        body = self.record(route, decision_id, subject, client_id, served, started, language)
        headers = {DECISION_ID_HEADER: decision_id, "Content-Language": language, "Vary": "Accept-Language"}
        return Response(to_json(body), media_type="application/json", headers=headers)

    def batch(self, request: BatchRequest, language: str) -> dict[str, Any]:
        """Per-item results in request order: an unknown client or an application this model cannot
        score is an item with its status, not a failed batch; each decision is audited on its own."""
        started = time.perf_counter()
        service = self.service
        results: list[dict[str, Any]] = []
        for index, outcome in enumerate(decide_items(service, request.items, _item_field)):
            if isinstance(outcome, ApiError):
                # The same body as the request would have had on its own, naming the item's field.
                results.append(
                    {"index": index, "status": outcome.status_code, "error": api_error_body(outcome)}
                )
                continue
            body = self.record(
                BATCH_ROUTE,
                new_decision_id(),
                outcome.subject,
                outcome.client_id,
                outcome.served,
                started,
                language,
            )
            results.append({"index": index, "status": 200, "decision": body})
        return {"model_version": service.model_version, "results": results}


def _item_field(index: int, name: str) -> str:
    return f"items[{index}].{name}"


def _explanation(client_id: int, service: DecisionService) -> dict[str, Any]:
    explanation = service.explain(service.find(client_id, "client_id"))
    ordered = sorted(explanation.contributions, key=lambda c: -abs(c.contribution))
    return {
        "client_id": client_id,
        "model_version": service.model_version,
        "probability": explanation.probability,
        "raw_score": explanation.raw_score,
        "base": explanation.base_value,
        "contributions": [
            {"feature": c.feature, "value": c.value, "contribution": c.contribution} for c in ordered
        ],
    }


def _model_card(service: DecisionService) -> dict[str, Any]:
    manifest = service.manifest
    return {
        "model_version": manifest.model_version,
        "created_at": manifest.created_at,
        "kind": manifest.model.kind,
        "estimator": manifest.model.estimator,
        "imbalance": manifest.model.imbalance,
        "threshold": manifest.threshold,
        "cost": manifest.cost,
        # The response model writes a NaN metric (e.g. the AUC of a one-class group) as null.
        "metrics": manifest.metrics,
        "fairness": manifest.fairness,
        "features": [{"name": f.name, "group": f.group} for f in manifest.features],
        "global_importance": [
            {"feature": i.feature, "importance": i.importance, "direction": i.direction}
            for i in manifest.global_importance
        ],
        "accepts_applications": service.accepts_applications,
        "protected": list(manifest.protected or ()),
        "example_client_ids": list(manifest.example_client_ids),
        "model_card": manifest.model_card or _NO_CARD,
    }


_NO_CARD: dict[str, Any] = {
    "calibration": {"method": "none", "calibrated": False, "note": "this bundle records no model card"}
}


class ServedBundle:
    """The bundle the routes serve: `state` (loaded, or why it cannot be served) and, while it can be,
    `scoring`, its decision service with its audit log.

    A loaded bundle's store is verified block by block as it is read, so a file altered after start-up
    is found by the request that first reads the altered block. `withdraw` then makes the bundle
    unavailable for good, in this one place: every later request is answered as for a bundle refused at
    load, since a bundle that failed verification is never served again, not even the blocks that were
    verified before.
    """

    __slots__ = ("scoring", "state")

    def __init__(self, state: LoadedBundle | BundleUnavailable, service: DecisionService | None) -> None:
        self.state = state
        self.scoring = _Scoring(service) if service is not None else None

    def withdraw(self, error: BundleError) -> BundleUnavailable:
        """Stop serving the bundle because `error` was found in one of its files; returns the new state
        (the first such error is the reason kept)."""
        if not isinstance(self.state, BundleUnavailable):
            self.state = BundleUnavailable(reason=str(error), file=error.file, source=self.state.source)
            self.scoring = None
        return self.state

    def unavailable(self) -> ApiError:
        """The 503 answering a scoring request while the bundle cannot be served."""
        assert isinstance(self.state, BundleUnavailable)
        return ApiError(503, f"model bundle unavailable: {self.state.reason}")


def add_scoring_routes(router: APIRouter, served: ServedBundle) -> None:
    """Add the routes over the `served` bundle, answering 503 while it is unavailable, to `router`: the
    app's own router, since routes included from another router are matched through an extra layer on
    the hot path."""

    def ready() -> _Scoring:
        scoring = served.scoring
        if scoring is None:
            raise served.unavailable()
        return scoring

    async def predict_stored(
        client_id: ClientIdPath, lang: LanguageQuery = None, accept_language: AcceptLanguageHeader = None
    ) -> Response:
        """The predecessor's contract (`client_id`, `prediction`, `probability`) with the decision, its
        threshold, the model version, up to 4 principal reasons in words, how much of the application
        was given, and the decision id and time."""
        started = time.perf_counter()
        current = ready()
        client = current.service.find(client_id, "client_id")
        decision_id = begin_decision()
        served = current.service.decide_stored_client(client)
        language = choose_language(lang, accept_language)
        return current.respond(
            PREDICT_ROUTE, decision_id, STORED_CLIENT, client_id, served, started, language
        )

    router.add_api_route(
        PREDICT_ROUTE,
        predict_stored,
        methods=["GET"],
        route_class_override=ClientIdRoute,
        response_model=PredictionResponse,
        responses={**_BAD_ID, **_UNKNOWN, **_UNAVAILABLE, 200: {"headers": _DECISION_HEADERS}},
        summary="Decision for a stored client",
        tags=["decisions"],
    )

    @router.post(
        "/predict",
        response_model=PredictionResponse,
        responses={
            **_BAD_BODY,
            409: _error(
                "This model cannot score applications (an imported model without application features)."
            ),
            **_UNAVAILABLE,
            200: {"headers": _DECISION_HEADERS},
        },
        summary="Decision for a new application",
        tags=["decisions"],
    )
    async def predict_application(
        application: Application,  # type: ignore[valid-type]
        lang: LanguageQuery = None,
        accept_language: AcceptLanguageHeader = None,
    ) -> Response:
        """Score an application given as Home Credit application fields. With the SK_ID_CURR of a stored
        client, that client's credit history is joined; any other SK_ID_CURR is a new applicant, scored
        without history (`history_joined` says which). An empty or nearly empty application is answered,
        its `information` flagged."""
        started = time.perf_counter()
        current = ready()
        decision_id = begin_decision()
        (served,) = decide_applications(current.service, [application])
        client_id = getattr(application, schema.CLIENT_ID)
        language = choose_language(lang, accept_language)
        return current.respond("/predict", decision_id, APPLICATION, client_id, served, started, language)

    @router.post(
        BATCH_ROUTE,
        response_model=BatchResponse,
        responses={**_BAD_BODY, **_UNAVAILABLE},
        summary="Decisions for up to 1,000 clients or applications",
        tags=["decisions"],
    )
    async def predict_batch(
        batch: BatchRequest, lang: LanguageQuery = None, accept_language: AcceptLanguageHeader = None
    ) -> dict[str, Any]:
        """Each item is a stored client id or an application; results come back in the same order, each
        with its own status (an unknown client is a 404 item, not a failed batch)."""
        return ready().batch(batch, choose_language(lang, accept_language))

    @router.get(
        "/explain/{client_id}",
        response_model=ExplanationResponse,
        responses={**_BAD_ID, **_UNKNOWN, **_UNAVAILABLE},
        summary="Every feature's contribution for a stored client",
        tags=["explanations"],
    )
    async def explain(client_id: ClientIdPath) -> dict[str, Any]:
        """Exact contributions for a linear model, TreeSHAP for trees: base + Σ contributions = raw_score."""
        return _explanation(client_id, ready().service)

    @router.get(
        "/model",
        response_model=ModelResponse,
        responses=_UNAVAILABLE,
        summary="The served model's card",
        tags=["model"],
    )
    async def model() -> dict[str, Any]:
        """Version, threshold, cost weights, metrics, fairness summary, features, global importances and
        the model card (discrimination with intervals, calibration, cost curve, fairness by group)."""
        return _model_card(ready().service)

    @router.get(
        "/health",
        response_model=HealthResponse,
        response_model_exclude_none=True,
        responses={
            503: {"model": HealthResponse, "description": "The bundle cannot be served; `reason` says why."}
        },
        summary="Whether the function can score",
        tags=["operations"],
    )
    async def health() -> Any:
        """200 with the bundle's source and version, or 503 with the reason it cannot be served (it could
        not be loaded, or one of its files failed verification since)."""
        scoring, state = served.scoring, served.state
        if scoring is not None:
            return {"status": "ok", "source": state.source, "model_version": scoring.service.model_version}
        assert isinstance(state, BundleUnavailable)
        body = {"status": "unavailable", "source": state.source, "reason": state.reason, "file": state.file}
        return JSONResponse(HealthResponse(**body).model_dump(exclude_none=True), status_code=503)
