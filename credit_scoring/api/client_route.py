"""`ClientIdRoute`: the route class of the hot path, GET /predict/{client_id}.

FastAPI documents the route from its endpoint's signature as usual (OpenAPI parameters, response
model, error responses), but a request does not go through FastAPI's dependency solver and response
machinery, the largest part of a round trip on this path (docs/benchmarks.md, "Serving"). The
handler applies the same client id rule as `ClientIdPath`, reports a bad id as the same 422 (and a
`lang` that is not a supported language as the 422 FastAPI would give), and awaits the endpoint with
the client id, `lang` and the `Accept-Language` header; the endpoint returns its own prebuilt Response.

A path that another route of the router spells out (`/predict/batch` beside `/predict/{client_id}`) is
that route's, whatever its method: it is never matched as a client id, so that `GET /predict/batch`
gets the 405 of `POST /predict/batch`, not a 422 about `client_id`.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.routing import Match, get_route_path
from starlette.types import Scope

from credit_scoring import schema
from credit_scoring.api.client_ids import path_client_id_error
from credit_scoring.api.language import LANG_PARAMETER, lang_error
from credit_scoring.reasons.families import LANGUAGES


class ClientIdRoute(APIRoute):
    """An APIRoute whose async endpoint takes the path's `client_id`, the `lang` query parameter and the
    `Accept-Language` header, and returns a Response; it is awaited as endpoint(client_id, lang, header)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        # Only a segment that is not an id can be another route's literal path: the hot path skips this.
        client_id = child_scope["path_params"]["client_id"] if match is not Match.NONE else None
        if client_id is not None and schema.parse_client_id(client_id) is None:
            path = get_route_path(scope)
            routes = getattr(scope.get("router"), "routes", ())
            if any(route is not self and getattr(route, "path", None) == path for route in routes):
                return Match.NONE, {}
        return match, child_scope

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        parameters = self.dependant
        names = [param.name for param in parameters.path_params]
        queries = [param.name for param in parameters.query_params]
        headers = [param.name for param in parameters.header_params]
        others = (parameters.cookie_params, parameters.body_params, parameters.dependencies)
        if (
            names != ["client_id"]
            or queries != [LANG_PARAMETER]
            or headers != ["accept_language"]
            or any(others)
        ):
            raise TypeError(
                f"{self.path}: a ClientIdRoute endpoint takes the path's client_id, lang and Accept-Language"
            )
        endpoint = self.endpoint

        async def handler(request: Request) -> Response:
            text = request.path_params["client_id"]
            client_id = schema.parse_client_id(text)
            # Parsing an empty query string costs more than the rest of this handler: most calls have none.
            lang = request.query_params.get(LANG_PARAMETER) if request.scope["query_string"] else None
            errors = [] if client_id is not None else [path_client_id_error(text)]
            if lang is not None and lang not in LANGUAGES:
                errors.append(lang_error(lang))
            if errors:
                raise RequestValidationError(errors)
            return await endpoint(client_id, lang, request.headers.get("accept-language"))

        return handler
