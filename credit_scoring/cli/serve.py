"""`credit-scoring serve`: the scoring API and dashboard on a local port, from a bundle directory.

The same app as on Lambda (`create_app`), served by uvicorn. A bundle that cannot be loaded stops the
command with the file at fault, rather than serving 503s. uvicorn's access log is off: request paths
hold client ids, and the decision audit log already records every decision without them.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

DEFAULT_BUNDLE = Path("model_artifacts/default")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve the scoring API and the dashboard locally",
        description="Serve the scoring API (docs at /docs) and the credit officer's dashboard with uvicorn.",
    )
    parser.add_argument(
        "--bundle",
        type=Path,
        default=DEFAULT_BUNDLE,
        help=f"model bundle directory (default: {DEFAULT_BUNDLE})",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="TCP port (default: 8000)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from credit_scoring.cli import CommandError

    if not 1 <= args.port <= 65535:
        raise CommandError(f"--port must be between 1 and 65535, got {args.port}")
    if not args.bundle.is_dir():
        raise CommandError(f"--bundle {args.bundle}: not a directory (a model bundle holds manifest.json)")

    import uvicorn

    from credit_scoring.api.app import create_app
    from credit_scoring.api.sign_in import SignIn
    from credit_scoring.bundle.errors import BundleError
    from credit_scoring.bundle.loader import load_bundle

    try:
        sign_in = SignIn.from_environment(os.environ)
    except ValueError as error:
        raise CommandError(str(error)) from None
    try:
        bundle = load_bundle(args.bundle)
    except BundleError as error:
        raise CommandError(f"--bundle {args.bundle}: {error.file}: {error.reason}") from None
    app = create_app(bundle, sign_in=sign_in)
    print(f"serving model {bundle.manifest.model_version} on http://{args.host}:{args.port} (docs at /docs)")
    uvicorn.run(app, host=args.host, port=args.port, access_log=False)
    return 0
