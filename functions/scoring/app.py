"""The Lambda entry point (handler `app.handler`): the scoring API and batch scoring in one function.

Everything is loaded here, at import, which Lambda runs once per execution environment in its init
phase: the bundle (from MODEL_DIR, the model layer at /opt/model by default, or from MODEL_S3_URI into
/tmp), then the app. A bundle that fails to load or verify is never served: `state` holds the reason,
every scoring route answers 503 with it and /health reports it. API_BASE_PATH is the public path
prefix (an API Gateway stage or a custom-domain base path), stripped before routing and used by /docs.
The DASHBOARD_SIGN_IN_* variables tell the dashboard how to sign officers in on a JWT stack (`SignIn`);
a malformed one fails the init, naming it.
"""

from __future__ import annotations

import logging
import os

from mangum import Mangum

from credit_scoring.api.app import create_app, normalise_base_path
from credit_scoring.api.sign_in import SignIn
from credit_scoring.bundle.loader import load_from_environment
from credit_scoring.lambda_events import (
    EventRouter,
    HttpEvents,
    S3ObjectCreatedEvents,
    ScheduledEvents,
    SqsEvents,
)

logging.getLogger("credit_scoring").setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())
# This process serves one function: log records need no thread or process names, whose lookup is a
# measurable part of writing each decision's audit line (the logging module's documented optimisation).
logging.logThreads = False
logging.logProcesses = False
logging.logMultiprocessing = False
logging.logAsyncioTasks = False  # Python 3.12+ (the Lambda runtime); a no-op before
# Mangum logs every request's path at INFO, and a path holds the client id: personal data stays out.
logging.getLogger("mangum").setLevel(logging.WARNING)

BASE_PATH = normalise_base_path(os.environ.get("API_BASE_PATH", ""))

app = create_app(load_from_environment(), root_path=BASE_PATH, sign_in=SignIn.from_environment(os.environ))
state = app.state.bundle  # as served: unavailable too when the API refused the loaded bundle
handler = EventRouter(
    [
        HttpEvents(Mangum(app, lifespan="off", api_gateway_base_path=BASE_PATH or "/")),
        S3ObjectCreatedEvents(state),
        SqsEvents(state),
        ScheduledEvents(state),
    ]
)
