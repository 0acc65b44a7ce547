"""`create_app`: the FastAPI app over a loaded bundle (or over the reason it could not be loaded).

Built once per process: on Lambda at import time (the init phase, see `functions/scoring/app.py`),
locally by `credit-scoring serve`. Behind an API Gateway stage or a custom-domain base path, the
public URLs carry a prefix the app never sees in its routes (Mangum strips it): `root_path` tells the
app that prefix, so that /docs points the browser at <prefix>/openapi.json and the OpenAPI document
lists <prefix> as its server.

A bundle file found altered while serving (the store verifies each block the first time it is read)
raises `BundleError` in whichever route read it; one exception handler answers it, in place of the bare
500 an unexpected error gets: it withdraws the bundle for good (`ServedBundle.withdraw`), logs the file
and the reason (never data) and answers 503 with them, as every later request is answered and as
/health reports from then on. A file the operating system could not read (`BundleReadError`, e.g.
`population.json` on a failing disk) is a 503 for that request only: the next one reads it again.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from credit_scoring import __version__
from credit_scoring.api import dashboard
from credit_scoring.api.body_limit import BodySizeLimit
from credit_scoring.api.errors import error_body, install_error_handlers
from credit_scoring.api.head import HeadAsGet
from credit_scoring.api.model_health import add_model_health_route
from credit_scoring.api.routes import ServedBundle, add_scoring_routes
from credit_scoring.api.sign_in import SignIn
from credit_scoring.bundle.errors import BundleError, BundleReadError
from credit_scoring.bundle.loader import BundleUnavailable, LoadedBundle
from credit_scoring.decisions.service import open_service
from credit_scoring.monitoring.summaries import SummaryStore

logger = logging.getLogger(__name__)

DESCRIPTION = """\
Credit decisions for Prêt à dépenser clients, with their reasons.

A decision refuses the credit (`prediction` 1) when the probability of default reaches the model's
threshold, chosen in training to minimise the business cost of errors. Each decision carries up to
four reasons (the features pushing the risk up the most), the model version and a decision id, and is
written to an audit log that holds no client data. Errors are JSON objects naming the field at fault.
"""


class RootPath:
    """ASGI middleware declaring the public path prefix as the ASGI `root_path` of every request.

    Mangum strips the prefix (or the path never had it); the ASGI path is the public one, so it is put
    back in front: routing strips `root_path` again before matching, while every URL the app builds
    from the request (the trailing-slash redirect, the docs' link to the OpenAPI document) keeps the
    prefix. The bare prefix is the dashboard's page.
    """

    def __init__(self, app: ASGIApp, root_path: str) -> None:
        self.app = app
        self.root_path = root_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope["root_path"] = self.root_path
            # "<prefix>" without a trailing slash reaches the app as an empty path: it is the page "/".
            scope["path"] = self.root_path + (scope["path"] or "/")
        await self.app(scope, receive, send)


def normalise_base_path(base_path: str) -> str:
    """The prefix in canonical form: "prod", "/prod/" and "/prod" give "/prod"; "" and "/" give ""."""
    stripped = base_path.strip().strip("/")
    return f"/{stripped}" if stripped else ""


def _withdraw_on_bundle_error(app: FastAPI, served: ServedBundle) -> None:
    """Answer a `BundleError` raised while serving (a store block altered after start-up) with a 503
    naming the file, after withdrawing the bundle for every later request."""

    async def on_bundle_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, BundleError)
        if isinstance(exc, BundleReadError):
            logger.warning("model bundle file unreadable: file=%s reason=%s", exc.file, exc.logged_reason)
            detail = (
                f"model bundle unavailable for this request: {exc}; "
                "the rest of the API is unaffected: try again"
            )
            return JSONResponse(error_body(detail), status_code=503)
        withdrawn = served.withdraw(exc)
        logger.error(
            "model bundle withdrawn while serving: file=%s reason=%s source=%s",
            exc.file,
            exc.logged_reason,
            withdrawn.source,
        )
        return JSONResponse(error_body(f"model bundle unavailable: {exc}"), status_code=503)

    app.add_exception_handler(BundleError, on_bundle_error)


def create_app(
    state: LoadedBundle | BundleUnavailable,
    root_path: str = "",
    sign_in: SignIn | None = None,
    summaries: SummaryStore | None = None,
) -> FastAPI:
    """The API (and the dashboard) over `state`; `root_path` is the public path prefix, if any;
    `sign_in`, how the dashboard signs officers in when the API needs a bearer token; `summaries`, where
    GET /model-health reads (default: as the environment says, `SummaryStore.from_environment`)."""
    state, service = open_service(state)
    app = FastAPI(
        title="Prêt à dépenser credit scoring",
        version=__version__,
        description=DESCRIPTION,
        redoc_url=None,
    )
    served = ServedBundle(state, service)
    app.state.served = served  # the one holder of the served state: routes, dashboard, batch events
    app.state.sign_in = sign_in
    install_error_handlers(app)
    _withdraw_on_bundle_error(app, served)
    app.add_middleware(BodySizeLimit)
    app.add_middleware(HeadAsGet)
    add_scoring_routes(app.router, served)
    app.include_router(dashboard.router)
    add_model_health_route(app.router, summaries or SummaryStore.from_environment())
    prefix = normalise_base_path(root_path)
    if prefix:
        app.add_middleware(RootPath, root_path=prefix)
    return app
