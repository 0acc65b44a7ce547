"""The one scoring loop: blocks of lines in, scored and rejected rows out, every line accounted for.

The S3 handler (a whole file), a fan-out part (a byte range) and `credit-scoring batch` (a local file)
all run `score_lines`; they differ only in where the lines come from and where the rows go. `score_file`
wraps it for a whole file: both outputs are published together, or, when the file cannot be scored as
a whole, neither is and a rejection of the whole file is published in their place.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from credit_scoring.batch.csv_reader import (
    FileLayout,
    FileRejectedError,
    check_row_count,
    line_blocks,
    open_decoded,
    parse_block,
    read_layout,
)
from credit_scoring.batch.drift import observe_block
from credit_scoring.batch.outputs import Output, Sink
from credit_scoring.batch.records import (
    REJECTED_COLUMNS,
    SCORED_COLUMNS,
    Counts,
    DecisionIds,
    Rejection,
    header_line,
    rejected_rows,
    scored_rows,
)
from credit_scoring.batch.scoring import BatchScorer
from credit_scoring.batch.validation import check_rows
from credit_scoring.monitoring.drift import DriftMonitor, DriftSummary
from credit_scoring.scoring.scorer import ACCEPTED, REFUSED


class Destination(Protocol):
    """Where one file's scored and rejected outputs go (S3 keys, or local files)."""

    def open(self, output: Output) -> Sink:
        """A new sink for `output`, publishing to its final name on commit."""
        ...


FIRST_DATA_LINE = 2
"""Line 1 is the header."""


class LineAccountingError(RuntimeError):
    """A block's lines were not all scored or rejected: a defect, never a data problem."""


def split_header(blocks: Iterable[bytes]) -> tuple[FileLayout, Iterator[bytes]]:
    """The layout declared by the first line, and the blocks of the lines after it."""
    blocks = iter(blocks)
    first = next(blocks, b"")
    if not first:
        raise FileRejectedError("the object is empty: expected a header line")
    header, _, rest = first.partition(b"\n")
    layout = read_layout(header)
    return layout, itertools.chain((rest,) if rest else (), blocks)


def score_lines(
    blocks: Iterable[bytes],
    layout: FileLayout,
    scorer: BatchScorer,
    scored: Sink,
    rejected: Sink,
    decision_ids: DecisionIds,
    first_line: int = FIRST_DATA_LINE,
    monitor: DriftMonitor | None = None,
) -> Counts:
    """Score every line of `blocks` (the first being line `first_line`), writing each to `scored` (with
    its decision id, from its line) or `rejected`; the sinks are neither committed nor aborted here.
    `monitor`, when given, counts each block's scored rows once they are written.
    Raises FileRejectedError when the file cannot be scored as a whole."""
    scorer.check_layout(layout)
    counts = Counts()
    line = first_line
    for block in blocks:
        parsed = parse_block(block, line, layout)
        n_lines = parsed.n_lines  # counted by the parser: no second pass over the bytes
        check_row_count(line + n_lines - first_line)  # before scoring rows past the bound
        checked = check_rows(parsed, layout)
        result = scorer.score(checked, layout)
        refused = sorted((*checked.rejected, *result.rejected), key=lambda rejection: rejection.line)
        n_scored = len(result.client_ids)
        if n_scored + len(refused) != n_lines:
            raise LineAccountingError(
                f"lines {line} to {line + n_lines - 1}: {n_scored} scored and "
                f"{len(refused)} rejected do not add up to {n_lines}"
            )
        scored.write(
            scored_rows(
                result.client_ids,
                result.decisions,
                scorer.feature_names,
                scorer.model_version,
                decision_ids(result.lines.tolist()),
            )
        )
        rejected.write(rejected_rows(refused))
        if monitor is not None:
            observe_block(monitor, checked, result.decisions.probability, layout)
        n_refused = int(np.count_nonzero(result.decisions.prediction))
        counts.add(
            Counts(
                rows=n_lines,
                scored=n_scored,
                rejected=len(refused),
                decisions={ACCEPTED: n_scored - n_refused, REFUSED: n_refused},
                history_joined=result.history_joined,
            )
        )
        line += n_lines
    return counts


@dataclass(frozen=True)
class FileOutcome:
    """What scoring one file gave: its counts, its layout (None when the header was unusable), why
    the file was rejected as a whole (None when it was scored), and its drift summary (None when the
    bundle has no reference or the file was rejected whole)."""

    counts: Counts
    layout: FileLayout | None
    file_error: str | None
    drift: DriftSummary | None = None


def score_file(
    open_stream: Callable[[], Any],
    destination: Destination,
    scorer: BatchScorer,
    block_bytes: int,
    decision_ids: DecisionIds | None = None,
    monitor: DriftMonitor | None = None,
) -> FileOutcome:
    """Score the file `open_stream()` returns into `destination`: both outputs complete, or, when the
    file is rejected as a whole, a header-only scored output and a one-row rejected output saying why.
    Errors other than FileRejectedError (S3 unavailable...) propagate, leaving no output changed.

    The S3 handler and `credit-scoring batch` name the run (`records.run_name`) in `decision_ids`; a
    caller that keeps no record (a benchmark) may leave it out, and its rows' ids then name only the model
    version: they are not unique across files. `monitor` counts the drift (default: a new one over the
    bundle's reference, none without one); several files given one monitor add up."""
    if decision_ids is None:
        decision_ids = DecisionIds(f"unnamed run:{scorer.model_version}")
    layout: FileLayout | None = None
    if monitor is None and scorer.reference is not None:
        monitor = DriftMonitor(scorer.reference)
    try:
        with destination.open("scored") as scored, destination.open("rejected") as rejected:
            stream, _ = open_decoded(open_stream())
            layout, blocks = split_header(line_blocks(stream, block_bytes))
            scored.write(header_line(SCORED_COLUMNS))
            rejected.write(header_line(REJECTED_COLUMNS))
            counts = score_lines(blocks, layout, scorer, scored, rejected, decision_ids, monitor=monitor)
    except FileRejectedError as error:
        write_file_rejection(destination, error.reason)
        return FileOutcome(Counts(), layout, error.reason)
    return FileOutcome(counts, layout, None, None if monitor is None else monitor.summary())


def write_file_rejection(destination: Destination, reason: str) -> None:
    """Publish the outputs of a file rejected as a whole: no scored row, one rejected row (no line)."""
    with destination.open("scored") as scored, destination.open("rejected") as rejected:
        scored.write(header_line(SCORED_COLUMNS))
        rejected.write(header_line(REJECTED_COLUMNS) + rejected_rows([Rejection(None, None, reason)]))
