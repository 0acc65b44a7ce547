"""Every S3 key batch scoring writes, derived from the input's key alone (so a re-run hits the same keys).

An input `batch/incoming/<name>` (sub-folders kept in `<name>`) gives

    batch/scored/<name>            the decisions, one row per scored input row
    batch/rejected/<name>          the unusable rows (or the whole file), each with its line and reason
    batch/reports/<name>.json      counts, duration, model version, source key and ETag

A name ending in `.gz` gives gzip-compressed scored and rejected objects under the same name, any other
name plain CSV: an output's name always tells its encoding. (The input's own encoding is read from its
first bytes, so `x.csv` holding gzip data is read correctly and answered in plain CSV.)

The parts of a fanned-out file, and the lock of any run, live under
`batch/parts/<name>/<etag>/<model version>/`: the source ETag
and the model version in the path keep apart the parts of two versions of one file, and of two models
scoring one file, so that parts of an older upload or an older model can never be merged into the
outputs of a newer one. Nothing is ever written under `batch/incoming/`: outputs cannot trigger
the function again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from credit_scoring.batch.config import (
    INCOMING_PREFIX,
    PARTS_PREFIX,
    REJECTED_PREFIX,
    REPORTS_PREFIX,
    RESULTS_PREFIX,
    SCORED_PREFIX,
)

GZIP_SUFFIX: Final = ".gz"
_PART_REPORT = re.compile(r"(\d{5})\.json")
CORRELATION_ID_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
"""A correlation id becomes part of an S3 key: letters, digits and `._:-`, at most 128 characters."""


@dataclass(frozen=True)
class PartKeys:
    """Keys of one fanned-out run: its plan, staged source, and each part's outputs and report."""

    prefix: str

    @property
    def plan(self) -> str:
        return f"{self.prefix}plan.json"

    @property
    def lock(self) -> str:
        """Held by the one delivery scoring or planning this run (`batch.locks`)."""
        return f"{self.prefix}lock.json"

    @property
    def staged_source(self) -> str:
        """Where a gzip input too large for one invocation is decompressed to, so it can be split."""
        return f"{self.prefix}source.csv"

    def scored(self, index: int) -> str:
        return f"{self.prefix}{index:05d}.scored"

    def rejected(self, index: int) -> str:
        return f"{self.prefix}{index:05d}.rejected.csv"

    def report(self, index: int) -> str:
        """Written last by a part: its presence means the part's outputs are complete."""
        return f"{self.prefix}{index:05d}.json"

    def report_index(self, key: str) -> int | None:
        """The part index of a part report key, None for any other key under the prefix."""
        match = _PART_REPORT.fullmatch(key.removeprefix(self.prefix))
        return int(match.group(1)) if key.startswith(self.prefix) and match else None


@dataclass(frozen=True)
class BatchKeys:
    """Output keys of one input file, named by `name` (the input key less `batch/incoming/`)."""

    name: str

    @classmethod
    def for_input(cls, key: str) -> BatchKeys | None:
        """The keys for input `key`, or None when `key` is not a file under `batch/incoming/` (another
        prefix, or a folder marker such as `batch/incoming/2026/`)."""
        if not key.startswith(INCOMING_PREFIX) or key.endswith("/"):
            return None
        return cls(key.removeprefix(INCOMING_PREFIX))

    @property
    def input(self) -> str:
        return f"{INCOMING_PREFIX}{self.name}"

    @property
    def compressed(self) -> bool:
        """Whether the scored and rejected outputs are gzip-compressed (the name ends in `.gz`)."""
        return self.name.endswith(GZIP_SUFFIX)

    @property
    def scored(self) -> str:
        return f"{SCORED_PREFIX}{self.name}"

    @property
    def rejected(self) -> str:
        return f"{REJECTED_PREFIX}{self.name}"

    @property
    def report(self) -> str:
        return f"{REPORTS_PREFIX}{self.name}.json"

    def parts(self, etag: str, model_version: str) -> PartKeys:
        return PartKeys(f"{PARTS_PREFIX}{self.name}/{etag.strip(chr(34))}/{model_version}/")


def result_key(correlation_id: str) -> str:
    """Where the result of an SQS request goes; `correlation_id` must match CORRELATION_ID_PATTERN."""
    if not CORRELATION_ID_PATTERN.fullmatch(correlation_id):
        raise ValueError(f"correlation id {correlation_id!r} does not match {CORRELATION_ID_PATTERN.pattern}")
    return f"{RESULTS_PREFIX}{correlation_id}.json"


def unidentified_result_key(message_id: str) -> str:
    """Where the rejection of an SQS message without a usable correlation id goes (by SQS message id,
    in a folder of its own so that it can never collide with a caller's correlation id)."""
    return f"{RESULTS_PREFIX}unidentified/{message_id}.json"
