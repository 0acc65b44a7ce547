"""`credit-scoring batch`: score a local CSV file exactly as the S3 trigger scores an upload.

The same code path as on Lambda (`credit_scoring.batch.pipeline.score_file`), writing beside each other
under `--out`: `scored/<name>`, `rejected/<name>` and `reports/<name>.json` (`<name>` is the input's
file name; a name ending in `.gz` gives gzip-compressed outputs). Each output is written under a
temporary name and renamed when complete. Each scored row's
decision id is derived from the input's absolute path, its MD5 and the model version
(`credit_scoring.batch.records.DecisionIds`). Rows that cannot be scored go to the rejected file with their
line and reason (exit status 0); a file that cannot be scored at all ends the command with exit status 2
and the reason, after writing its rejection.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from credit_scoring.batch.outputs import Output, Sink


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "batch",
        help="score a CSV file of applications or client ids, as the S3 trigger does",
        description=(
            "Score a CSV file (optionally gzip-compressed): Home Credit application rows as in "
            "application_test.csv, or a single SK_ID_CURR column of stored clients."
        ),
    )
    parser.add_argument("--bundle", type=Path, required=True, help="model bundle directory")
    parser.add_argument("--input", type=Path, required=True, help="the CSV or CSV.gz file to score")
    parser.add_argument("--out", type=Path, required=True, help="directory for scored/, rejected/, reports/")
    parser.add_argument(
        "--block-bytes",
        type=int,
        default=None,
        help="bytes of CSV parsed at a time (default: BATCH_BLOCK_BYTES or 2 MiB); bounds memory",
    )
    parser.add_argument(
        "--submission",
        type=Path,
        metavar="FILE",
        help="also write Kaggle's submission file (SK_ID_CURR,TARGET; TARGET the probability of default), "
        "only when every row was scored",
    )
    parser.set_defaults(run=run)


class _LocalDestination:
    """scored/<name> and rejected/<name> under the output directory, written atomically."""

    def __init__(self, out_dir: Path, name: str) -> None:
        self._out_dir = out_dir
        self._name = name

    def path(self, output: Output) -> Path:
        return self._out_dir / output / self._name

    def open(self, output: Output) -> Sink:
        from credit_scoring.batch.keys import GZIP_SUFFIX
        from credit_scoring.batch.outputs import CheckedSink, FileSink, compressed_if
        from credit_scoring.cli import raise_if_stopped

        # Each block written checks for a stop whose exception was swallowed: the run then ends there.
        sink = compressed_if(self._name.endswith(GZIP_SUFFIX), FileSink(self.path(output)))
        return CheckedSink(sink, raise_if_stopped)


def _md5(path: Path) -> str:
    """The file's MD5, hex: its version in the rows' decision ids (the ETag of a one-part S3 upload)."""
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def run(args: argparse.Namespace) -> int:
    from credit_scoring.cli import CommandError

    if not args.input.is_file():
        raise CommandError(f"--input {args.input}: not a file")
    if not args.bundle.is_dir():
        raise CommandError(f"--bundle {args.bundle}: not a directory (a model bundle holds manifest.json)")

    from credit_scoring.batch.config import BatchSettings, SettingsError
    from credit_scoring.batch.outputs import FileSink
    from credit_scoring.batch.pipeline import score_file
    from credit_scoring.batch.records import DecisionIds, run_name
    from credit_scoring.batch.reports import file_report, now
    from credit_scoring.batch.scoring import BatchScorer
    from credit_scoring.bundle.errors import BundleError
    from credit_scoring.bundle.loader import load_bundle

    try:
        settings = BatchSettings.from_env()
        if args.block_bytes is not None:
            settings = replace(settings, block_bytes=args.block_bytes)
    except SettingsError as error:
        raise CommandError(str(error)) from None
    try:
        # Loading verifies the files; the scorer then refuses a bundle the API would refuse (application
        # features this code version does not compute): both are bundle problems, not crashes.
        scorer = BatchScorer(load_bundle(args.bundle))
    except BundleError as error:
        raise CommandError(f"--bundle {args.bundle}: {error.file}: {error.reason}") from None

    destination = _LocalDestination(args.out, args.input.name)
    started = now()
    decision_ids = DecisionIds(run_name(str(args.input.resolve()), _md5(args.input), scorer.model_version))
    try:
        outcome = score_file(
            lambda: args.input.open("rb"), destination, scorer, settings.block_bytes, decision_ids
        )
    except BundleError as error:  # a store block read while scoring fails its digest: no output written
        raise CommandError(f"--bundle {args.bundle}: {error.file}: {error.reason}") from None
    report = file_report(
        source={"path": str(args.input), "size": args.input.stat().st_size},
        model_version=scorer.model_version,
        outcome=outcome,
        outputs={output: str(destination.path(output)) for output in ("scored", "rejected")},
        output_versions=None,
        parts=1,
        started=started,
        finished=now(),
    )
    report_path = args.out / "reports" / f"{args.input.name}.json"
    with FileSink(report_path) as sink:
        sink.write(json.dumps(report, indent=1, sort_keys=True).encode("utf-8") + b"\n")
    if outcome.file_error is not None:
        raise CommandError(f"--input {args.input}: {outcome.file_error} (see {destination.path('rejected')})")
    print(
        f"{report['input_rows']} rows: {report['scored']} scored -> {destination.path('scored')}, "
        f"{report['rejected']} rejected -> {destination.path('rejected')}; report {report_path}"
    )
    if args.submission is not None:
        if report["rejected"]:
            raise CommandError(
                f"--submission {args.submission}: not written, {report['rejected']} rows were rejected (see "
                f"{destination.path('rejected')}); a submission needs a probability for every applicant"
            )
        write_submission(destination.path("scored"), args.submission)
        print(f"Kaggle submission ({report['scored']} rows) -> {args.submission}")
    return 0


def write_submission(scored: Path, submission: Path) -> None:
    """Kaggle's submission format from a scored output: SK_ID_CURR and the probability as TARGET, in the
    input's order, written under a temporary name and renamed when complete."""
    import csv
    import gzip
    import io

    from credit_scoring.batch.outputs import FileSink

    opener = gzip.open if scored.name.endswith(".gz") else open
    with opener(scored, "rt", newline="", encoding="utf-8") as source, FileSink(submission) as sink:
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(("SK_ID_CURR", "TARGET"))
        for row in csv.DictReader(source):
            writer.writerow((row["SK_ID_CURR"], row["probability"]))
            if text.tell() >= 1 << 20:
                sink.write(text.getvalue().encode("utf-8"))
                text.seek(0)
                text.truncate()
        sink.write(text.getvalue().encode("utf-8"))
