"""The batch function's entry point (handler `app.handler`): files uploaded under batch/incoming/ (S3
notifications) and the scoring queue's messages (SQS); it never builds the API.

The bundle is loaded here, at import (Lambda's init phase), from MODEL_DIR (the model layer at
/opt/model by default) or MODEL_S3_URI, and its decision service checked: while it cannot be served,
`state` holds the reason and every event is refused (`BatchBundleUnavailableError`), so that S3 and SQS
deliver it again and no input is lost.
"""

from __future__ import annotations

import logging
import os

from credit_scoring.bundle.loader import load_from_environment
from credit_scoring.decisions.service import open_service
from credit_scoring.lambda_events import EventRouter, S3ObjectCreatedEvents, SqsEvents

logging.getLogger("credit_scoring").setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())

state, _ = open_service(load_from_environment())
handler = EventRouter([S3ObjectCreatedEvents(state), SqsEvents(state)])
