"""Which handler of a function answers a Lambda event.

The API function answers API Gateway requests (REST API payload 1.0 and HTTP API payload 2.0); the batch
function S3 object-created notifications and SQS messages; the monitoring function S3 notifications of
outcomes files and the EventBridge schedule that sums the request drift windows. Each function's
`EventRouter` asks its handlers whether the event is their own (`infer`, cheap and shape-based, never
parsing a body) and hands the event to the first that says yes. The batch handlers import their modules
(pandas) on the first event, so that importing this module costs nothing, and build their scorer and S3
client then, once for every event the execution environment answers.

An event no handler recognises gets an error result naming what the function answers, rather than an
exception: raising would make Lambda retry an asynchronous invocation that can never succeed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from credit_scoring.bundle.loader import BundleUnavailable, LoadedBundle

if TYPE_CHECKING:  # the batch modules import pandas: the API function never imports them
    from credit_scoring.batch.handlers import BatchResources

logger = logging.getLogger(__name__)

LambdaEvent = Mapping[str, Any]
LambdaResult = dict[str, Any]


class EventHandler(Protocol):
    """Answers the events of one source."""

    source: str
    """The events it answers, in words (for the error result of an event nobody recognises)."""

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


def is_http_event(event: LambdaEvent) -> bool:
    """An API Gateway request: payload 1.0 (REST API, or an HTTP API configured for 1.0) carries
    httpMethod at the top level; payload 2.0 carries version "2.0" and the method under
    requestContext.http."""
    context = event.get("requestContext")
    if not isinstance(context, Mapping):
        return False
    return "httpMethod" in event or (event.get("version") == "2.0" and "http" in context)


def _records(event: LambdaEvent) -> Sequence[Any]:
    records = event.get("Records")
    return records if isinstance(records, list) and records else ()


def is_s3_object_created(event: LambdaEvent) -> bool:
    """An S3 notification whose records all announce objects created."""
    records = _records(event)
    return bool(records) and all(
        isinstance(record, Mapping)
        and record.get("eventSource") == "aws:s3"
        and str(record.get("eventName", "")).startswith("ObjectCreated:")
        for record in records
    )


def is_sqs_event(event: LambdaEvent) -> bool:
    """Messages delivered by an SQS event-source mapping."""
    records = _records(event)
    return bool(records) and all(
        isinstance(record, Mapping) and record.get("eventSource") == "aws:sqs" for record in records
    )


def is_scheduled_event(event: LambdaEvent) -> bool:
    """An EventBridge schedule's event."""
    return event.get("source") == "aws.events" and event.get("detail-type") == "Scheduled Event"


class HttpEvents:
    """API Gateway requests, answered by the ASGI app through Mangum (or any callable like it)."""

    source = "API Gateway requests (payload 1.0 or 2.0)"

    def __init__(self, asgi_handler: Callable[[LambdaEvent, Any], LambdaResult]) -> None:
        self._asgi_handler = asgi_handler

    def infer(self, event: LambdaEvent) -> bool:
        return is_http_event(event)

    def __call__(self, event: LambdaEvent, context: Any) -> LambdaResult:
        return self._asgi_handler(event, context)


def _ready_bundle(state: LoadedBundle | BundleUnavailable, source: str) -> LoadedBundle:
    if isinstance(state, BundleUnavailable):
        logger.error("%s event not processed: model bundle unavailable (%s)", source, state.reason)
        raise BatchBundleUnavailableError(f"model bundle unavailable: {state.reason}")
    return state


class _BatchEvents:
    """Builds the batch resources (scorer, S3 client) on its first event and reuses them for the next:
    Lambda keeps the execution environment between invocations."""

    def __init__(self, state: LoadedBundle | BundleUnavailable) -> None:
        self._state = state
        self._resources: BatchResources | None = None

    def _ready(self, source: str) -> tuple[LoadedBundle, BatchResources]:
        bundle = _ready_bundle(self._state, source)
        if self._resources is None:
            from credit_scoring.batch.handlers import BatchResources

            self._resources = BatchResources.of(bundle)
        return bundle, self._resources


class S3ObjectCreatedEvents(_BatchEvents):
    """S3 notifications of objects created (the batch inputs uploaded under batch/incoming/)."""

    source = "S3 object-created notifications"

    def infer(self, event: LambdaEvent) -> bool:
        return is_s3_object_created(event)

    def __call__(self, event: LambdaEvent, context: Any) -> LambdaResult:
        bundle, resources = self._ready("S3")
        from credit_scoring.batch.handlers import handle_s3_event

        return handle_s3_event(event, context, bundle, resources)


class SqsEvents(_BatchEvents):
    """Messages from the scoring queue, delivered by Lambda's SQS event-source mapping."""

    source = "SQS messages"

    def infer(self, event: LambdaEvent) -> bool:
        return is_sqs_event(event)

    def __call__(self, event: LambdaEvent, context: Any) -> LambdaResult:
        bundle, resources = self._ready("SQS")
        from credit_scoring.messages.handler import handle_sqs_event

        return handle_sqs_event(event, context, bundle, resources)


class ScheduledEvents:
    """EventBridge's scheduled events: the monitoring function's run summing the request windows."""

    source = "EventBridge scheduled events"

    def __init__(self, state: LoadedBundle | BundleUnavailable) -> None:
        self._state = state

    def infer(self, event: LambdaEvent) -> bool:
        return is_scheduled_event(event)

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
        sources = [handler.source for handler in self.handlers]
        answered = " and ".join([", ".join(sources[:-1]), sources[-1]] if len(sources) > 1 else sources)
        return {
            "error": "UnrecognisedEvent",
            "message": f"this function answers {answered}; it received {shape}",
        }
