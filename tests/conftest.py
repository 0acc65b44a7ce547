"""Fixtures shared by the whole suite: where the real sample lives, and skipping when it does not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
REAL_SAMPLE_DIR = SHARED_DATA / "home-credit-sample"
LINKED_DATA_DIR = SHARED_DATA / "home-credit-linked"
SEED_MODEL_DIR = SHARED_DATA / "seed-model"
DEFAULT_BUNDLE_DIR = REPO_ROOT / "model_artifacts" / "default"


def _require(path: Path, what: str) -> Path:
    if not path.is_dir():
        pytest.skip(f"{what} is not available at {path} (../shared is absent on this machine)")
    return path


@pytest.fixture(scope="session")
def real_sample_dir() -> Path:
    """The 6,999-row real Home Credit sample; the test is skipped when ../shared is absent."""
    return _require(REAL_SAMPLE_DIR, "the real Home Credit sample")


@pytest.fixture(scope="session")
def linked_data_dir() -> Path:
    """Real rows linked as Kaggle's download is (5,000 train and 5,000 test applications, five history
    tables); the test is skipped when ../shared is absent."""
    return _require(LINKED_DATA_DIR, "the linked real Home Credit data")


@pytest.fixture(scope="session")
def seed_model_dir() -> Path:
    """The predecessor's pickled model, scaler and 100-client sample; skipped when absent."""
    return _require(SEED_MODEL_DIR, "the predecessor's model")


AWS_REGION = "eu-west-3"


@pytest.fixture
def mocked_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """AWS in-process (moto), with fake credentials and a region, so no test can reach the real AWS."""
    from moto import mock_aws

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": AWS_REGION,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield
