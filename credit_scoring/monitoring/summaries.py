"""Where the latest monitoring summaries are, and how the API reads them.

The scheduled sum of the request windows writes `monitoring/drift/requests/latest.json`
(`batch.request_drift`), an outcomes upload `monitoring/performance/latest.json` (`batch.outcomes`).
The API's model-health route reads them, from

- MONITORING_SUMMARY_DIR, a local directory holding the same keys (`credit-scoring monitor
  --summary-dir` writes them there, for `make run`), when it is set;
- else MONITORING_BUCKET (the template sets it on Lambda), with boto3 imported on the first read;
- else nowhere: there is no monitoring data yet.

A summary not written yet is None; one that cannot be read raises SummaryUnavailableError naming it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

REQUESTS_DRIFT_PREFIX: Final = "monitoring/drift/requests/"
REQUESTS_DRIFT_LATEST: Final = f"{REQUESTS_DRIFT_PREFIX}latest.json"
PERFORMANCE_PREFIX: Final = "monitoring/performance/"
PERFORMANCE_LATEST: Final = f"{PERFORMANCE_PREFIX}latest.json"


class SummaryUnavailableError(RuntimeError):
    """A summary exists but cannot be read (S3 refused, the file is not JSON); the message names it."""


class SummaryStore:
    """The latest summaries of one place: a local directory, a bucket, or none."""

    def __init__(self, directory: Path | None = None, bucket: str | None = None) -> None:
        self.directory = directory
        self.bucket = bucket
        self._client: Any = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> SummaryStore:
        env = os.environ if environ is None else environ
        directory = env.get("MONITORING_SUMMARY_DIR")
        return cls(Path(directory) if directory else None, env.get("MONITORING_BUCKET") or None)

    @property
    def source(self) -> str:
        """ "directory", "s3" or "none": where the summaries are read from."""
        return "directory" if self.directory else "s3" if self.bucket else "none"

    def latest(self, key: str) -> dict[str, Any] | None:
        """The summary at `key`, None when none was written yet."""
        text = self._read(key)
        if text is None:
            return None
        try:
            data = json.loads(text)
        except ValueError:
            raise SummaryUnavailableError(f"{key} is not JSON") from None
        if not isinstance(data, dict):
            raise SummaryUnavailableError(f"{key} is not a JSON object")
        return data

    def _read(self, key: str) -> bytes | None:
        if self.directory is not None:
            path = self.directory / key
            try:
                return path.read_bytes()
            except FileNotFoundError:
                return None
            except OSError as error:
                raise SummaryUnavailableError(f"{key} cannot be read ({error.strerror})") from None
        if self.bucket is None:
            return None
        if self._client is None:
            import boto3

            self._client = boto3.client("s3")
        try:
            return self._client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except self._client.exceptions.NoSuchKey:
            return None
        except Exception as error:  # S3 refused or is unreachable: said so, with the key
            raise SummaryUnavailableError(f"{key} cannot be read from S3 ({type(error).__name__})") from None

    def write(self, key: str, summary: Mapping[str, Any]) -> Path:
        """Write a summary into the local directory (the `monitor` command's demo data)."""
        if self.directory is None:
            raise ValueError("only a local directory of summaries can be written here")
        path = self.directory / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(summary, allow_nan=False) + "\n", encoding="utf-8")
        return path
