"""`credit-scoring evaluate --bundle DIR --data DIR`: measure a bundle's decisions on labelled clients.

The clients are scored by the serving scorer (what the API answers). A human summary comes first; the
last line of stdout is one JSON object with at least auc, business_cost (per client), threshold and n,
plus the confusion matrix, precision and recall. Exits 2 with a message naming the file at fault when
the bundle does not verify or the data cannot be used.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="score labelled data with a bundle's serving model; last line of output is JSON",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument("--bundle", type=Path, required=True, metavar="DIR", help="bundle directory")
    parser.add_argument(
        "--data",
        type=Path,
        required=True,
        metavar="DIR",
        help="directory with application_train.csv (TARGET included) and optional history tables",
    )
    parser.add_argument(
        "--application-only",
        action="store_true",
        help="read application_train alone, ignoring history tables in the directory",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from credit_scoring.bundle.errors import BundleError
    from credit_scoring.cli import CommandError
    from credit_scoring.data import DataError
    from credit_scoring.training.errors import TrainingError, data_error_message
    from credit_scoring.training.evaluate import evaluate, summary_lines

    try:
        result = evaluate(args.bundle, args.data, application_only=args.application_only)
    except BundleError as error:
        raise CommandError(f"bundle {args.bundle}: {error}") from None
    except DataError as error:
        raise CommandError(data_error_message(error)) from None
    except TrainingError as error:
        raise CommandError(str(error)) from None
    for line in summary_lines(result):
        print(line)
    print(json.dumps(result, allow_nan=False))
    return 0
