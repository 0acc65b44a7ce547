"""`credit-scoring batch` killed mid-run (SIGTERM from a scheduler, Ctrl-C) leaves no `.partial` file."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bundle_factory import build_test_bundle, random_applications

from credit_scoring import cli, schema
from credit_scoring.cli import TERMINATED_STATUS

REPO = Path(__file__).resolve().parents[1]
STARTED_WITHIN_SECONDS = 120.0


@pytest.fixture(scope="module")
def bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_test_bundle(tmp_path_factory.mktemp("signals") / "bundle", n_clients=50)


def partial_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.partial"))


@pytest.mark.parametrize(
    ("signum", "status", "said"),
    [(signal.SIGTERM, TERMINATED_STATUS, "terminated"), (signal.SIGINT, 130, "interrupted")],
    ids=["SIGTERM", "SIGINT"],
)
def test_a_command_killed_mid_run_removes_its_partial_outputs(
    bundle_dir: Path, tmp_path: Path, signum: int, status: int, said: str
) -> None:
    source = tmp_path / "portfolio.csv"
    frame = random_applications(4000, 3).drop(columns=schema.TARGET)
    source.write_bytes(frame.to_csv(index=False, lineterminator="\n").encode())
    out = tmp_path / "out"
    command = [sys.executable, "-m", "credit_scoring", "batch", "--bundle", str(bundle_dir)]
    # The smallest parse blocks make the run long enough to be caught while it writes.
    command += ["--input", str(source), "--out", str(out), "--block-bytes", "1024"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + STARTED_WITHIN_SECONDS
        while not partial_files(out) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert partial_files(out), "the command never started writing its outputs"
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    assert process.returncode == status, stderr
    assert said in stderr
    assert partial_files(out) == []
    assert not (out / "scored" / source.name).exists()


@pytest.mark.parametrize(
    ("signum", "raised"), [(signal.SIGINT, KeyboardInterrupt), (signal.SIGTERM, cli.Terminated)]
)
def test_a_stop_swallowed_where_it_was_raised_is_raised_again_where_outputs_are_written(
    signum: int, raised: type[BaseException]
) -> None:
    with cli.stop_signals():
        cli.raise_if_stopped()
        with contextlib.suppress(raised):  # what C code that clears any error does to it
            signal.raise_signal(signum)
        with pytest.raises(raised):
            cli.raise_if_stopped()
    cli.raise_if_stopped()  # a command's stop does not outlive the command


def test_a_sigint_ignored_when_the_command_starts_stays_ignored() -> None:
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with cli.stop_signals():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
