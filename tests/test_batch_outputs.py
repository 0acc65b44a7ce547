"""Outputs appear complete or not at all (S3 multipart uploads, local files), under deterministic keys."""

from __future__ import annotations

import gzip
import itertools
import os
from pathlib import Path
from typing import Any

import boto3
import pytest

from credit_scoring.batch.config import INCOMING_PREFIX, BatchSettings, SettingsError
from credit_scoring.batch.fanout import MAX_PARTS, Budget, plan_ranges
from credit_scoring.batch.keys import BatchKeys, result_key
from credit_scoring.batch.outputs import PART_BYTES, CheckedSink, FileSink, GzipSink, S3Sink, gzip_member

BUCKET = "batch-outputs-test"
MIB = 1024 * 1024


@pytest.fixture
def s3(mocked_aws: None) -> Any:
    client = boto3.client("s3")
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
    return client


def written_in_pieces(sink: S3Sink | FileSink | GzipSink, data: bytes, piece: int = 700_000) -> None:
    for start in range(0, len(data), piece):
        sink.write(data[start : start + piece])


def test_a_large_output_is_uploaded_in_parts_and_appears_whole(s3: Any) -> None:
    data = os.urandom(2 * PART_BYTES + 3 * MIB)
    with S3Sink(s3, BUCKET, "batch/scored/big.csv", content_type="text/csv") as sink:
        written_in_pieces(sink, data)
        assert "Contents" not in s3.list_objects_v2(Bucket=BUCKET)  # nothing visible before commit
        assert len(s3.list_multipart_uploads(Bucket=BUCKET)["Uploads"]) == 1
    answer = s3.get_object(Bucket=BUCKET, Key="batch/scored/big.csv")
    assert answer["Body"].read() == data
    assert sink.published is not None
    assert sink.published["etag"] == answer["ETag"]
    assert answer["ETag"].endswith('-3"')  # three parts
    assert answer["ContentType"] == "text/csv"


def test_a_failure_leaves_neither_object_nor_upload_and_keeps_the_previous_version(s3: Any) -> None:
    s3.put_object(Bucket=BUCKET, Key="batch/scored/a.csv", Body=b"previous run\n")
    sink = S3Sink(s3, BUCKET, "batch/scored/a.csv", content_type="text/csv")
    with pytest.raises(RuntimeError, match="scoring failed"), sink:  # noqa: PT012 - fails mid-write
        written_in_pieces(sink, os.urandom(PART_BYTES + MIB))
        raise RuntimeError("scoring failed")
    assert s3.get_object(Bucket=BUCKET, Key="batch/scored/a.csv")["Body"].read() == b"previous run\n"
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=BUCKET)


def test_a_small_output_is_one_put(s3: Any) -> None:
    with S3Sink(s3, BUCKET, "batch/rejected/a.csv", content_type="text/csv", metadata={"k": "v"}) as sink:
        sink.write(b"line,SK_ID_CURR,reason\n")
    answer = s3.get_object(Bucket=BUCKET, Key="batch/rejected/a.csv")
    assert answer["Body"].read() == b"line,SK_ID_CURR,reason\n"
    assert answer["Metadata"] == {"k": "v"}
    assert "-" not in answer["ETag"]


def test_a_local_file_is_renamed_into_place_only_when_complete(tmp_path: Path) -> None:
    target = tmp_path / "scored" / "a.csv"
    with pytest.raises(RuntimeError), FileSink(target) as sink:  # noqa: PT012
        sink.write(b"half")
        raise RuntimeError
    assert list(tmp_path.rglob("*")) == [tmp_path / "scored"]
    with FileSink(target) as sink:
        sink.write(b"whole\n")
    assert target.read_bytes() == b"whole\n"
    assert [path.name for path in target.parent.iterdir()] == ["a.csv"]


@pytest.mark.parametrize("stopped_after_writes", [1, 2], ids=["between-writes", "before-commit"])
def test_a_checked_output_whose_check_raises_is_discarded(tmp_path: Path, stopped_after_writes: int) -> None:
    writes = 0

    def check() -> None:
        if writes >= stopped_after_writes:
            raise KeyboardInterrupt

    def write_two_rows() -> None:
        nonlocal writes
        with CheckedSink(FileSink(tmp_path / "scored.csv"), check) as sink:
            for row in (b"a\n", b"b\n"):
                sink.write(row)
                writes += 1

    with pytest.raises(KeyboardInterrupt):
        write_two_rows()
    assert list(tmp_path.iterdir()) == []


def test_gzip_outputs_are_deterministic_and_concatenate(tmp_path: Path) -> None:
    data = b"SK_ID_CURR,probability\n" + b"100002,0.25\n" * 10_000
    paths = [tmp_path / "one.csv.gz", tmp_path / "two.csv.gz"]
    for path in paths:
        with GzipSink(FileSink(path)) as sink:
            written_in_pieces(sink, data, piece=1000)
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert gzip.decompress(paths[0].read_bytes()) == data
    assert gzip.decompress(gzip_member(b"header\n") + paths[0].read_bytes()) == b"header\n" + data


def test_output_keys_follow_the_input_key() -> None:
    keys = BatchKeys.for_input("batch/incoming/2026/11/portfolio.csv.gz")
    assert keys is not None
    assert keys.name == "2026/11/portfolio.csv.gz"
    assert keys.compressed
    assert (keys.scored, keys.rejected, keys.report) == (
        "batch/scored/2026/11/portfolio.csv.gz",
        "batch/rejected/2026/11/portfolio.csv.gz",
        "batch/reports/2026/11/portfolio.csv.gz.json",
    )
    parts = keys.parts('"9b2cf535f27731c974343645a3985328"', "v1")
    assert parts.prefix == "batch/parts/2026/11/portfolio.csv.gz/9b2cf535f27731c974343645a3985328/v1/"
    assert parts.report_index(parts.report(7)) == 7
    assert parts.report_index(parts.scored(7)) is None
    assert parts.report_index(parts.plan) is None
    outputs = [keys.scored, keys.rejected, keys.report, parts.plan, parts.staged_source, parts.report(0)]
    assert not any(key.startswith(INCOMING_PREFIX) for key in outputs)


@pytest.mark.parametrize(
    "key", ["batch/scored/a.csv", "other/incoming/a.csv", "batch/incoming/", "batch/incoming/2026/"]
)
def test_keys_that_are_not_input_files_have_no_outputs(key: str) -> None:
    assert BatchKeys.for_input(key) is None


def test_a_correlation_id_must_be_safe_in_a_key() -> None:
    assert result_key("7f3c2a9e-5b1d:4c8e.9a6f_2d4b") == "batch/results/7f3c2a9e-5b1d:4c8e.9a6f_2d4b.json"
    for unsafe in ("", "../reports/a", "a/b", "x" * 129, "-leading-dash"):
        with pytest.raises(ValueError, match="correlation id"):
            result_key(unsafe)


def test_settings_come_from_the_environment_and_bad_values_are_named() -> None:
    settings = BatchSettings.from_env({"BATCH_BLOCK_BYTES": "4096", "BATCH_QUEUE_URL": "https://q"})
    assert (settings.block_bytes, settings.queue_url, settings.bucket) == (4096, "https://q", None)
    with pytest.raises(SettingsError, match="BATCH_BYTES_PER_SECOND must be a number, got 'fast'"):
        BatchSettings.from_env({"BATCH_BYTES_PER_SECOND": "fast"})
    with pytest.raises(SettingsError, match="BATCH_BYTES_PER_SECOND must be a positive number"):
        BatchSettings.from_env({"BATCH_BYTES_PER_SECOND": "0"})


@pytest.mark.parametrize(
    ("start", "size", "part_bytes"), [(100, 100_000, 7_000), (10, 11, 5), (50, 50, 10), (1, 10**9, 1)]
)
def test_fan_out_ranges_cover_the_data_once_within_the_part_budget(
    start: int, size: int, part_bytes: int
) -> None:
    ranges = plan_ranges(start, size, part_bytes)
    assert ranges[0][0] == start
    assert ranges[-1][1] == size
    assert all(end == next_start for (_, end), (next_start, _) in itertools.pairwise(ranges))
    assert len(ranges) <= MAX_PARTS
    if len(ranges) < MAX_PARTS:
        assert all(end - begin <= part_bytes for begin, end in ranges)


def test_a_budget_plans_parts_for_half_the_time_left() -> None:
    settings = BatchSettings(bytes_per_second=1_000_000, time_reserve_seconds=60)
    budget = Budget.of(900_000, settings)
    assert budget.fits(840_000_000)
    assert not budget.fits(840_000_001)
    assert budget.part_bytes() == 420_000_000
