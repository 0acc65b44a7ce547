"""The scheduled sum of the request windows: one drift summary of the decisions served one at a time.

An EventBridge schedule (every MONITORING_WINDOW_MINUTES, the template's DriftWindowMinutes) invokes
the monitoring function, which sums every window file under `monitoring/windows/` written by an
environment serving its model version (`monitoring.windows`), computes the drift with the code a batch
file's report uses, and writes

    monitoring/drift/requests/<computed at, UTC>.json     and the same body as   .../latest.json
    {"model_version", "computed_at", "windows": n, "window_starts": [first, last], "decisions": n,
     "applications": n, "drift": {...see monitoring.drift}, "skipped": [{"key", "reason"}]}

then publishes the same metrics as a batch file (`batch.metrics`, dimension service=scored-requests)
and deletes the files it summed. Files it cannot sum (another model version's, or unreadable) are
listed under `skipped`, logged and left in place (the bucket's lifecycle expires them). Files written
while it runs are summed by the next run; a run that fails before deleting sums its files again.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

import boto3

from credit_scoring.batch.config import SettingsError
from credit_scoring.batch.metrics import publish_drift_metrics
from credit_scoring.batch.reports import logger
from credit_scoring.batch.s3io import delete_keys, get_json, list_keys, put_json
from credit_scoring.bundle.loader import LoadedBundle
from credit_scoring.monitoring.drift import DriftMonitor
from credit_scoring.monitoring.reference import load_reference
from credit_scoring.monitoring.summaries import REQUESTS_DRIFT_LATEST as LATEST_KEY
from credit_scoring.monitoring.summaries import REQUESTS_DRIFT_PREFIX
from credit_scoring.monitoring.windows import WINDOWS_PREFIX, add_window

METRICS_SERVICE: Final = "scored-requests"


def summarise_windows(s3: Any, bucket: str, bundle: LoadedBundle, now: datetime) -> dict[str, Any] | None:
    """Sum the window files, write the summary and delete them; None when there was none to sum."""
    reference = load_reference(bundle.path, bundle.manifest)
    model_version = bundle.manifest.model_version
    monitor = None if reference is None else DriftMonitor(reference)
    summed: list[str] = []
    skipped: list[dict[str, str]] = []
    decisions = applications = 0
    for key in list_keys(s3, bucket, WINDOWS_PREFIX):
        try:
            data = get_json(s3, bucket, key)
            version = data.get("model_version") if isinstance(data, dict) else None
            if monitor is None or version != model_version:
                raise ValueError(f"{key}: counted by model version {version}, not {model_version}")
            counted = add_window(monitor, data, key)
        except ValueError as error:  # not JSON either
            skipped.append({"key": key, "reason": str(error)})
            continue
        decisions += counted[0]
        applications += counted[1]
        summed.append(key)
    if skipped:
        logger.warning(
            "request windows left unsummed", extra={"skipped": skipped[:20], "count": len(skipped)}
        )
    if monitor is None or not summed:
        return None
    drift = monitor.summary()
    computed_at = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    starts = sorted(key.removeprefix(WINDOWS_PREFIX).split("/", 1)[0] for key in summed)
    summary = {
        "model_version": model_version,
        "computed_at": computed_at,
        "windows": len(summed),
        "window_starts": [starts[0], starts[-1]],
        "decisions": decisions,
        "applications": applications,
        "drift": drift.to_json(),
        "skipped": skipped,
    }
    put_json(s3, bucket, f"{REQUESTS_DRIFT_PREFIX}{computed_at}.json", summary)
    put_json(s3, bucket, LATEST_KEY, summary)
    publish_drift_metrics(drift, service=METRICS_SERVICE)
    delete_keys(s3, bucket, summed)
    return summary


def handle_schedule(event: Mapping[str, Any], context: Any, bundle: LoadedBundle) -> dict[str, Any]:
    """The scheduled run: sums the windows of MONITORING_BUCKET; returns what it summed."""
    bucket = os.environ.get("MONITORING_BUCKET")
    if not bucket:
        raise SettingsError("MONITORING_BUCKET is not set: there are no request windows to sum")
    summary = summarise_windows(boto3.client("s3"), bucket, bundle, datetime.now(UTC))
    if summary is None:
        logger.info("no request window to sum")
        return {"windows": 0}
    logger.info(
        "request drift summarised", extra={"windows": summary["windows"], "decisions": summary["decisions"]}
    )
    return {"windows": summary["windows"], "decisions": summary["decisions"], "summary": LATEST_KEY}
