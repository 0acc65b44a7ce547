"""Drift of the decisions served one at a time, counted per execution environment over a window, and
the decisions for a client id kept over the same window for the outcomes' join.

Lambda runs many execution environments at once, each frozen between requests and sharing no memory.
Each counts the decisions it serves (`RequestCounts`: bin counts, never a field) in windows of
MONITORING_WINDOW_MINUTES aligned on the clock; on its first decision after a window closed it writes
that window's counts to

    s3://<MONITORING_BUCKET>/monitoring/windows/<window start, UTC>/<environment id>.json
    {"format": 1, "model_version", "window_start", "window_minutes", "decisions", "applications",
     "counts": {"score": {"counts", "missing", "unseen"}, "<input>": {...}}}

and starts the next. The decisions it served for a client id over the window are written beside the
counts, to `monitoring/decisions/` (`monitoring.decision_records`), not under `monitoring/windows/`:
the scheduled sum deletes the window files, and the decisions must outlive it for the outcomes' join.
One write of each per environment and window, on the request that finds the window closed: every other
decision only adds to a few counts and appends a tuple in memory. A scheduled function
(`batch.request_drift`) sums the files written since it last ran into one drift summary. What an
environment holds when Lambda reclaims it, idle, is never written: the summary's `n` says how many
decisions it covers. Without MONITORING_BUCKET (a local run), or with a bundle without a monitoring
reference, nothing is counted or kept.

A failed write is logged (never a client's data) and what it held kept, to go with the next window's:
monitoring never fails a decision.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import numpy as np

from credit_scoring.bundle.errors import BundleError
from credit_scoring.bundle.manifest import Manifest
from credit_scoring.monitoring.decision_records import DECISIONS_PREFIX, KeptDecision, decisions_csv
from credit_scoring.monitoring.drift import DriftMonitor
from credit_scoring.monitoring.reference import load_reference
from credit_scoring.monitoring.request_counts import RequestCounts

logger = logging.getLogger(__name__)

WINDOWS_PREFIX: Final = "monitoring/windows/"
WINDOW_FORMAT: Final = 1
DEFAULT_WINDOW_MINUTES: Final = 60

Writer = Callable[[str, bytes], None]
"""Puts one object: its key and its bytes."""

_CONTENT_TYPES: Final = {".json": "application/json", ".csv": "text/csv"}

MAX_KEPT_DECISIONS: Final = 100_000
"""Decisions an environment holds while their writes fail (an S3 outage), so that an outage cannot
exhaust the function's memory; the ones beyond are counted and logged, never silently lost
(docs/operations.md)."""


class MonitoringSettingsError(ValueError):
    """MONITORING_WINDOW_MINUTES is not a whole number of minutes from 1 to 1440."""


def window_minutes(environ: Mapping[str, str]) -> int:
    text = environ.get("MONITORING_WINDOW_MINUTES") or str(DEFAULT_WINDOW_MINUTES)
    if not text.isdigit() or not 1 <= int(text) <= 1440:
        raise MonitoringSettingsError(f"MONITORING_WINDOW_MINUTES must be 1 to 1440 minutes, got {text!r}")
    return int(text)


class S3Writer:
    """Writes window objects to a bucket; boto3 is imported on the first write, never at start-up."""

    def __init__(self, bucket: str) -> None:
        self.bucket = bucket
        self._client: Any = None

    def __call__(self, key: str, body: bytes) -> None:
        if self._client is None:
            import boto3

            self._client = boto3.client("s3")
        content_type = _CONTENT_TYPES[Path(key).suffix]
        self._client.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)


class DriftWindow:
    """One execution environment's counts and kept decisions of the current window, written when the
    window closes."""

    def __init__(
        self,
        counts: RequestCounts,
        model_version: str,
        minutes: int,
        write: Writer,
        clock: Callable[[], float] = time.time,
        max_kept: int = MAX_KEPT_DECISIONS,
    ) -> None:
        self.counts = counts
        self.model_version = model_version
        self.seconds = 60 * minutes
        self._write = write
        self._clock = clock
        self._environment = uuid.uuid4().hex
        self._start: float | None = None
        self._kept: list[KeptDecision] = []
        self._max_kept = max_kept
        self._not_kept = 0

    def observe(
        self,
        probability: float,
        application_features: np.ndarray | None = None,
        kept: KeptDecision | None = None,
    ) -> None:
        """Count one decision and keep it when it was `kept` (served for a client id), first writing the
        window it closed if any."""
        now = self._clock()
        start = now - now % self.seconds
        if start != self._start:
            self.flush()
            self._start = start
        self.counts.observe(probability, application_features)
        if kept is not None:
            if len(self._kept) < self._max_kept:
                self._kept.append(kept)
            else:
                self._not_kept += 1

    def flush(self) -> None:
        """Write the counts and the decisions held (if any) under their window's start, and start again."""
        if self._start is None:
            return
        started = datetime.fromtimestamp(self._start, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        name = f"{started}/{self._environment}"
        if self.counts.decisions:
            counts = self._counts_body(started)
            if self._put(f"{WINDOWS_PREFIX}{name}.json", counts, "request drift counts"):
                self.counts.reset()
        if self._kept:
            kept = decisions_csv(self._kept, self.model_version)
            if self._put(f"{DECISIONS_PREFIX}{name}.csv", kept, "decisions for the outcomes' join"):
                self._kept = []
        if self._not_kept:
            logger.error(
                "%d decisions not kept for the outcomes' join: %d were held while their writes failed",
                self._not_kept,
                self._max_kept,
            )
            self._not_kept = 0

    def _counts_body(self, started: str) -> bytes:
        body = {
            "format": WINDOW_FORMAT,
            "model_version": self.model_version,
            "window_start": started,
            "window_minutes": self.seconds // 60,
            "decisions": self.counts.decisions,
            "applications": self.counts.applications,
            "counts": self.counts.counts_json(),
        }
        return json.dumps(body).encode()

    def _put(self, key: str, body: bytes, what: str) -> bool:
        """Whether the object was written; a failure is logged by its type alone, which holds no data."""
        try:
            self._write(key, body)
        except Exception as error:  # whatever S3 answers, the decision is served
            logger.error("%s not written, kept for the next window: %s", what, type(error).__name__)
            return False
        return True


def add_window(monitor: DriftMonitor, data: Any, source: str) -> tuple[int, int]:
    """Add one window file's counts to `monitor`; returns its decisions and applications. Raises
    ValueError naming `source` when the file is not a window file of the monitor's reference."""
    if not isinstance(data, dict) or data.get("format") != WINDOW_FORMAT:
        raise ValueError(f"{source}: format must be {WINDOW_FORMAT}")
    decisions, applications = data.get("decisions"), data.get("applications")
    if not (_is_count(decisions) and _is_count(applications) and applications <= decisions):
        raise ValueError(f"{source}: decisions and applications must be counts, applications the fewer")
    monitor.add_counts_json(data.get("counts"), source)
    return decisions, applications


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


_windows: dict[Path, DriftWindow | None] = {}


def request_window(bundle_path: Path, manifest: Manifest) -> DriftWindow | None:
    """This process's window over the bundle at `bundle_path` (one per process, whichever recorder asks:
    the SQS handler makes one per invocation), or None when monitoring is off: MONITORING_BUCKET unset,
    or a bundle without a readable reference."""
    if bundle_path not in _windows:
        _windows[bundle_path] = _new_window(bundle_path, manifest, os.environ)
    return _windows[bundle_path]


def _new_window(bundle_path: Path, manifest: Manifest, environ: Mapping[str, str]) -> DriftWindow | None:
    bucket = environ.get("MONITORING_BUCKET")
    if not bucket:
        return None
    minutes = window_minutes(environ)
    try:
        reference = load_reference(bundle_path, manifest)
    except BundleError as error:
        logger.error("request drift off: %s %s", error.file, error.logged_reason)
        return None
    if reference is None:
        return None
    counts = RequestCounts(reference, manifest.feature_names)
    return DriftWindow(counts, manifest.model_version, minutes, S3Writer(bucket))
