"""The report of a scored file (`batch/reports/<name>.json`, its fields in docs/batch.md, The report),
and its line in the decision audit log.

The report is written after both outputs are complete, so its presence means the run is finished; it is
the commit point of a run on S3: `output_versions` names the object version (and ETag) of each output it
accounts for. The audit line carries the same counts, never a row.
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
