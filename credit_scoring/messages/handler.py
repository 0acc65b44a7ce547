"""The Lambda entry point of SQS messages: `credit_scoring.lambda_events` calls `handle_sqs_event` with
the loaded bundle. A bad message is answered in `batch/results/`; a message is reported as failed only
on transient errors and on a `BundleError`, so that SQS delivers it again, and the dead-letter queue
receives it after the queue's receive limit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import boto3
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from credit_scoring.batch import fanout
from credit_scoring.batch.config import BatchSettings, SettingsError
from credit_scoring.batch.handlers import BatchResources, remaining_ms
from credit_scoring.bundle.loader import LoadedBundle
from credit_scoring.messages.requests import RequestAnswerer


def handle_sqs_event(
    event: Mapping[str, Any], context: Any, bundle: LoadedBundle, resources: BatchResources | None = None
) -> dict[str, Any]:
    """Answer each message on its own; the failed ones are listed in `batchItemFailures` for SQS to
    deliver again (Powertools' partial batch response; the event source reports item failures).
    `resources` are the environment's (`lambda_events` keeps them), built for this event when not given."""
    settings = BatchSettings.from_env()
    resources = resources or BatchResources.of(bundle)
    s3, scorer = resources.s3, resources.scorer
    answerer = RequestAnswerer(scorer.service, s3, settings.bucket) if settings.bucket else None

    def answer(record: SQSRecord) -> str:
        part = fanout.read_part_message(record.body, settings.bucket)
        if part is not None:
            sqs = boto3.client("sqs")
            return fanout.run_part(s3, sqs, settings, part, record.body, remaining_ms(context), scorer)
        if answerer is None:
            raise SettingsError("BATCH_BUCKET is not set: there is nowhere to write the result of a request")
        return answerer.answer(record.body, record.message_id)

    processor = BatchProcessor(event_type=EventType.SQS)
    return process_partial_response(
        event=dict(event), record_handler=answer, processor=processor, context=context
    )
