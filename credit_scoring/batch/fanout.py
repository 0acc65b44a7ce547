"""Files too large for one invocation: split into byte ranges scored in parallel, then merged.

Planning (the S3 handler, when `size / BATCH_BYTES_PER_SECOND` exceeds the invocation's remaining time
less its reserve): the data after the header line is cut into ranges of half what one invocation can
score, at most MAX_PARTS of them; the plan (`plan.json`: source, model version, header length, ranges,
start time) is written under `batch/parts/<name>/<etag>/<model version>/`, then one SQS message per range
is sent to the function's own queue. A part message reaching a function that serves another model
version voids the run (its parts are deleted): no output ever mixes two models. A gzip input cannot be
split (a range of a gzip stream cannot be decompressed on its own): it is first decompressed, streaming,
into `source.csv` beside the plan, and the ranges are cut in that copy.

A part (an SQS message `{"batch_part": {"bucket", "plan", "index"}}`) scores the lines that START in its
range: it reads from one byte before the range, drops everything up to the first line break (the end of
the line the previous part finishes), and finishes the line that crosses its end. Lines are numbered
from 1 within the part. It writes its scored rows, its rejected rows and, last, its report (which is
what "this part is done" means), holding the part's drift counts on the reference's bins
(`drift_counts`, counts only: never a row). Then it lists the parts' reports; when all are there, it
merges: the final scored object is the header followed by the parts' scored objects in order (gzip
parts are concatenated as gzip members), the rejected rows are copied with their line numbers made
absolute (each part's report says how many lines it read), the file's drift is computed from the sum
of the parts' counts (as one invocation scoring the whole file counts them), the report is written and
its drift metrics published, and the parts are deleted. Two parts finishing together may both merge:
the outputs are the same bytes, so the second changes nothing.

Every step is idempotent: a part whose report exists is not scored again, a plan whose final report
exists is not run again, and an SQS message delivered twice re-does at most one part's work. A part that
a partly filled invocation has no time left for is sent back to the queue as a new message (so waiting
never counts towards the dead-letter queue's receive limit).

Limitation: one record per line (see csv_reader): a quoted field holding a line break is rejected,
never split across two parts.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from credit_scoring.batch.config import PARTS_PREFIX, BatchSettings
from credit_scoring.batch.csv_reader import (
    MAX_LINE_BYTES,
    FileRejectedError,
    check_row_count,
    line_blocks,
    open_decoded,
    read_layout,
)
from credit_scoring.batch.keys import BatchKeys, PartKeys
from credit_scoring.batch.metrics import publish_drift_metrics
from credit_scoring.batch.outputs import S3Sink, compressed_if, gzip_member
from credit_scoring.batch.pipeline import FileOutcome, score_lines, write_file_rejection
from credit_scoring.batch.records import (
    REJECTED_COLUMNS,
    SCORED_COLUMNS,
    Counts,
    DecisionIds,
    header_line,
    run_name,
)
from credit_scoring.batch.reports import logger, now, publish_report
from credit_scoring.batch.s3io import (
    CSV_TYPE,
    S3Destination,
    SourceChangedError,
    SourceObject,
    create_json,
    delete_keys,
    get_json,
    head,
    list_keys,
    open_range,
    put_json,
    report_exists,
)
from credit_scoring.batch.scoring import BatchScorer
from credit_scoring.monitoring.drift import DriftMonitor, DriftSummary
from credit_scoring.monitoring.reference import Reference

PART_MESSAGE: Final = "batch_part"
"""The key of a part message's body: `{"batch_part": {"bucket", "plan", "index"}}`."""
MAX_PARTS: Final = 1000
SQS_BATCH: Final = 10
"""Most messages one SendMessageBatch call takes."""
PART_SHARE: Final = 0.5
"""A part is planned to take half of an invocation's usable time: the throughput is an estimate."""
COPY_BYTES: Final = 8 * 1024 * 1024


@dataclass(frozen=True)
class Budget:
    """Time an invocation can spend scoring, and the throughput it plans with."""

    seconds: float
    bytes_per_second: float

    @classmethod
    def of(cls, remaining_ms: int, settings: BatchSettings) -> Budget:
        return cls(remaining_ms / 1000.0 - settings.time_reserve_seconds, settings.bytes_per_second)

    def fits(self, n_bytes: float) -> bool:
        return n_bytes / self.bytes_per_second <= self.seconds

    def part_bytes(self) -> int:
        return max(1, int(self.bytes_per_second * max(self.seconds, 1.0) * PART_SHARE))


def plan_ranges(data_start: int, size: int, part_bytes: int) -> list[tuple[int, int]]:
    """Byte ranges [start, end) covering data_start..size, each about part_bytes (at most MAX_PARTS)."""
    length = max(size - data_start, 0)
    parts = max(1, min(MAX_PARTS, math.ceil(length / max(part_bytes, 1))))
    bounds = [data_start + length * i // parts for i in range(parts + 1)]
    return list(itertools.pairwise(bounds))


@dataclass(frozen=True)
class Plan:
    """A fanned-out run of one input version: where its data is, and its ranges."""

    name: str
    input: SourceObject
    source: SourceObject
    """The object the ranges refer to: the input itself, or its decompressed copy."""
    header_end: int
    ranges: tuple[tuple[int, int], ...]
    started_at: str
    model_version: str
    """The model version the run scores with: every part must be scored by it."""

    @property
    def keys(self) -> BatchKeys:
        return BatchKeys(self.name)

    @property
    def part_keys(self) -> PartKeys:
        return self.keys.parts(self.input.etag, self.model_version)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "input": self.input.to_json(),
            "source": self.source.to_json(),
            "header_end": self.header_end,
            "ranges": [list(bounds) for bounds in self.ranges],
            "started_at": self.started_at,
            "model_version": self.model_version,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        return cls(
            name=data["name"],
            input=SourceObject.from_json(data["input"]),
            source=SourceObject.from_json(data["source"]),
            header_end=int(data["header_end"]),
            ranges=tuple((int(start), int(end)) for start, end in data["ranges"]),
            started_at=data["started_at"],
            model_version=str(data.get("model_version", "")),
        )


def start(
    s3: Any,
    sqs: Any,
    settings: BatchSettings,
    keys: BatchKeys,
    source: SourceObject,
    compressed: bool,
    budget: Budget,
    scorer: BatchScorer,
) -> int:
    """Plan the parts of `source` (or take the plan an earlier delivery of the same event made) and send
    one message per part; returns the number of parts.

    Raises FileRejectedError when the header (or a gzip input's decompression) shows the file cannot be
    scored; the caller then writes the whole-file rejection.
    """
    if settings.queue_url is None:
        raise ValueError("fan-out needs BATCH_QUEUE_URL")
    part_keys = keys.parts(source.etag, scorer.model_version)
    plan = _read_plan(s3, source.bucket, part_keys.plan)
    if plan is None:
        started = now().isoformat(timespec="milliseconds")
        data = _stage_decompressed(s3, source, part_keys, settings) if compressed else source
        header_end = _header_end(s3, data, scorer)
        plan = Plan(
            name=keys.name,
            input=source,
            source=data,
            header_end=header_end,
            ranges=tuple(plan_ranges(header_end, data.size, budget.part_bytes())),
            started_at=started,
            model_version=scorer.model_version,
        )
        # The first plan written wins: parts already running keep the ranges they were given.
        if not create_json(s3, source.bucket, part_keys.plan, plan.to_json()):
            plan = Plan.from_json(get_json(s3, source.bucket, part_keys.plan))
    messages = [
        {"Id": str(index), "MessageBody": part_message(source.bucket, part_keys.plan, index)}
        for index in range(len(plan.ranges))
    ]
    for first in range(0, len(messages), SQS_BATCH):
        answer = sqs.send_message_batch(
            QueueUrl=settings.queue_url, Entries=messages[first : first + SQS_BATCH]
        )
        if answer.get("Failed"):
            raise RuntimeError(f"{len(answer['Failed'])} part messages of {keys.input} could not be sent")
    logger.info("batch file fanned out", extra={"source_key": source.key, "parts": len(plan.ranges)})
    return len(plan.ranges)


def _header_end(s3: Any, data: SourceObject, scorer: BatchScorer) -> int:
    """Length of the header line (with its line break), after checking the file can be scored at all."""
    head_bytes = open_range(s3, data, 0, min(MAX_LINE_BYTES, data.size) - 1).read() if data.size else b""
    stream, _ = open_decoded(io.BytesIO(head_bytes))
    header, newline, _ = stream.read().partition(b"\n")
    if not newline and len(header) >= MAX_LINE_BYTES:
        raise FileRejectedError(f"the header line is longer than {MAX_LINE_BYTES} bytes")
    scorer.check_layout(read_layout(header))
    return len(header) + len(newline)


def _read_plan(s3: Any, bucket: str, key: str) -> Plan | None:
    """The plan at `key`, None when there is none (not planned yet, or merged and cleaned up)."""
    try:
        return Plan.from_json(get_json(s3, bucket, key))
    except s3.exceptions.NoSuchKey:
        return None


class PartMessageError(ValueError):
    """A fan-out part message without its fields: a defect, left to the dead-letter queue."""


def part_message(bucket: str, plan_key: str, index: int) -> str:
    return json.dumps({PART_MESSAGE: {"bucket": bucket, "plan": plan_key, "index": index}})


def read_part_message(body: str, bucket: str | None) -> dict[str, Any] | None:
    """The fields of a part message, None for any other message. A part message names a plan under
    batch/parts/ of the function's bucket, never anything else it could be made to read."""
    try:
        message = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, or nested too deeply: not a part message
        return None
    if not isinstance(message, dict) or PART_MESSAGE not in message:
        return None
    part = message[PART_MESSAGE]
    if not (
        isinstance(part, dict)
        and isinstance(part.get("bucket"), str)
        and isinstance(part.get("plan"), str)
        and isinstance(part.get("index"), int)
    ):
        raise PartMessageError(
            f"a {PART_MESSAGE} message needs bucket and plan (strings) and index (integer)"
        )
    if not (part["plan"].startswith(PARTS_PREFIX) and part["plan"].endswith("/plan.json")):
        raise PartMessageError(f"a {PART_MESSAGE} plan must be a plan.json under {PARTS_PREFIX}")
    if bucket is not None and part["bucket"] != bucket:
        raise PartMessageError(f"a {PART_MESSAGE} message must name the function's bucket (BATCH_BUCKET)")
    return part


def _stage_decompressed(
    s3: Any, source: SourceObject, part_keys: PartKeys, settings: BatchSettings
) -> SourceObject:
    """Decompress a gzip input into `source.csv` beside the plan (a plain object can be split)."""
    stream, _ = open_decoded(open_range(s3, source))
    with S3Sink(s3, source.bucket, part_keys.staged_source, content_type=CSV_TYPE) as sink:
        while piece := stream.read(settings.block_bytes):
            sink.write(piece)
    staged = head(s3, source.bucket, part_keys.staged_source)
    if staged is None:
        raise RuntimeError(f"{part_keys.staged_source} vanished right after it was written")
    return staged


def run_part(
    s3: Any,
    sqs: Any,
    settings: BatchSettings,
    message: dict[str, Any],
    body: str,
    remaining_ms: int | None,
    scorer: BatchScorer,
) -> str:
    """Score one part (unless done already), then merge when every part is done; returns what happened."""
    bucket, plan_key, index = str(message["bucket"]), str(message["plan"]), int(message["index"])
    plan = _read_plan(s3, bucket, plan_key)
    if plan is None:
        return "no plan: the run was merged and cleaned up already"
    part_keys = plan.part_keys
    if plan.model_version != scorer.model_version:
        # Planned by another model version (the function was redeployed mid-run): its parts must not be
        # scored by this one. The run is void; uploading the file again scores it with this model.
        delete_keys(s3, bucket, list_keys(s3, bucket, plan_key.removesuffix("plan.json")))
        return "superseded: the run was planned with another model version"
    if report_exists(s3, bucket, plan.keys.report, plan.input, scorer.model_version):
        delete_keys(s3, bucket, list_keys(s3, bucket, part_keys.prefix))
        return "the file is already complete"
    if head(s3, bucket, part_keys.report(index)) is None:
        start_byte, end_byte = plan.ranges[index]
        if remaining_ms is not None and not Budget.of(remaining_ms, settings).fits(end_byte - start_byte):
            if settings.queue_url is None:
                raise RuntimeError("no time left for this part and no BATCH_QUEUE_URL to defer it to")
            sqs.send_message(QueueUrl=settings.queue_url, MessageBody=body)
            return "deferred: not enough time left in this invocation"
        try:
            _score_part(s3, settings, plan, index, scorer)
        except SourceChangedError:
            # The input was replaced (its new version has its own notification and run): this run is void.
            delete_keys(s3, bucket, list_keys(s3, bucket, part_keys.prefix))
            return "superseded: the input changed since it was planned"
    present = {part_keys.report_index(key) for key in list_keys(s3, bucket, part_keys.prefix)}
    if present.issuperset(range(len(plan.ranges))):
        merge(s3, plan, scorer.model_version, scorer.reference)
        return "part scored; all parts done: merged"
    return "part scored"


def _score_part(s3: Any, settings: BatchSettings, plan: Plan, index: int, scorer: BatchScorer) -> None:
    started = now()
    part_keys = plan.part_keys
    start_byte, end_byte = plan.ranges[index]
    header = open_range(s3, plan.source, 0, plan.header_end - 1).read()
    bucket = plan.input.bucket
    # Scored rows are compressed part by part when the output is: gzip members concatenate.
    scored = compressed_if(
        plan.keys.compressed, S3Sink(s3, bucket, part_keys.scored(index), content_type=CSV_TYPE)
    )
    rejected = S3Sink(s3, bucket, part_keys.rejected(index), content_type=CSV_TYPE)
    file_error = None
    monitor = None if scorer.reference is None else DriftMonitor(scorer.reference)
    try:
        with scored, rejected:
            # From the byte before the range, to the end of the longest line that may cross its end.
            last = min(end_byte - 1 + MAX_LINE_BYTES, plan.source.size - 1)
            stream = open_range(s3, plan.source, start_byte - 1, last)
            blocks = line_blocks(
                stream, settings.block_bytes, start_inside_line=True, stop_at=end_byte - (start_byte - 1)
            )
            # Part i's lines are numbered from 1 within it: its rows' ids name the part (the merge
            # copies the parts' rows as they are, and only then are absolute line numbers known).
            run = run_name(f"{bucket}/{plan.input.key}", plan.input.etag, plan.model_version)
            decision_ids = DecisionIds(f"{run}:part {index}")
            counts = score_lines(
                blocks,
                read_layout(header),
                scorer,
                scored,
                rejected,
                decision_ids,
                first_line=1,
                monitor=monitor,
            )
    except FileRejectedError as error:
        counts, file_error = Counts(), error.reason
    put_json(
        s3,
        bucket,
        part_keys.report(index),
        {
            **counts.to_json(),
            "file_error": file_error,
            "drift_counts": None if monitor is None or file_error else monitor.counts_json(),
            "started_at": started.isoformat(timespec="milliseconds"),
            "finished_at": now().isoformat(timespec="milliseconds"),
        },
    )


def merge(s3: Any, plan: Plan, model_version: str, reference: Reference | None) -> None:
    """Assemble the final outputs, report and drift (on `reference`, none without) from every part's,
    then delete the parts."""
    bucket = plan.input.bucket
    part_keys = plan.part_keys
    reports = [get_json(s3, bucket, part_keys.report(index)) for index in range(len(plan.ranges))]
    destination = S3Destination(s3, bucket, plan.keys)
    errors = [report["file_error"] for report in reports if report["file_error"]]
    counts = Counts()
    for report in reports:
        counts.add(Counts.from_json(report))
    try:
        check_row_count(counts.rows)  # each part held to the bound on its own; the file as a whole here
    except FileRejectedError as error:
        errors.append(error.reason)
    drift = None
    if errors:
        counts = Counts()
        write_file_rejection(destination, errors[0])
    else:
        _merge_scored(s3, plan, destination)
        _merge_rejected(s3, plan, reports, destination)
        drift = _merged_drift(plan, reports, reference)
    layout = read_layout(open_range(s3, plan.source, 0, plan.header_end - 1).read())
    publish_report(
        s3,
        plan.keys,
        plan.input,
        model_version,
        FileOutcome(counts, layout, errors[0] if errors else None, drift),
        destination.published(),
        len(plan.ranges),
        datetime.fromisoformat(plan.started_at),
    )
    publish_drift_metrics(drift)
    delete_keys(s3, bucket, list_keys(s3, bucket, part_keys.prefix))


def _merged_drift(
    plan: Plan, reports: list[dict[str, Any]], reference: Reference | None
) -> DriftSummary | None:
    """The file's drift from the sum of its parts' counts; None without a reference, or when a part
    was scored without one (a bundle whose reference could not be read)."""
    if reference is None or any(report.get("drift_counts") is None for report in reports):
        return None
    monitor = DriftMonitor(reference)
    for index, report in enumerate(reports):
        monitor.add_counts_json(report["drift_counts"], plan.part_keys.report(index))
    return monitor.summary()


def _merge_scored(s3: Any, plan: Plan, destination: S3Destination) -> None:
    compressed = plan.keys.compressed
    header = header_line(SCORED_COLUMNS)
    bucket = plan.input.bucket
    # The parts' rows are already encoded (gzip members concatenate): copied as they are.
    with destination.open_encoded("scored") as sink:
        sink.write(gzip_member(header) if compressed else header)
        for index in range(len(plan.ranges)):
            body = s3.get_object(Bucket=bucket, Key=plan.part_keys.scored(index))["Body"]
            while piece := body.read(COPY_BYTES):
                sink.write(piece)


def _merge_rejected(s3: Any, plan: Plan, reports: list[dict[str, Any]], destination: S3Destination) -> None:
    offset = 1  # the header line
    with destination.open("rejected") as sink:
        sink.write(header_line(REJECTED_COLUMNS))
        for index, report in enumerate(reports):
            body = s3.get_object(Bucket=plan.input.bucket, Key=plan.part_keys.rejected(index))["Body"]
            text = io.TextIOWrapper(body, encoding="utf-8", newline="")
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            for line, client_id, reason in csv.reader(text):
                writer.writerow((int(line) + offset, client_id, reason))
                if buffer.tell() >= COPY_BYTES:
                    sink.write(buffer.getvalue().encode("utf-8"))
                    buffer = io.StringIO()
                    writer = csv.writer(buffer, lineterminator="\n")
            sink.write(buffer.getvalue().encode("utf-8"))
            offset += int(report["input_rows"])
