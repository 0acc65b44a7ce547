"""`credit-scoring train --data DIR --out DIR`: compare candidate models and write the champion's bundle.

Progress (one line per candidate) goes to stderr; the comparison table and the summary (test metrics,
fairness gaps) to stdout. Exits 2 with a message naming the file, column or option at fault when the
data or the options cannot give a sound model; the bundle directory then does not appear.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train and compare candidate models, write the champion's bundle",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument(
        "--data", type=Path, required=True, metavar="DIR", help="directory of the Kaggle CSV files"
    )
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="bundle directory to create")
    parser.add_argument(
        "--search",
        choices=("quick", "full"),
        default="quick",
        help="quick: few configurations (minutes); full: 30 per candidate (hours at Kaggle's volume)"
        " (default: quick)",
    )
    parser.add_argument(
        "--search-clients",
        type=_search_clients,
        metavar="N|all",
        help="training clients the candidates are compared on, a stratified sample (default: the plan's, "
        "20,000 for quick and 40,000 for full); the champion is then cross-validated and refitted on all",
    )
    parser.add_argument(
        "--seed", type=int, default=42, help="seed of the split, folds and search (default: 42)"
    )
    parser.add_argument(
        "--cost-fn", type=float, default=10.0, help="cost of accepting a defaulter (default: 10)"
    )
    parser.add_argument(
        "--cost-fp", type=float, default=1.0, help="cost of refusing a good client (default: 1)"
    )
    parser.add_argument(
        "--max-auc-gap",
        type=float,
        default=0.05,
        help="a candidate whose train AUC exceeds its CV AUC by more cannot be champion (default: 0.05)",
    )
    parser.add_argument(
        "--protected",
        nargs="+",
        default=["CODE_GENDER"],
        metavar="COLUMN",
        help="application columns kept out of the model, reported by group (default: CODE_GENDER)",
    )
    parser.add_argument(
        "--test-size",
        type=float,
        default=0.2,
        help="share of clients held out for the final metrics (default: 0.2)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="parallel fits during the search (default: 2, or 1 on a single core)",
    )
    parser.add_argument(
        "--application-only",
        action="store_true",
        help="read application_train alone, ignoring history tables in the directory",
    )
    parser.add_argument(
        "--store-clients",
        type=int,
        metavar="N",
        help="keep a seeded sample of N clients in the bundle's feature store (default: every client)",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace an existing bundle at --out")
    parser.set_defaults(run=run)


ALL_CLIENTS = "all"


def _search_clients(text: str) -> int | str:
    if text == ALL_CLIENTS:
        return text
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a number of clients (1 or more) or 'all', got {text!r}")
    return int(text)


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    from credit_scoring.cli import CommandError
    from credit_scoring.data import DataError
    from credit_scoring.training.candidates import SEARCH_PLANS
    from credit_scoring.training.cost import CostWeights
    from credit_scoring.training.errors import TrainingError, data_error_message
    from credit_scoring.training.export import ExportError
    from credit_scoring.training.train import TrainingOptions, summary_lines, train

    if args.jobs < 1:
        raise CommandError(f"--jobs must be 1 or more, got {args.jobs}")
    try:
        cost = CostWeights(fn=args.cost_fn, fp=args.cost_fp)
    except ValueError as error:
        raise CommandError(f"--cost-fn/--cost-fp: {error}") from None
    try:
        plan = SEARCH_PLANS[args.search]
        if args.search_clients is not None:
            every = args.search_clients == ALL_CLIENTS
            plan = dataclasses.replace(plan, search_clients=None if every else args.search_clients)
        options = TrainingOptions(
            plan=plan,
            seed=args.seed,
            cost=cost,
            max_auc_gap=args.max_auc_gap,
            protected=tuple(args.protected),
            test_size=args.test_size,
            n_jobs=args.jobs,
            application_only=args.application_only,
            overwrite=args.overwrite,
            store_clients=args.store_clients,
        )
        outcome = train(args.data, args.out, options, progress=_progress)
    except DataError as error:
        raise CommandError(data_error_message(error)) from None
    except (TrainingError, ExportError, OSError) as error:
        raise CommandError(str(error)) from None
    print(outcome.table)
    for line in summary_lines(outcome):
        print(line)
    print(f"bundle written to {args.out}")
    return 0
