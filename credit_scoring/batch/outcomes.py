"""Outcomes uploaded under `monitoring/outcomes/`: checked, joined with the decisions served, and
summarised as realised performance by month.

An upload of `monitoring/outcomes/<name>` (the format of `monitoring.outcomes`) notifies the monitoring
function, which checks the file like every batch input (every problem with its line and field), reads
the decisions kept (client id, probability, prediction) under

- `batch/scored/`, the batch files' scored rows, each made when its object was written;
- `monitoring/decisions/`, the API's and the SQS requests' decisions for a client id, each with the time
  it was made (`monitoring.decision_records`),

orders them by time, joins them with the outcomes (`monitoring.performance`: each client's last
decision, whichever way it was served) and writes

    monitoring/performance/<name>.json      and the same body as   monitoring/performance/latest.json
    {"status": "joined" | "rejected", "source": {"key", "etag", "size", "version_id"},
     "problems": [...], "problem_count": n,                     why the file was rejected, else empty
     "decisions": {"batch/scored/": {"objects": n, "rows": n,   the objects listed under each prefix
                                     "unreadable": n,           and those left out of the join, the
                                     "unreadable_objects": [{"key", "problem"}, ...]},   first 20 named
                   "monitoring/decisions/": {...}},
     "performance": null | {"outcomes", "joined", "without_decision", "overall", "by_month": [...]},
     "model_version", "computed_at"}

A rejected file's report names its problems and `latest.json` is left as it was. An object of kept
decisions that cannot be read (truncated, or not in its format) is named with its problem (its line and
column, never a value) and left out, so that one bad object does not stop every join; its outcomes are
then counted without a decision. Every outcome is
accounted for: `outcomes = joined + without_decision` (an outcome of a client no decision kept was
served for: one decided on an application sent without SK_ID_CURR, or one whose decision was held by
an execution environment Lambda reclaimed before its window was written).
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from datetime import UTC, datetime
from typing import Any, Final

import numpy as np

from credit_scoring import schema
from credit_scoring.batch.config import SCORED_PREFIX
from credit_scoring.batch.keys import GZIP_SUFFIX
from credit_scoring.batch.reports import logger
from credit_scoring.batch.s3io import SourceObject, head, open_range, put_json
from credit_scoring.monitoring.decision_records import DECISIONS_PREFIX, read_decisions
from credit_scoring.monitoring.outcomes import OUTCOMES_PREFIX, Outcomes, OutcomesError, read_outcomes
from credit_scoring.monitoring.performance import Decisions, performance_by_month
from credit_scoring.monitoring.summaries import PERFORMANCE_LATEST, PERFORMANCE_PREFIX

MAX_UNREADABLE_LISTED: Final = 20
"""Unreadable objects of kept decisions named per prefix in a report; `unreadable` counts them all."""
MAX_OUTCOMES_BYTES: Final = 256 * 1024 * 1024
"""An outcomes file is read whole: about 20 bytes a client, so some ten million clients."""


def report_key(outcomes_key: str) -> str:
    return f"{PERFORMANCE_PREFIX}{outcomes_key.removeprefix(OUTCOMES_PREFIX)}.json"


def served_decisions(s3: Any, bucket: str) -> tuple[Decisions, dict[str, dict[str, Any]]]:
    """Every decision kept, in the order it was made (so that a client's last decision is the latest):
    those of batch files (batch/scored/, each row at its object's time) and those served one at a time
    (monitoring/decisions/, each at its decided_at); and, per prefix, how many objects and rows it gave
    and the objects that could not be read."""
    parts: list[tuple[Decisions, np.ndarray]] = []
    read: dict[str, dict[str, Any]] = {}
    for prefix, read_object in ((SCORED_PREFIX, _scored), (DECISIONS_PREFIX, _recorded)):
        objects = [
            item
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            for item in page.get("Contents", ())
        ]
        # Oldest first: rows of one time (a batch object's) keep the order of the objects.
        objects.sort(key=lambda item: (item["LastModified"], item["Key"]))
        rows = 0
        unreadable = []
        for item in objects:
            body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"]
            try:
                part = read_object(body, item)
            except ValueError as error:
                unreadable.append({"key": item["Key"], "problem": str(error)})
                continue
            parts.append(part)
            rows += len(part[1])
        if unreadable:
            logger.warning(
                "kept decisions unreadable, left out of the join",
                extra={"prefix": prefix, "objects": len(unreadable)},
            )
        read[prefix] = {
            "objects": len(objects),
            "rows": rows,
            "unreadable": len(unreadable),
            "unreadable_objects": unreadable[:MAX_UNREADABLE_LISTED],
        }
    return _in_order(parts), read


def _scored(body: Any, item: dict[str, Any]) -> tuple[Decisions, np.ndarray]:
    """A scored object's decisions, each at the object's time: they were made just before it was
    written. Raises ValueError naming the object and the line, never a value."""
    key = item["Key"]
    compressed = key.endswith(GZIP_SUFFIX)
    raw = gzip.GzipFile(fileobj=body) if compressed else body
    ids: list[int] = []
    probabilities: list[float] = []
    predictions: list[int] = []
    try:
        reader = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline=""))
        for line, row in enumerate(reader, start=2):
            try:
                ids.append(int(row[schema.CLIENT_ID]))
                probabilities.append(float(row["probability"]))
                predictions.append(int(row["prediction"]))
            except (KeyError, TypeError, ValueError):
                raise ValueError(
                    f"{key}: line {line}: expected {schema.CLIENT_ID}, probability and prediction"
                ) from None
    except (OSError, EOFError, zlib.error, csv.Error, UnicodeDecodeError) as error:
        kind = "gzip-compressed CSV" if compressed else "CSV"
        raise ValueError(f"{key}: not a readable {kind} file ({type(error).__name__})") from None
    decisions = Decisions(np.array(ids, dtype=np.int64), np.array(probabilities), np.array(predictions))
    return decisions, np.full(len(ids), item["LastModified"].timestamp())


def _recorded(body: Any, item: dict[str, Any]) -> tuple[Decisions, np.ndarray]:
    try:
        return read_decisions(io.TextIOWrapper(body, encoding="utf-8", newline=""), item["Key"])
    except (csv.Error, UnicodeDecodeError) as error:
        raise ValueError(f"{item['Key']}: not a readable CSV file ({type(error).__name__})") from None


def _in_order(parts: list[tuple[Decisions, np.ndarray]]) -> Decisions:
    """The decisions of every part ordered by their time; the sort is stable, so rows of one time keep
    the order they were read in."""
    # An empty part first, so that no part at all concatenates too.
    parts = [(Decisions(np.empty(0, np.int64), np.empty(0), np.empty(0, np.int64)), np.empty(0)), *parts]
    order = np.argsort(np.concatenate([times for _, times in parts]), kind="stable")
    return Decisions(
        np.concatenate([decisions.client_ids for decisions, _ in parts])[order],
        np.concatenate([decisions.probabilities for decisions, _ in parts])[order],
        np.concatenate([decisions.predictions for decisions, _ in parts])[order],
    )


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
