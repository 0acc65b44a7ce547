"""Uniform JSON errors: every 4xx names the field at fault and what is expected; a 5xx tells nothing.

Every error body is an `ErrorResponse`: `detail` (one readable sentence) and `errors` (one entry per
field: where it is, its name, what is expected; at most MAX_LISTED_ERRORS, so that a body of countless
problems gets a small answer). Validation errors come from pydantic and FastAPI,
HTTP errors from routing (404 unknown path, 405 wrong method, 413 body too large), the decision core's
errors (`DECISION_STATUSES`: unknown client, applications not scored, refused value) and `ApiError` from
the routes (model unavailable, ...). An exception nobody expected becomes a 500 whose
body says nothing about the cause, and is logged with its type, the route template, the decision id
and the code locations only: its message and the request may hold personal data, so neither is logged.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping, Sequence
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from credit_scoring.api.audit import current_decision_id
from credit_scoring.api.models import ErrorResponse, FieldError
from credit_scoring.decisions.errors import (
    ApplicationsNotScoredError,
    DecisionError,
    InvalidValueError,
    UnknownClientError,
)

logger = logging.getLogger(__name__)

MAX_LISTED_ERRORS: Final = 20
"""Most field errors one answer lists in `errors`; `detail` counts them all."""
MAX_FIELD_CHARS: Final = 200
"""Longest field path an answer repeats (an unknown field's path holds the caller's own text)."""
_IN_DETAIL: Final = 5
_LOCATIONS = frozenset({"body", "path", "query", "header"})
_UNPARSEABLE_BODY = "There was an error parsing the body"

# pydantic's wording is clear for most errors; these few are said in the API's terms instead.
_MESSAGES: Mapping[str, str] = {
    "extra_forbidden": "unknown field: expected only the fields documented in the request schema",
    "model_attributes_type": "expected a JSON object",
    "dict_type": "expected a JSON object",
    "finite_number": "expected a finite number (NaN and infinity are not accepted)",
}


class ApiError(Exception):
    """A request the API understood but cannot answer: an HTTP status, a sentence, and the field at fault."""

    def __init__(
        self, status_code: int, detail: str, field: str | None = None, location: str = "body"
    ) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail
        self.field = field
        self.location = location


DECISION_STATUSES: Final[dict[type[DecisionError], int]] = {
    UnknownClientError: 404,
    ApplicationsNotScoredError: 409,
    InvalidValueError: 422,
}
"""The HTTP status answering each error of the decision core (HTTP requests and SQS results alike)."""


def as_api_error(error: DecisionError, field: str | None = None, location: str = "body") -> ApiError:
    """The API's answer to an error of the decision core, naming `field` (the error's own by default)."""
    return ApiError(DECISION_STATUSES[type(error)], error.detail, field or error.field, location)


def error_body(detail: str, errors: Sequence[FieldError] = ()) -> dict[str, Any]:
    """The JSON body of an error response."""
    return ErrorResponse(detail=detail, errors=list(errors)).model_dump(exclude_none=True)


def api_error_body(error: ApiError) -> dict[str, Any]:
    """The JSON body answering an `ApiError`, for a whole request or for one item of a batch: its sentence
    and, when it names a field, that field (where it is and what is expected) in `errors`."""
    if error.field is None:
        return error_body(error.detail)
    errors = [FieldError(location=error.location, field=error.field, message=error.detail)]
    return error_body(f"{error.field}: {error.detail}", errors)


def _field_name(loc: Sequence[str | int]) -> tuple[str, str]:
    """(location, field path) of a pydantic error: ("body", "items[3].application.AMT_CREDIT"), the path
    clipped to MAX_FIELD_CHARS."""
    location = str(loc[0]) if loc and loc[0] in _LOCATIONS else "body"
    parts = loc[1:] if loc and loc[0] in _LOCATIONS else loc
    name = ""
    for part in parts:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    if len(name) > MAX_FIELD_CHARS:
        name = f"{name[:MAX_FIELD_CHARS]}… ({len(name):,} characters)"
    return location, name or location


def _message(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "json_invalid":
        position = error["loc"][-1] if isinstance(error["loc"][-1], int) else 0
        reason = error.get("ctx", {}).get("error", "invalid JSON")
        return f"expected a JSON object; the body is not valid JSON ({reason} at character {position})"
    if kind == "missing" and tuple(error.get("loc", ())) == ("body",):
        return "expected a JSON request body"
    return _MESSAGES.get(kind, error.get("msg", "invalid value"))


def _field_error(error: Mapping[str, Any]) -> FieldError:
    """The `FieldError` of one pydantic or FastAPI validation error. The request body is not copied into
    the answer; a message may quote the one value at fault (the schema's value rule does, clipped)."""
    location, name = _field_name(tuple(error.get("loc", ())))
    if error.get("type") == "json_invalid":
        name = "body"
    return FieldError(location=location, field=name, message=_message(error))


def validation_error_body(
    errors: Sequence[Mapping[str, Any]], what: str = "invalid request"
) -> dict[str, Any]:
    """The body answering pydantic or FastAPI validation errors: `errors` lists the first
    MAX_LISTED_ERRORS, `detail` (starting with `what`) the first few, and counts all of them."""
    listed = [_field_error(error) for error in errors[:MAX_LISTED_ERRORS]]
    shown = "; ".join(
        # check_application_value's messages already start with the column's name.
        error.message if error.message.startswith(error.field) else f"{error.field}: {error.message}"
        for error in listed[:_IN_DETAIL]
    )
    more = f" (and {len(errors) - _IN_DETAIL:,} more)" if len(errors) > _IN_DETAIL else ""
    return error_body(f"{what}: {shown}{more}", listed)


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(validation_error_body(exc.errors()), status_code=422)


def _allowed(header: str) -> str:
    """A route's Allow header in a stable order, with HEAD wherever GET is (`HeadAsGet` answers it)."""
    methods = {method.strip() for method in header.split(",") if method.strip()}
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    # Routing's own errors carry only the status phrase; a route's HTTPException keeps its detail.
    if exc.status_code == 405:
        allowed = _allowed((exc.headers or {}).get("Allow", ""))
        detail = f"method {request.method} is not allowed on this route; allowed: {allowed}"
        return JSONResponse(error_body(detail), status_code=405, headers={"Allow": allowed})
    elif exc.status_code == 404 and detail == "Not Found":
        detail = "no such route; /docs lists the API's routes"
    elif exc.status_code == 400 and detail == _UNPARSEABLE_BODY:
        # FastAPI's answer to a body json.loads cannot even decode (not UTF-8, an integer of 4,300 digits).
        message = "expected a JSON object in UTF-8; the body could not be decoded"
        errors = [FieldError(location="body", field="body", message=message)]
        return JSONResponse(error_body(f"invalid request: body: {message}", errors), status_code=400)
    return JSONResponse(error_body(detail), status_code=exc.status_code, headers=exc.headers)


async def _on_api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(api_error_body(exc), status_code=exc.status_code)


async def _on_decision_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DecisionError)
    location = "path" if exc.field in request.path_params else "body"
    return await _on_api_error(request, as_api_error(exc, location=location))


class UnexpectedErrors:
    """ASGI middleware turning an exception no handler expected into a bare 500 JSON response.

    Starlette's own last-resort handler re-raises after answering, which makes Mangum and uvicorn log
    the full traceback with its message; this one answers and logs without the message.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            route = getattr(scope.get("route"), "path", "unmatched route")
            decision_id = current_decision_id.get()
            frames = " <- ".join(
                f"{frame.filename}:{frame.lineno} in {frame.name}"
                for frame in reversed(traceback.extract_tb(exc.__traceback__))
            )
            logger.error(
                "unexpected %s on %s %s (decision %s) at %s",
                type(exc).__name__,
                scope["method"],
                route,
                decision_id,
                frames,
            )
            if started:
                raise
            body = error_body("internal error: the request could not be answered; it has been logged")
            if decision_id:
                body["decision_id"] = decision_id
            await JSONResponse(body, status_code=500)(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    """Register the uniform JSON error handlers and the last-resort 500 middleware on `app`."""
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(HTTPException, _on_http_error)
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(DecisionError, _on_decision_error)
    app.add_middleware(UnexpectedErrors)
