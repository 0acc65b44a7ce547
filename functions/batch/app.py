"""The entry point (handler `app.handler`) of the functions that never build the API: the batch function
(files uploaded under batch/incoming/, the scoring queue's messages) and the monitoring function
(outcomes files uploaded under monitoring/outcomes/, the schedule summing the request drift windows).

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
from credit_scoring.lambda_events import EventRouter, S3ObjectCreatedEvents, ScheduledEvents, SqsEvents

logging.getLogger("credit_scoring").setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())

state, _ = open_service(load_from_environment())
handler = EventRouter([S3ObjectCreatedEvents(state), SqsEvents(state), ScheduledEvents(state)])
