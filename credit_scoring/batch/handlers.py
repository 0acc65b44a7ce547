"""The Lambda entry point of files uploaded to S3: batch inputs under `batch/incoming/`, and the outcomes
files under `monitoring/outcomes/`, which `batch.outcomes` joins with the decisions kept.

`credit_scoring.lambda_events` recognises the event and calls `handle_s3_event` with the loaded bundle.
It never raises on data: a bad file or row is answered in `batch/rejected/`. It raises only on transient
errors, and on a `BundleError` met while scoring (a store block that fails its digest: the
bundle is unavailable, never the client data at fault, so nothing is written as a rejection), which the
caller's retries then answer: S3 retries an asynchronous invocation twice
before its on-failure destination; SQS redelivers the message until its dead-letter queue.

An S3 notification is acted on only when it describes the object as it is now (same ETag); a stale or
duplicate one changes nothing: a report already written for this ETag and this model version means the
outputs are complete. The same bytes uploaded again after a model change are scored again with the new
model: each output object is replaced whole (multipart upload), and the report last.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote_plus

import boto3
from aws_lambda_powertools.utilities.data_classes import S3Event

from credit_scoring.batch import fanout
from credit_scoring.batch.config import BatchSettings
from credit_scoring.batch.csv_reader import GZIP_MAGIC, MAX_GZIP_RATIO, FileRejectedError
from credit_scoring.batch.keys import BatchKeys
from credit_scoring.batch.locks import RunLock
from credit_scoring.batch.metrics import publish_drift_metrics
from credit_scoring.batch.outcomes import handle_outcomes_upload
from credit_scoring.batch.pipeline import FileOutcome, score_file, write_file_rejection
from credit_scoring.batch.records import Counts, DecisionIds, run_name
from credit_scoring.batch.reports import logger, now, publish_report
from credit_scoring.batch.s3io import (
    S3Destination,
    SourceChangedError,
    SourceObject,
    delete_keys,
    head,
    list_keys,
    open_range,
    report_exists,
    same_etag,
)
from credit_scoring.batch.scoring import BatchScorer
from credit_scoring.bundle.errors import BundleError
from credit_scoring.bundle.loader import LoadedBundle
from credit_scoring.monitoring.outcomes import OUTCOMES_PREFIX

LAMBDA_MAX_SECONDS = 900.0
"""The longest an invocation can run: how long a lock is held when the context does not say."""


def remaining_ms(context: Any) -> int | None:
    """The invocation's remaining time (None outside Lambda, e.g. the CLI)."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return int(remaining()) if callable(remaining) else None


@dataclass(frozen=True)
class BatchResources:
    """What the events of one execution environment share: the bundle's scorer (its decision service and
    monitoring reference) and the S3 client, built once, since Lambda keeps the environment between
    invocations."""

    scorer: BatchScorer
    s3: Any

    @classmethod
    def of(cls, bundle: LoadedBundle) -> BatchResources:
        return cls(BatchScorer(bundle), boto3.client("s3"))


def handle_s3_event(
    event: Mapping[str, Any], context: Any, bundle: LoadedBundle, resources: BatchResources | None = None
) -> dict[str, Any]:
    """Score every object the notification announces; returns what happened to each. `resources` are
    the environment's (`lambda_events` keeps them), built for this event when not given."""
    settings = BatchSettings.from_env()
    resources = resources or BatchResources.of(bundle)
    s3, scorer = resources.s3, resources.scorer
    files = []
    for record in S3Event(dict(event)).records:
        bucket, item = record.s3.bucket.name, record.s3.get_object
        key = unquote_plus(item.key)  # notifications URL-encode the key ("a b.csv" arrives as "a+b.csv")
        if key.startswith(OUTCOMES_PREFIX):
            manifest = bundle.manifest
            status = handle_outcomes_upload(s3, bucket, key, item.etag, manifest.cost, manifest.model_version)
            logger.info("outcomes upload handled", extra={"source_key": key, "outcome": status})
            files.append({"bucket": bucket, "key": key, "status": status})
            continue
        try:
            status = _score_upload(s3, settings, scorer, bucket, key, item.etag, remaining_ms(context))
        except BundleError as error:
            logger.error(
                "batch upload not scored: model bundle unavailable",
                extra={"source_key": key, "bundle_file": error.file, "reason": error.logged_reason},
            )
            raise
        logger.info("batch upload handled", extra={"source_key": key, "outcome": status})
        files.append({"bucket": bucket, "key": key, "status": status})
    return {"files": files}


def _score_upload(
    s3: Any,
    settings: BatchSettings,
    scorer: BatchScorer,
    bucket: str,
    key: str,
    event_etag: str | None,
    remaining_ms: int | None,
) -> str:
    keys = BatchKeys.for_input(key)
    if keys is None:
        return "ignored: not a file under batch/incoming/"
    source = head(s3, bucket, key)
    if source is None:
        return "ignored: the object no longer exists"
    if event_etag and not same_etag(event_etag, source.etag):
        return "ignored: the object was replaced since this notification (its own notification follows)"
    if report_exists(s3, bucket, keys.report, source, scorer.model_version):
        return "already scored: outputs and report exist for this version and model version"
    seconds = LAMBDA_MAX_SECONDS if remaining_ms is None else remaining_ms / 1000.0
    lock = RunLock(s3, bucket, keys.parts(source.etag, scorer.model_version).lock, seconds)
    if not lock.acquire():
        return f"ignored: another delivery of this version is being scored (it holds {lock.key})"
    try:
        # The other delivery may have finished between the first check and the lock.
        if report_exists(s3, bucket, keys.report, source, scorer.model_version):
            return "already scored: outputs and report exist for this version and model version"
        return _score_locked(s3, settings, scorer, keys, source, remaining_ms)
    finally:
        lock.release()


def _score_locked(
    s3: Any,
    settings: BatchSettings,
    scorer: BatchScorer,
    keys: BatchKeys,
    source: SourceObject,
    remaining_ms: int | None,
) -> str:
    bucket, key = source.bucket, source.key
    started = now()
    try:
        if remaining_ms is not None and settings.queue_url is not None:
            compressed = source.size >= len(GZIP_MAGIC) and _starts_with_gzip_magic(s3, source)
            budget = fanout.Budget.of(remaining_ms, settings)
            # A gzip input that might not fit (at the largest ratio allowed) is decompressed into the
            # run's staged copy, whose true size the plan then splits.
            if not budget.fits(source.size * (MAX_GZIP_RATIO if compressed else 1)):
                return _fan_out(s3, settings, scorer, keys, source, compressed, budget, started)
        destination = S3Destination(s3, bucket, keys)
        decision_ids = DecisionIds(run_name(f"{bucket}/{key}", source.etag, scorer.model_version))
        outcome = score_file(
            lambda: open_range(s3, source), destination, scorer, settings.block_bytes, decision_ids
        )
    except SourceChangedError:
        return "ignored: the object was replaced while it was read (its own notification follows)"
    report = publish_report(
        s3, keys, source, scorer.model_version, outcome, destination.published(), 1, started
    )
    publish_drift_metrics(outcome.drift)
    return f"{report['status']}: {report['scored']} scored, {report['rejected']} rejected"


def _starts_with_gzip_magic(s3: Any, source: SourceObject) -> bool:
    return open_range(s3, source, 0, len(GZIP_MAGIC) - 1).read() == GZIP_MAGIC


def _fan_out(
    s3: Any,
    settings: BatchSettings,
    scorer: BatchScorer,
    keys: BatchKeys,
    source: SourceObject,
    compressed: bool,
    budget: fanout.Budget,
    started: datetime,
) -> str:
    sqs = boto3.client("sqs")
    try:
        parts = fanout.start(s3, sqs, settings, keys, source, compressed, budget, scorer)
    except FileRejectedError as error:
        destination = S3Destination(s3, source.bucket, keys)
        write_file_rejection(destination, error.reason)
        outcome = FileOutcome(Counts(), None, error.reason)
        publish_report(s3, keys, source, scorer.model_version, outcome, destination.published(), 1, started)
        delete_keys(
            s3,
            source.bucket,
            list_keys(s3, source.bucket, keys.parts(source.etag, scorer.model_version).prefix),
        )
        return "rejected: " + error.reason
    return f"fanned out into {parts} parts"
