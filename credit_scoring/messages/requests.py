"""Scoring requests that arrive as SQS messages, answered in S3 under their correlation id
(`batch/results/<correlation_id>.json`; docs/batch.md, Queued requests).

Apart from the correlation id, a message is one item of `POST /predict/batch`, validated by the same
model, decided by the same service, with the same statuses. A message that can never succeed gets its
rejection written like any result and is not reported as a failure (retrying could only fail again);
only transient failures raise, so that SQS delivers the message again. A result is created with a
conditional write, so exactly one exists per correlation id and never changes; a redelivered message
whose result exists is not decided again.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any, Final

from pydantic import ValidationError

from credit_scoring.api.audit import new_decision_id
from credit_scoring.api.errors import ApiError, as_api_error, error_body, validation_error_body
from credit_scoring.api.items import decide_items
from credit_scoring.api.models import BatchItem, FieldError
from credit_scoring.api.recorder import DecisionRecorder
from credit_scoring.batch.keys import CORRELATION_ID_PATTERN, result_key, unidentified_result_key
from credit_scoring.batch.reports import logger
from credit_scoring.batch.s3io import create_json, get_json, metadata, put_json
from credit_scoring.decisions.errors import DecisionError
from credit_scoring.decisions.service import DecisionService

CORRELATION_ID: Final = "correlation_id"
ROUTE: Final = "sqs"
"""The audit log's route for decisions made from SQS messages."""


class RequestAnswerer:
    """Decides SQS scoring requests with one bundle's decision service and writes their results."""

    def __init__(self, service: DecisionService, s3: Any, bucket: str) -> None:
        self._service = service
        self._recorder = DecisionRecorder(service)
        self._s3 = s3
        self._bucket = bucket

    def answer(self, body: str, message_id: str) -> str:
        """Answer one message body; returns the result key (written now, or already there)."""
        started = time.perf_counter()
        try:
            message = json.loads(body)
        except ValueError:
            return self._unidentified(message_id, "the message body is not JSON: expected a JSON object")
        except RecursionError:  # json gives up past the interpreter's recursion limit
            return self._unidentified(
                message_id, "the message body is JSON nested too deeply to be read: expected a JSON object"
            )
        if not isinstance(message, dict):
            return self._unidentified(message_id, "the message body is not a JSON object")
        correlation_id = message.get(CORRELATION_ID)
        if not isinstance(correlation_id, str) or not CORRELATION_ID_PATTERN.fullmatch(correlation_id):
            return self._unidentified(
                message_id,
                "expected a string of 1 to 128 letters, digits and ._:- (starting with a letter or digit)",
                CORRELATION_ID,
            )
        key = result_key(correlation_id)
        if metadata(self._s3, self._bucket, key) is not None:
            return key
        item = {name: value for name, value in message.items() if name != CORRELATION_ID}
        try:
            request = BatchItem.model_validate(item)
        except ValidationError as error:
            body = validation_error_body(error.errors(include_url=False), "invalid message")
            result = self._result(correlation_id, message_id, 422, None, body)
        else:
            try:
                (outcome,) = decide_items(self._service, [request], _message_field)
            except DecisionError as error:  # a value the feature definition or the model refuses
                outcome = as_api_error(error)
            if isinstance(outcome, ApiError):
                result = self._result(
                    correlation_id, message_id, outcome.status_code, None, error_body(outcome.detail)
                )
            else:
                decision_id = new_decision_id()
                body = self._recorder.record(
                    ROUTE, decision_id, outcome.subject, outcome.client_id, outcome.served, started
                )
                result = self._result(correlation_id, message_id, 200, body, None)
        if not create_json(self._s3, self._bucket, key, result):
            self._discarded(key, result)
        return key

    def _discarded(self, key: str, result: Mapping[str, Any]) -> None:
        """A concurrent delivery of the same message created the result first: it stays the outcome."""
        kept = get_json(self._s3, self._bucket, key).get("decision") or {}
        logger.warning(
            "duplicate delivery: decision discarded, the result written first is kept",
            extra={
                "result_key": key,
                "discarded_decision_id": (result["decision"] or {}).get("decision_id"),
                "kept_decision_id": kept.get("decision_id"),
            },
        )

    def _result(
        self,
        correlation_id: str | None,
        message_id: str,
        status: int,
        decision: Mapping[str, Any] | None,
        error: Mapping[str, Any] | None,
    ) -> dict[str, Any]:
        return {
            CORRELATION_ID: correlation_id,
            "message_id": message_id,
            "model_version": self._service.model_version,
            "status": status,
            "decision": None if decision is None else dict(decision),
            "error": None if error is None else dict(error),
        }

    def _unidentified(self, message_id: str, detail: str, field: str | None = None) -> str:
        """Answer a message without a usable correlation id under its SQS message id (status 422)."""
        errors = [FieldError(location="body", field=field, message=detail)] if field else []
        summary = f"invalid message: {field}: {detail}" if field else f"invalid message: {detail}"
        key = unidentified_result_key(message_id)
        put_json(
            self._s3,
            self._bucket,
            key,
            self._result(None, message_id, 422, None, error_body(summary, errors)),
        )
        return key


def _message_field(index: int, name: str) -> str:
    return name
