"""`credit-scoring validate --data DIR`: check a directory of Kaggle tables before training on it.

Prints every problem, one per line on stdout (their count on stderr), and exits 0 when the data is
clean, 1 when problems were found, 2 when the directory cannot be used at all. Notices (history rows of
clients outside application_train, orphan monthly rows, files that are no table) are printed too,
prefixed "notice:"; they are how Kaggle's download is shaped, not faults.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from credit_scoring import schema


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check the Kaggle tables of a directory (columns, dtypes, keys, TARGET, plausible values)",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument(
        "--data", type=Path, required=True, metavar="DIR", help="directory of the Kaggle CSV files"
    )
    parser.add_argument(
        "--unlabelled",
        action="store_true",
        help=f"check {schema.APPLICATION_TEST}.csv (no TARGET) instead of {schema.APPLICATION}.csv",
    )
    parser.add_argument(
        "--application-only",
        action="store_true",
        help="check the application table only, not the history tables",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from credit_scoring.cli import CommandError
    from credit_scoring.data import DataError, inspect_tables

    application = schema.APPLICATION_TEST if args.unlabelled else schema.APPLICATION
    try:
        inspection = inspect_tables(
            args.data,
            application=application,
            history=not args.application_only,
            progress=lambda line: print(line, file=sys.stderr, flush=True),
        )
    except DataError as error:
        raise CommandError(str(error)) from None
    for notice in inspection.notices():
        print(f"notice: {notice}")
    problems = inspection.problems
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found in {args.data}", file=sys.stderr)
        return 1
    print(f"{args.data}: no problem found")
    return 0
