"""The bundle a benchmark serves: the one asked for, else the committed default, else a small one built
by tests/bundle_factory.py (so that a benchmark still runs on a tree without the default bundle)."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_BUNDLE = REPO / "model_artifacts" / "default"


def bundle_dir(requested: Path | None, scratch: Path) -> tuple[Path, str]:
    """(bundle directory, how to name it in the figures' header)."""
    if requested is not None:
        return requested, str(requested)
    if (DEFAULT_BUNDLE / "manifest.json").is_file():
        return DEFAULT_BUNDLE, str(DEFAULT_BUNDLE.relative_to(REPO))
    sys.path.insert(0, str(REPO / "tests"))
    from bundle_factory import build_test_bundle

    built = scratch / "bundle"
    build_test_bundle(built)
    return built, "a bundle from tests/bundle_factory.py (model_artifacts/default is absent)"
