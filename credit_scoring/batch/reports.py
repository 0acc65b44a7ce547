"""The report of a scored file, and its line in the decision audit log.

The report (`batch/reports/<name>.json`) is written after both outputs are complete, so its presence
means the run is finished; it says which version of which input it covers (key, ETag, version id),
with which model version, and how every input row ended:

    {"status": "scored" | "rejected", "file_error": null | "why the file was rejected as a whole",
     "input_rows": n, "scored": n, "rejected": n,              input_rows = scored + rejected, always
     "decisions": {"accepted": n, "refused": n}, "history_joined": n,
     "layout": "applications" | "client_ids" | null, "absent_columns": [...],
     "model_version", "source": {...}, "outputs": {"scored", "rejected"},
     "output_versions": {"scored": {"version_id", "etag"}, "rejected": {...}} | null, "parts": n,
     "started_at", "finished_at", "duration_seconds",
     "drift": null | {...}}                                    see credit_scoring.monitoring.drift

The report is the commit point of a run on S3: `output_versions` names the object version (and ETag)
of each output it accounts for, so that a reader fetching those versions gets the scored and rejected
rows of one run, even while a later run is replacing them or after it failed between the two (the
local command has no versions: null).

A file rejected as a whole (unreadable, wrong header...) has status "rejected", zero counts, and its
reason in `file_error` and in the rejected output. The audit line carries the same counts, never a row.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger

from credit_scoring.batch.keys import BatchKeys
from credit_scoring.batch.pipeline import FileOutcome
from credit_scoring.batch.s3io import SOURCE_ETAG_METADATA, SourceObject, put_json

logger = Logger(service="batch-scoring")


def now() -> datetime:
    return datetime.now(UTC)


def file_report(
    *,
    source: Mapping[str, Any],
    model_version: str,
    outcome: FileOutcome,
    outputs: Mapping[str, str],
    output_versions: Mapping[str, Mapping[str, str | None]] | None,
    parts: int,
    started: datetime,
    finished: datetime,
) -> dict[str, Any]:
    """The report of one input file (see the module docstring for its fields)."""
    layout = outcome.layout
    return {
        "status": "rejected" if outcome.file_error else "scored",
        "file_error": outcome.file_error,
        **outcome.counts.to_json(),
        "layout": None if layout is None else layout.kind,
        "absent_columns": [] if layout is None else list(layout.absent),
        "model_version": model_version,
        "source": dict(source),
        "outputs": dict(outputs),
        "output_versions": None if output_versions is None else dict(output_versions),
        "parts": parts,
        "started_at": started.isoformat(timespec="milliseconds"),
        "finished_at": finished.isoformat(timespec="milliseconds"),
        "duration_seconds": round((finished - started).total_seconds(), 3),
        "drift": None if outcome.drift is None else outcome.drift.to_json(),
    }


def audit_file(report: Mapping[str, Any]) -> None:
    """One audit line per file: counts and decisions, the model version and the source; no row data.
    Each row's decision id is in the `decision_id` column of the scored output (`decision_ids_in`)."""
    logger.info(
        "batch file decided",
        extra={
            "event": "batch_decisions",
            "source_key": report["source"].get("key"),
            "source_etag": report["source"].get("etag"),
            "decision_ids_in": f"decision_id column of {report['outputs'].get('scored')}",
            **{
                name: report[name]
                for name in (
                    "status",
                    "input_rows",
                    "scored",
                    "rejected",
                    "decisions",
                    "model_version",
                    "parts",
                    "duration_seconds",
                )
            },
        },
    )


def publish_report(
    s3: Any,
    keys: BatchKeys,
    source: SourceObject,
    model_version: str,
    outcome: FileOutcome,
    output_versions: Mapping[str, Mapping[str, str | None]],
    parts: int,
    started: datetime,
) -> dict[str, Any]:
    """Write the report of a finished run (after its outputs, whose versions it names: its presence
    means "done"), log its audit line, and return it."""
    report = file_report(
        source=source.to_json(),
        model_version=model_version,
        outcome=outcome,
        outputs={"scored": keys.scored, "rejected": keys.rejected},
        output_versions=output_versions,
        parts=parts,
        started=started,
        finished=now(),
    )
    put_json(s3, source.bucket, keys.report, report, {SOURCE_ETAG_METADATA: source.etag})
    audit_file(report)
    return report
