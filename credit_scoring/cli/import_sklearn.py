"""`credit-scoring import-sklearn`: the predecessor's pickled model and feature CSV as a bundle.

Unpickling happens here, offline, once (see `credit_scoring.training.seed_import`); serving then reads
only the bundle's JSON and arrays. Notices (such as a scikit-learn version skew) go to stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import-sklearn",
        help="turn a pickled scikit-learn classifier and a feature CSV into a bundle",
        description=(
            "Import a pickled LogisticRegression (or Pipeline of scaler and linear model), an optional "
            "separate StandardScaler, and a CSV of features keyed by SK_ID_CURR into a model bundle, "
            "checked against the unpickled model on every client. Load pickles only from a trusted source."
        ),
    )
    parser.add_argument("--model", type=Path, required=True, help="joblib pickle of the classifier")
    parser.add_argument("--scaler", type=Path, help="joblib pickle of a StandardScaler applied before it")
    parser.add_argument(
        "--features", type=Path, required=True, help="CSV of SK_ID_CURR, [TARGET,] the model's features"
    )
    parser.add_argument(
        "--threshold", type=float, required=True, help="decision threshold: refused when P(default) >= it"
    )
    parser.add_argument("--out", type=Path, required=True, help="bundle directory to create")
    parser.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from credit_scoring.cli import CommandError
    from credit_scoring.training.seed_import import SeedImportError, import_sklearn

    try:
        result = import_sklearn(
            model_path=args.model,
            scaler_path=args.scaler,
            features_path=args.features,
            threshold=args.threshold,
            out_dir=args.out,
            overwrite=args.overwrite,
        )
    except SeedImportError as error:
        raise CommandError(str(error)) from None
    for notice in result.notices:
        print(f"notice: {notice}", file=sys.stderr)
    manifest = result.manifest
    check = manifest.model.export_check
    print(
        f"wrote {args.out}: model version {manifest.model_version}, {manifest.store.clients} clients, "
        f"{len(manifest.features)} features; served vs unpickled predictions differ by at most "
        f"{check.max_abs_diff:.2g} (tolerance {check.tolerance:g})"
    )
    return 0
