"""Outcomes uploaded under `monitoring/outcomes/`: checked, joined with the decisions served on batch
files, and summarised as realised performance by month.

An upload of `monitoring/outcomes/<name>` (the format of `monitoring.outcomes`) notifies the monitoring
function, which checks the file like every batch input (every problem with its line and field), reads
the decisions kept under `batch/scored/` (client id, probability, prediction; their model version and
decision id stay in the objects), joins them with the outcomes (`monitoring.performance`: each client's
last decision) and writes

    monitoring/performance/<name>.json      and the same body as   monitoring/performance/latest.json
    {"status": "joined" | "rejected", "source": {"key", "etag", "size", "version_id"},
     "problems": [...], "problem_count": n,                     why the file was rejected, else empty
     "decisions": {"objects": n, "rows": n},                    the scored objects read
     "performance": null | {"outcomes", "joined", "without_decision", "overall", "by_month": [...]},
     "model_version", "computed_at"}

A rejected file's report names its problems and `latest.json` is left as it was. Every outcome is
accounted for: `outcomes = joined + without_decision` (an outcome without a decision served on a batch
file, e.g. one decided through the API, whose decisions keep no client id).
"""

from __future__ import annotations

import csv
import gzip
import io
from datetime import UTC, datetime
from typing import Any, Final

import numpy as np

from credit_scoring import schema
from credit_scoring.batch.config import SCORED_PREFIX
from credit_scoring.batch.keys import GZIP_SUFFIX
from credit_scoring.batch.reports import logger
from credit_scoring.batch.s3io import SourceObject, head, open_range, put_json
from credit_scoring.monitoring.outcomes import OUTCOMES_PREFIX, Outcomes, OutcomesError, read_outcomes
from credit_scoring.monitoring.performance import Decisions, performance_by_month
from credit_scoring.monitoring.summaries import PERFORMANCE_LATEST, PERFORMANCE_PREFIX

MAX_OUTCOMES_BYTES: Final = 256 * 1024 * 1024
"""An outcomes file is read whole: about 20 bytes a client, so some ten million clients."""


def report_key(outcomes_key: str) -> str:
    return f"{PERFORMANCE_PREFIX}{outcomes_key.removeprefix(OUTCOMES_PREFIX)}.json"


def served_decisions(s3: Any, bucket: str) -> tuple[Decisions, dict[str, int]]:
    """Every decision kept under batch/scored/, oldest object first (so a client's last decision is the
    latest), and how many objects and rows were read."""
    objects = [
        item
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=SCORED_PREFIX)
        for item in page.get("Contents", ())
    ]
    objects.sort(key=lambda item: (item["LastModified"], item["Key"]))
    ids: list[int] = []
    probabilities: list[float] = []
    predictions: list[int] = []
    for item in objects:
        body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"]
        raw = gzip.GzipFile(fileobj=body) if item["Key"].endswith(GZIP_SUFFIX) else body
        for row in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline="")):
            ids.append(int(row[schema.CLIENT_ID]))
            probabilities.append(float(row["probability"]))
            predictions.append(int(row["prediction"]))
    decisions = Decisions(np.array(ids, dtype=np.int64), np.array(probabilities), np.array(predictions))
    return decisions, {"objects": len(objects), "rows": len(ids)}


def handle_outcomes_upload(
    s3: Any, bucket: str, key: str, event_etag: str | None, cost: dict[str, float], model_version: str
) -> str:
    """Check, join and summarise one uploaded outcomes file; returns what happened."""
    source = head(s3, bucket, key)
    if source is None:
        return "ignored: the object no longer exists"
    if event_etag and source.etag.strip('"') != event_etag.strip('"'):
        return "ignored: the object was replaced since this notification (its own notification follows)"
    outcomes, problems, count = _checked(s3, source)
    report: dict[str, Any] = {
        "status": "rejected" if outcomes is None else "joined",
        "source": source.to_json(),
        "problems": problems,
        "problem_count": count,
        "decisions": None,
        "performance": None,
        "model_version": model_version,
        "computed_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if outcomes is not None:
        decisions, read = served_decisions(s3, bucket)
        report["decisions"] = read
        report["performance"] = performance_by_month(decisions, outcomes, cost)
    put_json(s3, bucket, report_key(key), report)
    if outcomes is None:
        logger.warning(
            "outcomes file rejected", extra={"source_key": key, "problems": report["problem_count"]}
        )
        return f"rejected: {report['problem_count']} problem(s), see {report_key(key)}"
    put_json(s3, bucket, PERFORMANCE_LATEST, report)
    performance = report["performance"]
    return f"joined: {performance['joined']} of {performance['outcomes']} outcomes with a decision"


def _checked(s3: Any, source: SourceObject) -> tuple[Outcomes | None, list[str], int]:
    """The file's outcomes, or None with its problems (at most MAX_LISTED) and their count."""
    if source.size > MAX_OUTCOMES_BYTES:
        return None, [f"{source.key}: {source.size} bytes, more than the {MAX_OUTCOMES_BYTES} allowed"], 1
    data = open_range(s3, source).read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, [f"{source.key}: line {line}: the file is not UTF-8 text"], 1
    try:
        return read_outcomes(text, source.key), [], 0
    except OutcomesError as error:
        return None, [f"{source.key}: {problem}" for problem in error.problems], error.count
