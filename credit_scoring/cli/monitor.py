"""`credit-scoring monitor`: drift and realised performance of a bundle on files of applications.

Each CSV file (`--data`: a file, or the *.csv and *.csv.gz files of a directory) is scored through the
batch pipeline, as the S3 trigger scores it, its drift counted against the bundle's reference; with
`--outcomes` (monitoring/outcomes.py: SK_ID_CURR,outcome,date) the decisions are joined with the
outcomes for AUC, Gini, default rate, ECE and business cost by month. Prints the report (its last line
is JSON) and writes it as markdown to `--report`. With `--summary-dir`, it also writes the drift and the
performance there as the deployed monitoring writes its latest summaries (`monitoring.summaries`), for
the dashboard's model-health view of a local `credit-scoring serve` (MONITORING_SUMMARY_DIR).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from pathlib import Path
from typing import Any

from credit_scoring.cli import CommandError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "monitor",
        help="drift from the training population, and realised performance when outcomes are given",
    )
    parser.add_argument("--bundle", type=Path, required=True, help="model bundle directory")
    parser.add_argument("--data", type=Path, required=True, help="a CSV file of applications, or a directory")
    parser.add_argument("--outcomes", type=Path, help="CSV of SK_ID_CURR,outcome,date (docs/batch.md)")
    parser.add_argument(
        "--report", type=Path, default=Path("monitoring-report.md"), help="markdown report to write"
    )
    parser.add_argument(
        "--summary-dir",
        type=Path,
        help="also write the latest summaries here, for the dashboard (serve with MONITORING_SUMMARY_DIR)",
    )
    parser.set_defaults(run=run)


class _Kept:
    """A sink keeping its bytes (never compressed): the scored rows, read back for the outcomes' join."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()

    def write(self, data: bytes) -> None:
        self.buffer.write(data)

    def __enter__(self) -> _Kept:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class _Memory:
    def __init__(self) -> None:
        self.outputs: dict[str, _Kept] = {}

    def open(self, output: str) -> _Kept:
        self.outputs[output] = _Kept()
        return self.outputs[output]


def _files(data: Path) -> list[Path]:
    if data.is_file():
        return [data]
    if data.is_dir():
        files = sorted([*data.glob("*.csv"), *data.glob("*.csv.gz")])
        if files:
            return files
        raise CommandError(f"--data {data}: no .csv or .csv.gz file in the directory")
    raise CommandError(f"--data {data}: no such file or directory")


def _write_summaries(
    directory: Path,
    model_version: str,
    files: list[str],
    drift: Any,
    performance: dict[str, Any] | None,
    outcomes: Path | None,
) -> list[str]:
    """The drift and performance as the deployed summaries are written; returns a line per file."""
    from datetime import UTC, datetime

    from credit_scoring.monitoring.summaries import PERFORMANCE_LATEST, REQUESTS_DRIFT_LATEST, SummaryStore

    store = SummaryStore(directory=directory)
    computed_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    written = []
    if drift is not None:
        summary = {
            "model_version": model_version,
            "computed_at": computed_at,
            "files": files,
            "decisions": drift.n,
            "applications": max((variable.n for variable in drift.inputs), default=0),
            "drift": drift.to_json(),
        }
        written.append(store.write(REQUESTS_DRIFT_LATEST, summary))
    if performance is not None:
        report = {
            "status": "joined",
            "source": {"key": str(outcomes)},
            "performance": performance,
            "model_version": model_version,
            "computed_at": computed_at,
        }
        written.append(store.write(PERFORMANCE_LATEST, report))
    return [f"summary -> {path}" for path in written]


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from credit_scoring.batch.config import BatchSettings
    from credit_scoring.batch.pipeline import score_file
    from credit_scoring.batch.scoring import BatchScorer
    from credit_scoring.bundle.errors import BundleError
    from credit_scoring.bundle.loader import load_bundle
    from credit_scoring.monitoring.drift import DriftMonitor, summary_lines
    from credit_scoring.monitoring.outcomes import OutcomesError, read_outcomes
    from credit_scoring.monitoring.performance import Decisions, performance_by_month
    from credit_scoring.monitoring.report import markdown, performance_lines

    files = _files(args.data)
    outcomes = None
    if args.outcomes is not None:
        try:
            outcomes = read_outcomes(args.outcomes.read_text(encoding="utf-8"), str(args.outcomes))
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"--outcomes {args.outcomes}: cannot be read ({error})") from None
        except OutcomesError as error:
            raise CommandError(str(error)) from None
    try:
        bundle = load_bundle(args.bundle)
        scorer = BatchScorer(bundle)
    except BundleError as error:
        raise CommandError(f"--bundle {args.bundle}: {error.file}: {error.reason}") from None
    monitor = None if scorer.reference is None else DriftMonitor(scorer.reference)
    ids: list[int] = []
    probabilities: list[float] = []
    predictions: list[int] = []
    for path in files:
        destination = _Memory()
        outcome = score_file(
            lambda path=path: path.open("rb"),
            destination,
            scorer,
            BatchSettings().block_bytes,
            monitor=monitor,
        )
        if outcome.file_error is not None:
            raise CommandError(f"--data {path}: {outcome.file_error}")
        scored = destination.outputs["scored"].buffer.getvalue()
        for row in csv.DictReader(io.StringIO(scored.decode("utf-8"))):
            ids.append(int(row["SK_ID_CURR"]))
            probabilities.append(float(row["probability"]))
            predictions.append(int(row["prediction"]))
    drift = None if monitor is None else monitor.summary()
    performance = None
    if outcomes is not None:
        decisions = Decisions(np.array(ids, dtype=np.int64), np.array(probabilities), np.array(predictions))
        performance = performance_by_month(decisions, outcomes, bundle.manifest.cost)
    lines = [] if drift is None else summary_lines(drift)
    lines += [] if performance is None else performance_lines(performance)
    names = [str(path) for path in files]
    args.report.write_text(markdown(scorer.model_version, names, drift, performance), encoding="utf-8")
    if args.summary_dir is not None:
        lines += _write_summaries(
            args.summary_dir, scorer.model_version, names, drift, performance, args.outcomes
        )
    result: dict[str, Any] = {
        "model_version": scorer.model_version,
        "files": names,
        "rows_scored": len(ids),
        "drift": None if drift is None else drift.to_json(),
        "performance": performance,
        "report": str(args.report),
    }
    print("\n".join([*lines, f"report -> {args.report}", json.dumps(result)]))
    return 0
