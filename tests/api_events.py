"""The scoring function as Lambda runs it, for tests and benchmarks: API Gateway events from events/,
re-aimed at another path, method or body; the function's init phase; a call to its handler.

A re-aimed event is what API Gateway sends for a `{proxy+}` route: the path fields agree with each
other (REST API: `path` without the stage, `requestContext.path` with it; HTTP API: `rawPath` and
`requestContext.http.path`, both with the stage when the stage is not `$default`).
"""

from __future__ import annotations

import copy
import json
import runpy
from pathlib import Path
from typing import Any

import pytest

from credit_scoring.api import sign_in

EVENTS_DIR = Path(__file__).resolve().parent.parent / "events"


def load_event(name: str) -> dict[str, Any]:
    """An event file of events/ as a dict."""
    return json.loads((EVENTS_DIR / name).read_text(encoding="utf-8"))


def aimed(
    event: dict[str, Any],
    path: str,
    method: str | None = None,
    body: str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A copy of an API Gateway event (payload 1.0 or 2.0) for `method path` with `body` and extra headers;
    Content-Length follows the body."""
    event = copy.deepcopy(event)
    headers = {**(headers or {}), "Content-Length": str(len((body or "").encode()))}
    context = event["requestContext"]
    proxy = {"proxy": path.lstrip("/")}
    if event.get("version") == "2.0":
        method = method or context["http"]["method"]
        prefix = "" if context["stage"] == "$default" else f"/{context['stage']}"
        event["rawPath"] = context["http"]["path"] = prefix + path
        context["http"]["method"] = method
        event["routeKey"] = context["routeKey"] = f"{method} /{{proxy+}}"
        event["pathParameters"] = proxy
        event["headers"].update({k.lower(): v for k, v in headers.items()})
    else:
        method = method or event["httpMethod"]
        event["path"] = path
        context["path"] = f"/{context['stage']}{path}"
        event["httpMethod"] = context["httpMethod"] = method
        event["resource"] = context["resourcePath"] = "/{proxy+}"
        event["pathParameters"] = proxy
        event["headers"].update(headers)
        event["multiValueHeaders"].update({k: [v] for k, v in headers.items()})
    if body is None:
        event.pop("body", None)
    else:
        event["body"] = body
        event["isBase64Encoded"] = False
    return event


FUNCTION_FILE = EVENTS_DIR.parent / "functions" / "scoring" / "app.py"
BATCH_FUNCTION_FILE = EVENTS_DIR.parent / "functions" / "batch" / "app.py"


def load_function(file: Path = FUNCTION_FILE, **environ: str) -> dict[str, Any]:
    """Run a function's app.py (the API's by default) as Lambda's init phase would, with only `environ`
    set of the variables it reads (the process's environment is restored afterwards); returns its
    globals (`handler`, and `app` or `state`)."""
    sign_in_variables = (sign_in.AUTHORIZE_URL, sign_in.TOKEN_URL, sign_in.CLIENT_ID, sign_in.SCOPE)
    read = ("MODEL_DIR", "MODEL_S3_URI", "API_BASE_PATH", "LOG_LEVEL", *sign_in_variables)
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name in read:
            monkeypatch.delenv(name, raising=False)
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(file), run_name=f"{file.parent.name}_function")


def invoke(handler: Any, event: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    """Call a Lambda handler with an API Gateway event: (status, lower-cased headers, parsed JSON body)."""
    response = handler(event, None)
    headers = {name.lower(): value for name, value in (response.get("headers") or {}).items()}
    body = response.get("body") or ""
    is_json = headers.get("content-type", "").startswith("application/json")
    return response["statusCode"], headers, json.loads(body) if is_json and body else body
