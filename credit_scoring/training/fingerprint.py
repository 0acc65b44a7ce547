"""Which data a model was trained or evaluated on: a digest of the input files. Standard library only."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path


def data_fingerprint(paths: Sequence[Path]) -> str:
    """sha256 of the input files' bytes, in sorted file-name order."""
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda path: path.name):
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()
