"""`credit-scoring synth --clients N --seed S --out DIR`: write a synthetic set of the seven Kaggle tables.

The clients, their defaults and their credit histories are drawn from aggregate statistics of the
real Home Credit sample (see `credit_scoring.synth`); the same seed always writes the same bytes.
The directory appears only once every file is complete. Exits 2 with a message on bad options or an
unusable output directory.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "synth",
        help="write synthetic Home Credit tables (all seven, linked, Kaggle columns)",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument("--clients", type=int, required=True, metavar="N", help="number of clients")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="directory to create")
    parser.add_argument(
        "--volume",
        choices=("light", "kaggle"),
        default="light",
        help="light: fewer history rows per client, every row linked (default); kaggle: Kaggle's rows per "
        "client in every table, an application_test of applicants (a sixth of --clients more) and the "
        "download's unlinked rows",
    )
    parser.add_argument("--gzip", action="store_true", help="write <table>.csv.gz instead of <table>.csv")
    parser.add_argument("--overwrite", action="store_true", help="replace a non-empty --out directory")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from credit_scoring.cli import CommandError
    from credit_scoring.synth.tables import MAX_CLIENTS, applicant_count
    from credit_scoring.synth.volume import VOLUMES

    volume = VOLUMES[args.volume]
    largest = int(MAX_CLIENTS / (1.0 + volume.applicant_share))
    if args.clients < 1 or args.clients + applicant_count(args.clients, volume) > MAX_CLIENTS:
        raise CommandError(
            f"--clients must be between 1 and {largest:,} with --volume {args.volume}, not {args.clients:,}"
        )
    if args.seed < 0:
        raise CommandError(f"--seed must be a non-negative integer, not {args.seed}")
    _check_output(args.out, args.overwrite)

    from credit_scoring.synth import generate_tables, write_tables

    started = time.perf_counter()
    tables = generate_tables(args.clients, args.seed, volume)
    try:
        write_tables(tables, args.out, compress=args.gzip, overwrite=args.overwrite)
    except OSError as error:
        raise CommandError(f"cannot write {args.out}: {error.strerror or error}") from None
    for table, frame in tables.items():
        print(f"{table}: {len(frame):,} rows")
    default_rate = tables["application_train"]["TARGET"].mean()
    elapsed = time.perf_counter() - started
    print(
        f"wrote {args.out} ({args.clients:,} training clients, {default_rate:.1%} defaults; volume "
        f"{args.volume}) in {elapsed:.1f} s"
    )
    return 0


def _check_output(out: Path, overwrite: bool) -> None:
    """Refuse, before any work, an --out that cannot become the output directory."""
    from credit_scoring.cli import CommandError

    if out.exists() and not out.is_dir():
        raise CommandError(f"--out {out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise CommandError(f"--out {out} is not empty; pass --overwrite to replace it")
    parent = _existing_ancestor(out.parent)
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise CommandError(f"--out {out}: cannot create it, {parent} is not a writable directory")


def _existing_ancestor(path: Path) -> Path:
    """The nearest existing directory at or above `path` (where the output's parents would be created)."""
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path
