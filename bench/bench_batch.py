"""Batch scoring figures: throughput through the S3 handler, the one-request-at-a-time baseline, memory.

    .venv/bin/python bench/bench_batch.py [--bundle DIR] [--rows 50000] [--runs 3] [--api-calls 2000]
                                          [--memory-rows 1000000] [--profile 25]

1. Throughput: a `--rows` application file (synthetic applications from credit_scoring.synth, a 2,000-row
   template repeated with fresh SK_ID_CURR, a third of them stored clients whose history is joined) is
   uploaded to S3 (moto, in-process) and scored by `handle_s3_event` from a real-shaped notification:
   parse, validate, features, scores, the scored/rejected/report objects written back. Median of `--runs`.
   The CPU time of the same runs is printed beside it: a wall time well above it is time spent waiting
   for a core other processes held; a CPU time above a quiet run's is the core itself slowed by them
   (shared caches, a sibling hyperthread), which no figure here removes.
   The same file through the same pipeline from a local file (no S3) is timed too, for the S3 share,
   with and without drift monitoring, `--monitoring-runs` alternating runs of each (medians): the
   monitoring's cost as a share of the file's scoring time (target ≤ 10%; the bundle needs a reference).
   `--profile N` adds one more run under cProfile and prints (to stderr) the stages' cumulative times,
   then its N most expensive functions by own time.
2. Baseline: the API's Lambda handler (functions/scoring/app.py, Mangum) called once per row with a
   real-shaped HTTP API event, as a client without batch scoring would: GET /predict/{id} (stored clients)
   and POST /predict with each row's fields. `--api-calls` calls of each are timed and the time for
   `--rows` rows is extrapolated from them (said so in the output).
3. Memory: a fresh process scores a `--memory-rows` file generated on the fly (the template repeated
   with fresh ids, streamed: never held whole) through the same pipeline into local outputs; its peak
   resident memory (ru_maxrss) is printed, with its resident memory once imports and bundle are loaded.

Targets (issue 5): at least 50,000 rows/s through the S3 handler; peak memory at most 300 MB.
Target (issue 13): drift monitoring adds at most 10% to the local pipeline's time.
The process exits non-zero when a target is missed.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import runpy
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from api_events import aimed, load_event  # noqa: E402 (tests/ is put on sys.path first, as pytest does)
from served_bundle import bundle_dir  # noqa: E402 (bench/ is on sys.path: the script's own folder)

TEMPLATE_ROWS = 2_000
TEMPLATE_FILE = "template.json"
TARGET_ROWS_PER_SECOND = 50_000
TARGET_PEAK_MB = 300
TARGET_MONITORING_SHARE = 0.10
REGION = "eu-west-3"
BUCKET = "bench-batch"


class LambdaTime:
    """The Lambda context's clock, as the batch handler asks it: a whole 15-minute invocation ahead."""

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


def template(bundle: Path) -> tuple[bytes, list[bytes], list[int]]:
    """The header, and 2,000 synthetic application lines (SK_ID_CURR first, TARGET dropped) whose ids the
    generator replaces; and the stored ids, every third row being one of them."""
    from credit_scoring import schema
    from credit_scoring.bundle.loader import load_bundle
    from credit_scoring.synth import generate_tables

    stored = load_bundle(bundle).store.ids.tolist()
    frame = generate_tables(n_clients=TEMPLATE_ROWS, seed=7)[schema.APPLICATION].drop(columns=schema.TARGET)
    text = frame.to_csv(index=False, lineterminator="\n").encode()
    header, _, body = text.partition(b"\n")
    lines = [line.partition(b",")[2] for line in body.splitlines()]  # the fields after SK_ID_CURR
    return header + b"\n", lines, stored


def client_id(i: int, stored: list[int]) -> int:
    """Row i's SK_ID_CURR: a stored client for every third row, else a new 6-digit id."""
    return stored[i % len(stored)] if i % 3 == 0 else 100_000 + (i * 7919) % 900_000


def generated_lines(n: int, lines: list[bytes], stored: list[int]) -> Iterator[bytes]:
    for i in range(n):
        yield b"%d,%s\n" % (client_id(i, stored), lines[i % len(lines)])


class GeneratedFile:
    """A readable stream of the header and n generated lines, produced as it is read."""

    def __init__(self, header: bytes, n: int, lines: list[bytes], stored: list[int]) -> None:
        self._pending = header
        self._lines = generated_lines(n, lines, stored)

    def read(self, size: int = -1) -> bytes:
        parts = [self._pending]
        length = len(self._pending)
        while size < 0 or length < size:
            line = next(self._lines, None)
            if line is None:
                break
            parts.append(line)
            length += len(line)
        data = b"".join(parts)
        cut = len(data) if size < 0 else size
        self._pending = data[cut:]
        return data[:cut]


def s3_event(key: str, size: int, etag: str) -> dict[str, Any]:
    event = json.loads((REPO / "events" / "s3-put-batch-incoming.json").read_text(encoding="utf-8"))
    item = event["Records"][0]["s3"]
    item["bucket"]["name"] = BUCKET
    item["object"].update(key=key, size=size, eTag=etag.strip('"'))
    del item["object"]["versionId"]
    return event


def through_s3_handler(
    bundle_path: Path, data: bytes, runs: int, profile: int = 0
) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds to score `data` through handle_s3_event against moto, one figure per run;
    with `profile`, one more run under cProfile, whose top `profile` functions are printed."""
    import boto3
    from moto import mock_aws

    from credit_scoring.batch.handlers import handle_s3_event
    from credit_scoring.bundle.loader import load_bundle

    bundle = load_bundle(bundle_path)
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION=REGION)
    seconds, cpu_seconds = [], []
    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        for run in range(runs + (1 if profile else 0)):
            key = f"batch/incoming/bench-{run}.csv"
            etag = s3.put_object(Bucket=BUCKET, Key=key, Body=data)["ETag"]
            event = s3_event(key, len(data), etag)
            if run == runs:
                profiled = cProfile.Profile()
                answer = profiled.runcall(handle_s3_event, event, LambdaTime(), bundle)
                print_profile(profiled, profile)
            else:
                started, cpu_started = time.perf_counter(), time.process_time()
                answer = handle_s3_event(event, LambdaTime(), bundle)
                seconds.append(time.perf_counter() - started)
                cpu_seconds.append(time.process_time() - cpu_started)
            report = json.loads(
                s3.get_object(Bucket=BUCKET, Key=f"batch/reports/bench-{run}.csv.json")["Body"].read()
            )
            if report["scored"] + report["rejected"] != report["input_rows"] or report["rejected"]:
                raise SystemExit(f"unexpected batch result: {answer}")
    return seconds, cpu_seconds


STAGES = (
    ("pipeline.py", "score_lines", "all blocks: parse to written rows"),
    ("csv_reader.py", "parse_block", "parse (line checks, pandas)"),
    ("csv_reader.py", "_read_frame", "  pandas read_csv"),
    ("validation.py", "check_rows", "validation"),
    ("scoring.py", "_score_applications", "model input, features, decisions"),
    ("application.py", "transform", "  feature definition"),
    ("scorer.py", "_contributions", "  model contributions"),
    ("scorer.py", "_decide_arrays", "  probabilities and reasons"),
    ("records.py", "__call__", "decision ids"),
    ("records.py", "scored_rows", "scored CSV formatting"),
    ("outputs.py", "commit", "S3 uploads at commit (moto)"),
)


def print_profile(profiled: cProfile.Profile, top: int) -> None:
    """The stages' cumulative times (profiler overhead included), then the `top` functions by own time;
    printed to stderr, so the figures on stdout keep their layout."""
    stats = pstats.Stats(profiled, stream=sys.stderr)
    entries = stats.stats  # type: ignore[attr-defined]  # {(file, line, name): (cc, nc, tt, ct, callers)}
    print("profile of one S3 handler run (cProfile; its overhead inflates every figure):", file=sys.stderr)
    for file_name, function, label in STAGES:
        total = sum(
            entry[3]
            for (path, _, name), entry in entries.items()
            if name == function and path.endswith(file_name)
        )
        print(f"  {label:<36} {total:6.3f} s", file=sys.stderr)
    stats.sort_stats("tottime").print_stats(top)


def through_local_pipeline(
    bundle_path: Path, data: bytes, scratch: Path, monitored: bool = True, clock: Any = time.perf_counter
) -> float:
    from credit_scoring.batch.config import BatchSettings
    from credit_scoring.batch.outputs import FileSink
    from credit_scoring.batch.pipeline import score_file
    from credit_scoring.batch.scoring import BatchScorer
    from credit_scoring.bundle.loader import load_bundle

    class Local:
        def open(self, output: str) -> FileSink:
            return FileSink(scratch / "local" / output / "bench.csv")

    scorer = BatchScorer(load_bundle(bundle_path))
    if not monitored:
        scorer.reference = None  # what a bundle without a reference gives: no drift counted
    started = clock()
    score_file(lambda: io.BytesIO(data), Local(), scorer, BatchSettings().block_bytes)
    return clock() - started


def monitoring_share(bundle_path: Path, data: bytes, scratch: Path, runs: int) -> tuple[float, float]:
    """Median CPU seconds of the local pipeline without and with drift monitoring, runs alternated so
    that both see the same load (CPU time: the wall time of a shared host moves more than the cost)."""
    without, with_monitoring = [], []
    for _ in range(runs):
        without.append(through_local_pipeline(bundle_path, data, scratch, False, time.process_time))
        with_monitoring.append(through_local_pipeline(bundle_path, data, scratch, True, time.process_time))
    return statistics.median(without), statistics.median(with_monitoring)


def api_child(bundle_path: Path, scratch: Path, calls: int) -> dict[str, float]:
    """Mean seconds per call of the API's Lambda handler, GET /predict/{id} and POST /predict with a row's
    fields (runs in a child whose stdout, the audit log, goes to /dev/null as it would to CloudWatch)."""
    import csv

    from credit_scoring import schema

    header, lines, stored = load_template(scratch)
    os.environ["MODEL_DIR"] = str(bundle_path)
    handler = runpy.run_path(str(REPO / "functions" / "scoring" / "app.py"), run_name="scoring_function")[
        "handler"
    ]
    get_events = [aimed(load_event("http-v2-get-predict.json"), f"/predict/{i}") for i in stored[:calls]]
    text = (header + b"".join(generated_lines(calls, lines, stored))).decode()
    post_events = []
    for row in csv.DictReader(io.StringIO(text)):
        fields = {
            column: value if column in schema.APPLICATION_CATEGORIES else json.loads(value)
            for column, value in row.items()
            if value != "" and column != schema.CLIENT_ID
        }
        post_events.append(
            aimed(load_event("http-v2-post-predict.json"), "/predict", "POST", json.dumps(fields))
        )
    figures = {}
    for route, events in (("get", get_events), ("post", post_events)):
        for event in events[:20]:  # warm-up
            if handler(event, None)["statusCode"] != 200:
                raise SystemExit(f"the API answered {handler(event, None)} to {route}")
        started = time.perf_counter()
        for i in range(calls):
            handler(events[i % len(events)], None)
        figures[route] = (time.perf_counter() - started) / calls
    return figures


def save_template(scratch: Path, header: bytes, lines: list[bytes], stored: list[int]) -> None:
    saved = {"header": header.decode(), "lines": [line.decode() for line in lines], "stored": stored}
    (scratch / TEMPLATE_FILE).write_text(json.dumps(saved), encoding="utf-8")


def load_template(scratch: Path) -> tuple[bytes, list[bytes], list[int]]:
    saved = json.loads((scratch / TEMPLATE_FILE).read_text(encoding="utf-8"))
    return saved["header"].encode(), [line.encode() for line in saved["lines"]], saved["stored"]


def peak_resident_mb() -> float:
    """The process's peak resident memory: VmHWM, which (unlike ru_maxrss) does not carry over the parent's
    figure into a child started with fork and exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory_child(bundle_path: Path, n: int, scratch: Path) -> dict[str, float]:
    """Score n generated rows into local files; peak and post-load resident memory (runs in a child, which
    reads the template the parent wrote rather than generating it, so only scoring is measured)."""
    from credit_scoring.batch.config import BatchSettings
    from credit_scoring.batch.outputs import FileSink
    from credit_scoring.batch.pipeline import score_file
    from credit_scoring.batch.scoring import BatchScorer
    from credit_scoring.bundle.loader import load_bundle

    saved = json.loads((scratch / TEMPLATE_FILE).read_text(encoding="utf-8"))
    header, lines, stored = (
        saved["header"].encode(),
        [line.encode() for line in saved["lines"]],
        saved["stored"],
    )
    out_dir = scratch / "memory"

    class Local:
        def open(self, output: str) -> FileSink:
            return FileSink(out_dir / output / "million.csv")

    scorer = BatchScorer(load_bundle(bundle_path))
    loaded_mb = peak_resident_mb()
    started = time.perf_counter()
    outcome = score_file(
        lambda: GeneratedFile(header, n, lines, stored), Local(), scorer, BatchSettings().block_bytes
    )
    seconds = time.perf_counter() - started
    if outcome.counts.scored != n:
        raise SystemExit(f"expected {n} scored rows, got {outcome.counts}")
    return {
        "rows": n,
        "seconds": seconds,
        "loaded_mb": loaded_mb,
        "peak_mb": peak_resident_mb(),
    }


def run_child(kind: str, bundle: Path, scratch: Path, args: argparse.Namespace) -> dict[str, float]:
    """Run this script's `kind` measurement in a fresh process; its stdout (audit lines) is discarded."""
    command = [sys.executable, __file__, "--child", kind, "--scratch", str(scratch), "--bundle", str(bundle)]
    command += ["--api-calls", str(args.api_calls), "--memory-rows", str(args.memory_rows)]
    with tempfile.TemporaryFile(mode="w+") as errors:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        if subprocess.run(command, stdout=subprocess.DEVNULL, stderr=errors, env=env, check=False).returncode:
            errors.seek(0)
            raise SystemExit(f"the {kind} measurement failed:\n" + errors.read()[-3000:])
    return json.loads((scratch / f"{kind}.json").read_text(encoding="utf-8"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path, help="bundle to score with (default: model_artifacts/default)")
    parser.add_argument("--rows", type=int, default=50_000, help="rows of the throughput file")
    parser.add_argument("--runs", type=int, default=3, help="S3 handler runs (median)")
    parser.add_argument("--api-calls", type=int, default=2_000, help="timed calls of each API route")
    parser.add_argument("--memory-rows", type=int, default=1_000_000, help="rows of the memory run (0: skip)")
    parser.add_argument(
        "--monitoring-runs", type=int, default=7, help="local runs with and without drift (0: skip)"
    )
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="profile one more S3 run, print its top N"
    )
    parser.add_argument("--child", choices=("api", "memory"), help=argparse.SUPPRESS)
    parser.add_argument("--scratch", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child is not None:
        if args.child == "api":
            figures = api_child(args.bundle, args.scratch, args.api_calls)
        else:
            figures = memory_child(args.bundle, args.memory_rows, args.scratch)
        (args.scratch / f"{args.child}.json").write_text(json.dumps(figures), encoding="utf-8")
        return 0

    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        bundle, label = bundle_dir(args.bundle, scratch)
        header, lines, stored = template(bundle)
        save_template(scratch, header, lines, stored)
        data = header + b"".join(generated_lines(args.rows, lines, stored))
        s3_runs, s3_cpu = through_s3_handler(bundle, data, args.runs, args.profile)
        local = through_local_pipeline(bundle, data, scratch)
        shares = (
            monitoring_share(bundle, data, scratch, args.monitoring_runs) if args.monitoring_runs else None
        )
        api = run_child("api", bundle, scratch, args)
        get_call, post_call = api["get"], api["post"]
        memory = run_child("memory", bundle, scratch, args) if args.memory_rows else None

    s3_seconds = statistics.median(s3_runs)
    rows_per_second = args.rows / s3_seconds
    print("command: " + " ".join([Path(sys.executable).name, *sys.argv]))
    load = os.getloadavg()[0]
    print(f"bundle: {label}; {os.cpu_count()} CPUs, load average {load:.1f}; Python {sys.version.split()[0]}")
    print(f"file: {args.rows} application rows, {len(data) / 1e6:.1f} MB")
    verdict = "ok" if rows_per_second >= TARGET_ROWS_PER_SECOND else "MISSED"
    print(
        f"S3 handler (moto): {rows_per_second:10,.0f} rows/s  median of {[round(s, 2) for s in s3_runs]} s"
        f"   target ≥ {TARGET_ROWS_PER_SECOND:,}  {verdict}"
    )
    cpu = statistics.median(s3_cpu)
    print(
        f"  its CPU time:    {args.rows / cpu:10,.0f} rows per CPU-second  median of "
        f"{[round(s, 2) for s in s3_cpu]} s (wall above CPU: time waiting for a core)"
    )
    print(f"local pipeline:    {args.rows / local:10,.0f} rows/s  ({local:.2f} s; S3 and moto take the rest)")
    for route, per_call in (("GET /predict/{id}", get_call), ("POST /predict", post_call)):
        projected = per_call * args.rows
        print(
            f"API handler, {route:<18} {per_call * 1e3:7.3f} ms/call ({args.api_calls} calls timed): "
            f"{args.rows} rows ≈ {projected:6.1f} s extrapolated; batch {projected / s3_seconds:5.1f}× faster"
        )
    cheap = True
    if shares is not None:
        unmonitored, monitored = shares
        share = monitored / unmonitored - 1.0
        cheap = share <= TARGET_MONITORING_SHARE
        print(
            f"drift monitoring:  {unmonitored:.3f} CPU-s without, {monitored:.3f} CPU-s with (medians of "
            f"{args.monitoring_runs} alternating runs): +{share:.1%}   target ≤ "
            f"{TARGET_MONITORING_SHARE:.0%}  {'ok' if cheap else 'MISSED'}"
        )
    ok = rows_per_second >= TARGET_ROWS_PER_SECOND and cheap
    if memory is not None:
        fits = memory["peak_mb"] <= TARGET_PEAK_MB
        ok &= fits
        print(
            f"memory: {memory['rows']:,} generated rows in {memory['seconds']:.0f} s "
            f"({memory['rows'] / memory['seconds']:,.0f} rows/s, local outputs); resident after imports and "
            f"bundle {memory['loaded_mb']:.0f} MB, peak {memory['peak_mb']:.0f} MB"
            f"   target ≤ {TARGET_PEAK_MB} MB  {'ok' if fits else 'MISSED'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
