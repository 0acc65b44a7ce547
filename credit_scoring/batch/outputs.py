"""Outputs that appear complete or not at all: an S3 object or a local file written as a stream.

A `Sink` takes bytes as they are produced (never the whole output in memory) and publishes them on
`commit`; `abort`, or an exception inside `with sink:`, leaves nothing behind. On S3 the bytes go up as
a multipart upload whose object only exists once the upload is completed (a small output is one
PutObject at commit); locally they go to a hidden temporary file renamed over the target at commit.
The multipart upload is written here on boto3's own calls rather than through a streaming library:
atomicity is the point, and smart_open, the usual choice, has completed uploads on exceptions or at
garbage collection more than once (its issues 684, 685, 763).
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Literal

logger = logging.getLogger(__name__)

PART_BYTES: Final = 16 * 1024 * 1024
"""Multipart part size: S3's minimum is 5 MiB (but for the last part); 16 MiB bounds the buffer, and
makes the scored output of up to about 95,000 rows one PutObject, one request where a multipart upload
takes four."""
GZIP_LEVEL: Final = 6

Output = Literal["scored", "rejected"]
"""The two outputs of a file."""


class Sink:
    """A byte stream published all at once. Use as a context manager: commit on success, abort on error."""

    def write(self, data: bytes) -> None:
        raise NotImplementedError

    def commit(self) -> None:
        """Publish everything written; after it the output is complete and visible."""
        raise NotImplementedError

    def abort(self) -> None:
        """Discard everything written; nothing becomes visible. Never raises."""
        raise NotImplementedError

    def __enter__(self) -> Sink:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is None:
            self.commit()
        else:
            self.abort()


class S3Sink(Sink):
    """An S3 object written by multipart upload (or one PutObject when it fits in one part)."""

    def __init__(
        self,
        client: Any,
        bucket: str,
        key: str,
        *,
        content_type: str,
        metadata: dict[str, str] | None = None,
        part_bytes: int = PART_BYTES,
    ) -> None:
        self._client = client
        self._bucket = bucket
        self._key = key
        self._attributes: dict[str, Any] = {"ContentType": content_type, "Metadata": metadata or {}}
        self._part_bytes = part_bytes
        self._buffer = bytearray()
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []
        self.published: dict[str, str | None] | None = None
        """After commit: the `version_id` (None in a bucket without versioning) and `etag` of the object
        this sink created, which a report names so that readers fetch exactly that version."""

    def write(self, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) >= self._part_bytes:
            with memoryview(self._buffer) as view:  # one copy of the part, where a slice makes two
                part = bytes(view[: self._part_bytes])
            self._upload_part(part)
            del self._buffer[: self._part_bytes]

    def commit(self) -> None:
        try:
            if self._upload_id is None:
                answer = self._client.put_object(
                    Bucket=self._bucket, Key=self._key, Body=bytes(self._buffer), **self._attributes
                )
            else:
                if self._buffer:
                    self._upload_part(bytes(self._buffer))
                answer = self._client.complete_multipart_upload(
                    Bucket=self._bucket,
                    Key=self._key,
                    UploadId=self._upload_id,
                    MultipartUpload={"Parts": self._parts},
                )
            self.published = {"version_id": answer.get("VersionId"), "etag": answer["ETag"]}
        except BaseException:
            self.abort()
            raise
        finally:
            self._buffer = bytearray()

    def abort(self) -> None:
        self._buffer = bytearray()
        if self._upload_id is None:
            return
        upload_id, self._upload_id = self._upload_id, None
        try:
            self._client.abort_multipart_upload(Bucket=self._bucket, Key=self._key, UploadId=upload_id)
        except Exception as error:  # the bucket's lifecycle rule removes an upload left incomplete
            logger.warning("could not abort the upload of %s: %s", self._key, type(error).__name__)

    def _upload_part(self, body: bytes) -> None:
        if self._upload_id is None:
            created = self._client.create_multipart_upload(
                Bucket=self._bucket, Key=self._key, **self._attributes
            )
            self._upload_id = created["UploadId"]
        number = len(self._parts) + 1
        answer = self._client.upload_part(
            Bucket=self._bucket, Key=self._key, UploadId=self._upload_id, PartNumber=number, Body=body
        )
        part = {"ETag": answer["ETag"], "PartNumber": number}
        # boto3 adds a CRC32 checksum to each part by default; completing must then repeat it.
        part.update({name: value for name, value in answer.items() if name.startswith("Checksum")})
        self._parts.append(part)


class FileSink(Sink):
    """A local file written beside its target under a hidden temporary name, renamed over it at commit."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed by commit or abort
            dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".partial", delete=False
        )

    def write(self, data: bytes) -> None:
        self._file.write(data)

    def commit(self) -> None:
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            os.replace(self._file.name, self.path)
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        self._file.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._file.name)


def _gzip_compressor() -> Any:
    # zlib's gzip wrapper writes no time and no file name: the same rows give the same bytes (and the
    # same ETag) on every run.
    return zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)


def gzip_member(data: bytes) -> bytes:
    """`data` as one complete gzip member; members written one after another form a valid gzip file."""
    compressor = _gzip_compressor()
    return compressor.compress(data) + compressor.flush()


class GzipSink(Sink):
    """Compresses into another sink, as one gzip member (deterministic, see `gzip_member`)."""

    def __init__(self, inner: Sink) -> None:
        self._inner = inner
        self._compressor = _gzip_compressor()

    def write(self, data: bytes) -> None:
        compressed = self._compressor.compress(data)
        if compressed:
            self._inner.write(compressed)

    def commit(self) -> None:
        try:
            self._inner.write(self._compressor.flush())
        except BaseException:
            self._inner.abort()
            raise
        self._inner.commit()

    def abort(self) -> None:
        self._inner.abort()


class CheckedSink(Sink):
    """Calls `check` before each write to `inner` and before committing it: a `check` that raises (a
    stop requested) aborts the output instead."""

    def __init__(self, inner: Sink, check: Callable[[], None]) -> None:
        self._inner = inner
        self._check = check

    def write(self, data: bytes) -> None:
        self._check()
        self._inner.write(data)

    def commit(self) -> None:
        try:
            self._check()
        except BaseException:
            self._inner.abort()
            raise
        self._inner.commit()

    def abort(self) -> None:
        self._inner.abort()


def compressed_if(compress: bool, sink: Sink) -> Sink:
    """`sink`, gzip-compressing what is written to it when `compress` is true."""
    return GzipSink(sink) if compress else sink
