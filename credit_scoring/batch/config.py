"""Where batch scoring reads and writes, and the budgets it plans with, from the environment.

The prefixes are fixed (the deployment template and its IAM policy name them); the rest comes from
environment variables so that an operator can tune a deployment without a code change, and tests can
force small blocks and fan-out:

- `BATCH_BUCKET` (required for SQS requests): where their results go (`batch/results/`); fan-out part
  messages must name it. An uploaded file's outputs always go to the bucket it was uploaded to.
- `BATCH_QUEUE_URL` (unset: no fan-out): the queue the parts of a large file are sent to (the
  function's own queue).
- `BATCH_BLOCK_BYTES` (2 MiB, about 3,000 application rows): bytes of CSV parsed at a time; with the
  scorer's fixed row batches, it bounds memory.
- `BATCH_BYTES_PER_SECOND` (5,000,000): the scoring throughput a plan assumes, well under what
  bench_batch measures (docs/benchmarks.md, Batch), since a part planned too large times out where one
  planned small only costs an extra invocation. Raise it once measured on Lambda.
- `BATCH_TIME_RESERVE_SECONDS` (60): time kept free at the end of an invocation (uploads, merge).

A gzip input is planned at the largest ratio it may have (`csv_reader.MAX_GZIP_RATIO`), never a typical one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

BATCH_PREFIX: Final = "batch/"
INCOMING_PREFIX: Final = "batch/incoming/"
SCORED_PREFIX: Final = "batch/scored/"
REJECTED_PREFIX: Final = "batch/rejected/"
REPORTS_PREFIX: Final = "batch/reports/"
PARTS_PREFIX: Final = "batch/parts/"
RESULTS_PREFIX: Final = "batch/results/"

MIB: Final = 1024 * 1024
MIN_BLOCK_BYTES: Final = 1024
"""Smallest parse block allowed: tests use a few KiB to cross block boundaries with small files."""


class SettingsError(ValueError):
    """An environment variable holds a value batch scoring cannot use; the message names it."""


@dataclass(frozen=True)
class BatchSettings:
    """Batch scoring's configuration; `from_env` reads it, tests build it directly."""

    bucket: str | None = None
    queue_url: str | None = None
    block_bytes: int = 2 * MIB
    bytes_per_second: float = 5_000_000.0
    time_reserve_seconds: float = 60.0

    def __post_init__(self) -> None:
        if self.block_bytes < MIN_BLOCK_BYTES:
            raise SettingsError(
                f"BATCH_BLOCK_BYTES (--block-bytes) must be at least {MIN_BLOCK_BYTES}, "
                f"got {self.block_bytes}"
            )
        if not self.bytes_per_second > 0:
            raise SettingsError(
                f"BATCH_BYTES_PER_SECOND must be a positive number, got {self.bytes_per_second}"
            )
        if not self.time_reserve_seconds >= 0:
            raise SettingsError(
                f"BATCH_TIME_RESERVE_SECONDS must be zero or more, got {self.time_reserve_seconds}"
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> BatchSettings:
        """The settings in `environ` (default: the process environment); unset variables keep defaults."""
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            bucket=env.get("BATCH_BUCKET") or None,
            queue_url=env.get("BATCH_QUEUE_URL") or None,
            block_bytes=int(_number(env, "BATCH_BLOCK_BYTES", defaults.block_bytes, int)),
            bytes_per_second=_number(env, "BATCH_BYTES_PER_SECOND", defaults.bytes_per_second, float),
            time_reserve_seconds=_number(
                env, "BATCH_TIME_RESERVE_SECONDS", defaults.time_reserve_seconds, float
            ),
        )


def _number(env: Mapping[str, str], name: str, default: float, kind: type[int] | type[float]) -> float:
    text = env.get(name)
    if not text:
        return default
    try:
        return kind(text)
    except ValueError:
        raise SettingsError(
            f"{name} must be {'an integer' if kind is int else 'a number'}, got {text!r}"
        ) from None
