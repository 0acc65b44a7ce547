"""One delivery at a time per input version and model version: a lock object taken by conditional write.

S3 delivers a notification at least once, and two deliveries of one upload may run at once. Before
scoring, a delivery creates `lock.json` beside the run's parts (`PutObject` with `If-None-Match: *`:
exactly one creator succeeds); the others change nothing. The lock is deleted when its holder is done,
whether it succeeded or failed (a failure's retry must be able to take it). A holder that never returns
(an invocation that timed out) leaves it; its `expires_at` is the end of that invocation, after which a
delivery takes it over by a write conditional on the stale lock's ETag (`If-Match`), so that of two
takers exactly one wins.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any, Final

from botocore.exceptions import ClientError

from credit_scoring.batch.reports import now
from credit_scoring.batch.s3io import JSON_TYPE

_LOST: Final = frozenset({"PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey", "404"})


class RunLock:
    """The lock of one run (`key`), held for at most `seconds` by the delivery that takes it."""

    def __init__(self, s3: Any, bucket: str, key: str, seconds: float) -> None:
        self._s3 = s3
        self._bucket = bucket
        self.key = key
        self._seconds = seconds
        self._etag: str | None = None

    def acquire(self) -> bool:
        """Take the lock; False when another delivery holds it and its time is not over."""
        if self._put(IfNoneMatch="*"):
            return True
        try:
            stale = self._s3.get_object(Bucket=self._bucket, Key=self.key)
        except ClientError as error:
            if _code(error) in _LOST:  # released in the meantime: its holder is done, try once more
                return self._put(IfNoneMatch="*")
            raise
        expires_at = json.loads(stale["Body"].read()).get("expires_at", "")
        if now() < datetime.fromisoformat(expires_at):
            return False
        return self._put(IfMatch=stale["ETag"])

    def release(self) -> None:
        """Delete the lock if this delivery still holds it (never one a later delivery took over)."""
        if self._etag is None:
            return
        etag, self._etag = self._etag, None
        try:
            self._s3.delete_object(Bucket=self._bucket, Key=self.key, IfMatch=etag)
        except ClientError as error:
            if _code(error) not in _LOST:
                raise

    def _put(self, **condition: str) -> bool:
        body = {"expires_at": (now() + timedelta(seconds=self._seconds)).isoformat(timespec="milliseconds")}
        try:
            answer = self._s3.put_object(
                Bucket=self._bucket,
                Key=self.key,
                Body=json.dumps(body).encode("utf-8"),
                ContentType=JSON_TYPE,
                **condition,
            )
        except ClientError as error:
            if _code(error) in _LOST:
                return False
            raise
        self._etag = answer["ETag"]
        return True


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
