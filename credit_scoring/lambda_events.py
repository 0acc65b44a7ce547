"""Which part of the scoring function answers a Lambda event: the HTTP API, or batch scoring.

One function receives API Gateway requests (REST API payload 1.0 and HTTP API payload 2.0), S3
object-created notifications, SQS messages and the EventBridge schedule that sums the request drift
windows. `EventRouter` asks each source's handler whether the
event is its own (`infer`, cheap and shape-based, never parsing a body) and hands the event to the
first that says yes. The batch handlers import `credit_scoring.batch.handlers` (pandas) on the first
batch event only, so that an API-only execution environment never pays for it.

An event nobody recognises gets an error result rather than an exception: raising would make Lambda
retry an asynchronous invocation that can never succeed. Standard library only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from credit_scoring.bundle.loader import BundleUnavailable, LoadedBundle

logger = logging.getLogger(__name__)

LambdaEvent = Mapping[str, Any]
LambdaResult = dict[str, Any]


class EventHandler(Protocol):
    """Answers the events of one source."""

    def infer(self, event: LambdaEvent) -> bool:
        """True when `event` comes from this handler's source."""
        ...

    def __call__(self, event: LambdaEvent, context: Any) -> LambdaResult: ...


class BatchBundleUnavailableError(RuntimeError):
    """A batch event arrived while the bundle could not be loaded.

    Raised rather than answered: SQS then returns the messages to the queue (and to the dead-letter
    queue after a few receives) and S3 retries the notification, while the object stays in
    `batch/incoming/`, so no input is lost while the model is broken.
    """


class HttpEvents:
    """API Gateway requests, answered by the ASGI app through Mangum (or any callable like it)."""

    def __init__(self, asgi_handler: Callable[[LambdaEvent, Any], LambdaResult]) -> None:
        self._asgi_handler = asgi_handler

    def infer(self, event: LambdaEvent) -> bool:
        context = event.get("requestContext")
        if not isinstance(context, Mapping):
            return False
        # Payload 1.0 (REST API, or an HTTP API configured for 1.0) carries httpMethod at the top level;
        # payload 2.0 carries version "2.0" and the method under requestContext.http.
        return "httpMethod" in event or (event.get("version") == "2.0" and "http" in context)

    def __call__(self, event: LambdaEvent, context: Any) -> LambdaResult:
        return self._asgi_handler(event, context)


def _records(event: LambdaEvent) -> Sequence[Any]:
    records = event.get("Records")
    return records if isinstance(records, list) and records else ()


def _ready_bundle(state: LoadedBundle | BundleUnavailable, source: str) -> LoadedBundle:
    if isinstance(state, BundleUnavailable):
        logger.error("%s event not processed: model bundle unavailable (%s)", source, state.reason)
        raise BatchBundleUnavailableError(f"model bundle unavailable: {state.reason}")
    return state


class S3ObjectCreatedEvents:
    """S3 notifications of objects created (the batch inputs uploaded under batch/incoming/)."""

    def __init__(self, state: LoadedBundle | BundleUnavailable) -> None:
        self._state = state

    def infer(self, event: LambdaEvent) -> bool:
        records = _records(event)
        return bool(records) and all(
            isinstance(record, Mapping)
            and record.get("eventSource") == "aws:s3"
            and str(record.get("eventName", "")).startswith("ObjectCreated:")
            for record in records
        )

    def __call__(self, event: LambdaEvent, context: Any) -> LambdaResult:
        bundle = _ready_bundle(self._state, "S3")
        from credit_scoring.batch.handlers import handle_s3_event

        return handle_s3_event(event, context, bundle)


class SqsEvents:
    """Messages from the scoring queue, delivered by Lambda's SQS event-source mapping."""

    def __init__(self, state: LoadedBundle | BundleUnavailable) -> None:
        self._state = state

    def infer(self, event: LambdaEvent) -> bool:
        records = _records(event)
        return bool(records) and all(
            isinstance(record, Mapping) and record.get("eventSource") == "aws:sqs" for record in records
        )

    def __call__(self, event: LambdaEvent, context: Any) -> LambdaResult:
        bundle = _ready_bundle(self._state, "SQS")
        from credit_scoring.batch.handlers import handle_sqs_event

        return handle_sqs_event(event, context, bundle)


class ScheduledEvents:
    """EventBridge's scheduled events: the monitoring function's run summing the request windows."""

    def __init__(self, state: LoadedBundle | BundleUnavailable) -> None:
        self._state = state

    def infer(self, event: LambdaEvent) -> bool:
        return event.get("source") == "aws.events" and event.get("detail-type") == "Scheduled Event"

    def __call__(self, event: LambdaEvent, context: Any) -> LambdaResult:
        bundle = _ready_bundle(self._state, "schedule")
        from credit_scoring.batch.request_drift import handle_schedule

        return handle_schedule(event, context, bundle)


def _describe(event: object) -> str:
    """The shape of an event for the log: its top-level keys, never its values (they may hold data)."""
    if isinstance(event, Mapping):
        return "an object with keys " + ", ".join(sorted(map(str, event))[:20])
    return f"a JSON {type(event).__name__}"


class EventRouter:
    """The Lambda handler: dispatches each event to the first handler whose `infer` accepts it."""

    def __init__(self, handlers: Sequence[EventHandler]) -> None:
        self.handlers = tuple(handlers)

    def __call__(self, event: Any, context: Any) -> LambdaResult:
        if isinstance(event, Mapping):
            for handler in self.handlers:
                if handler.infer(event):
                    return handler(event, context)
        shape = _describe(event)
        logger.error("unrecognised event ignored: %s", shape)
        return {
            "error": "UnrecognisedEvent",
            "message": (
                f"this function answers API Gateway requests (payload 1.0 or 2.0), S3 object-created "
                f"notifications and SQS messages; it received {shape}"
            ),
        }
