"""S3 as batch scoring uses it: one identified version of an input, byte ranges of it, small JSON objects.

Every read of an input names the ETag it was planned for (`IfMatch`), so a file replaced while it is
being scored is never half old, half new: the read fails with `SourceChangedError` and the newer upload's
own event scores it. Errors other than "not found" and "changed" are left to propagate: they are
transient (S3 unavailable, throttled) and the caller's retry (S3's asynchronous retries, SQS
redelivery) is the right answer to them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from botocore.exceptions import ClientError

from credit_scoring.batch.keys import BatchKeys
from credit_scoring.batch.outputs import Output, S3Sink, Sink, compressed_if

CSV_TYPE: Final = "text/csv; charset=utf-8"
GZIP_TYPE: Final = "application/gzip"
JSON_TYPE: Final = "application/json"
SOURCE_ETAG_METADATA: Final = "source-etag"
"""Metadata of a report: the ETag of the input it reports on (read with one HEAD request)."""
_NOT_FOUND: Final = frozenset({"404", "NoSuchKey", "NotFound"})
_DELETE_BATCH: Final = 1000


class SourceChangedError(Exception):
    """The input was replaced or deleted since its processing was planned."""


@dataclass(frozen=True)
class SourceObject:
    """One version of an input object, as HeadObject describes it."""

    bucket: str
    key: str
    etag: str
    size: int
    version_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "bucket": self.bucket,
            "key": self.key,
            "etag": self.etag,
            "size": self.size,
            "version_id": self.version_id,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SourceObject:
        return cls(data["bucket"], data["key"], data["etag"], int(data["size"]), data.get("version_id"))


def same_etag(a: str, b: str) -> bool:
    """ETags compare without their quotes (S3 events carry them bare, HeadObject quoted)."""
    return a.strip('"') == b.strip('"')


def _not_found(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in _NOT_FOUND


def head(client: Any, bucket: str, key: str) -> SourceObject | None:
    """The current version of an object, None when there is none."""
    try:
        answer = client.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if _not_found(error):
            return None
        raise
    return SourceObject(bucket, key, answer["ETag"], int(answer["ContentLength"]), answer.get("VersionId"))


def open_range(client: Any, source: SourceObject, first: int = 0, last: int | None = None) -> Any:
    """A stream of bytes `first` to `last` (inclusive; None: to the end) of exactly this version."""
    arguments: dict[str, Any] = {"Bucket": source.bucket, "Key": source.key, "IfMatch": source.etag}
    if first or last is not None:
        arguments["Range"] = f"bytes={first}-{'' if last is None else last}"
    try:
        return client.get_object(**arguments)["Body"]
    except ClientError as error:
        if _not_found(error) or error.response.get("Error", {}).get("Code") == "PreconditionFailed":
            raise SourceChangedError(f"{source.key} changed or disappeared since it was planned") from None
        raise


def metadata(client: Any, bucket: str, key: str) -> dict[str, str] | None:
    """An object's user metadata, None when the object does not exist."""
    try:
        return dict(client.head_object(Bucket=bucket, Key=key).get("Metadata", {}))
    except ClientError as error:
        if _not_found(error):
            return None
        raise


def report_exists(
    client: Any, bucket: str, report_key: str, source: SourceObject, model_version: str
) -> bool:
    """Whether a report on exactly this version of the input, scored by this model version, has been
    written (its outputs with it). The ETag is read from the report's metadata (one HEAD request); only
    when it matches is the report itself read for the model version it records."""
    found = metadata(client, bucket, report_key)
    if found is None or not same_etag(found.get(SOURCE_ETAG_METADATA, ""), source.etag):
        return False
    try:
        report = get_json(client, bucket, report_key)
    except ClientError as error:
        if _not_found(error):
            return False
        raise
    return isinstance(report, dict) and report.get("model_version") == model_version


def _json_body(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, indent=1, sort_keys=True).encode("utf-8") + b"\n"


def put_json(
    client: Any, bucket: str, key: str, payload: Mapping[str, Any], metadata: Mapping[str, str] | None = None
) -> None:
    client.put_object(
        Bucket=bucket,
        Key=key,
        Body=_json_body(payload),
        ContentType=JSON_TYPE,
        Metadata=dict(metadata or {}),
    )


def create_json(client: Any, bucket: str, key: str, payload: Mapping[str, Any]) -> bool:
    """Write a JSON object unless `key` exists (S3 conditional write); True when this call created it."""
    try:
        client.put_object(
            Bucket=bucket,
            Key=key,
            Body=_json_body(payload),
            ContentType=JSON_TYPE,
            IfNoneMatch="*",
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in (
            "PreconditionFailed",
            "ConditionalRequestConflict",
        ):
            return False
        raise
    return True


def get_json(client: Any, bucket: str, key: str) -> Any:
    return json.loads(client.get_object(Bucket=bucket, Key=key)["Body"].read())


def list_keys(client: Any, bucket: str, prefix: str) -> list[str]:
    """Every key under `prefix`."""
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return [item["Key"] for page in pages for item in page.get("Contents", ())]


def delete_keys(client: Any, bucket: str, keys: Iterable[str]) -> None:
    """Delete objects (deleting one that is already gone is not an error)."""
    keys = list(keys)
    for start in range(0, len(keys), _DELETE_BATCH):
        batch = keys[start : start + _DELETE_BATCH]
        client.delete_objects(
            Bucket=bucket, Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True}
        )


class S3Destination:
    """The scored and rejected objects of one input, gzip-compressed when its name ends in `.gz`.

    The two objects cannot be replaced in one step, so a reader of their keys may see one run's scored
    object beside another's rejected one (while a re-run writes them, or after it failed between them).
    The report is the commit point: written after both, it names the version of each (`published`),
    and a reader that fetches those versions always gets the pair of one run."""

    def __init__(self, client: Any, bucket: str, keys: BatchKeys) -> None:
        self._client = client
        self._bucket = bucket
        self._keys = keys
        self._sinks: dict[Output, S3Sink] = {}

    def open_encoded(self, output: Output) -> S3Sink:
        """A sink taking bytes already in the output's encoding (gzip members for a `.gz` name)."""
        key = self._keys.scored if output == "scored" else self._keys.rejected
        content_type = GZIP_TYPE if self._keys.compressed else CSV_TYPE
        sink = self._sinks[output] = S3Sink(self._client, self._bucket, key, content_type=content_type)
        return sink

    def open(self, output: Output) -> Sink:
        return compressed_if(self._keys.compressed, self.open_encoded(output))

    def published(self) -> dict[str, dict[str, str | None]]:
        """The version and ETag of each output this destination last committed, by output name."""
        return {output: sink.published for output, sink in self._sinks.items() if sink.published is not None}
