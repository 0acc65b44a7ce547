"""`ClientIdRoute`: the route class of the hot path, GET /predict/{client_id}.

FastAPI documents the route from its endpoint's signature as usual (OpenAPI parameters, response
model, error responses), but a request does not go through FastAPI's dependency solver and response
machinery, which cost about 40 µs per call: half of a whole FastAPI + Mangum round trip, as measured
by bench/bench_serving.py. The handler applies the same client id rule as `ClientIdPath`, reports a
bad id as the same 422, and awaits the endpoint, which returns its own prebuilt Response.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute

from credit_scoring.api.client_ids import parse_path_client_id, path_client_id_error


class ClientIdRoute(APIRoute):
    """An APIRoute whose async endpoint takes exactly one parameter, the path's `client_id`, and
    returns a Response."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        parameters = self.dependant
        names = [param.name for param in parameters.path_params]
        others = (
            parameters.query_params,
            parameters.header_params,
            parameters.cookie_params,
            parameters.body_params,
            parameters.dependencies,
        )
        if names != ["client_id"] or any(others):
            raise TypeError(
                f"{self.path}: a ClientIdRoute endpoint takes the path's client_id and nothing else"
            )
        endpoint = self.endpoint

        async def handler(request: Request) -> Response:
            text = request.path_params["client_id"]
            client_id = parse_path_client_id(text)
            if client_id is None:
                raise RequestValidationError([path_client_id_error(text)])
            return await endpoint(client_id)

        return handler
