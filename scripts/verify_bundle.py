"""Check a model bundle against its manifest before it is packaged or published.

Run by the model layer's build (layers/model/Makefile) and before `aws s3 sync` of a new version
(docs/operations.md), so that a bundle with a missing, changed or unlisted file is refused there
rather than answering 503 to every request after a deploy. Needs only the standard library and the
`credit_scoring.bundle` manifest and integrity modules (no numpy).

    python scripts/verify_bundle.py model_artifacts/default
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from credit_scoring.bundle.errors import BundleError
from credit_scoring.bundle.integrity import verify_files
from credit_scoring.bundle.manifest import read_manifest


def main(argv: Sequence[str] | None = None) -> int:
    """Exit 0 and print the model version when the bundle is intact, else 1 naming the faulty file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path, help="bundle directory (holds manifest.json)")
    args = parser.parse_args(argv)
    try:
        manifest = read_manifest(args.bundle)
        verify_files(args.bundle, manifest)
    except BundleError as error:
        print(f"bundle {args.bundle} is not servable: {error.file}: {error.reason}", file=sys.stderr)
        return 1
    print(f"bundle {args.bundle}: model {manifest.model_version}, {len(manifest.files)} files verified")
    return 0


if __name__ == "__main__":
    sys.exit(main())
