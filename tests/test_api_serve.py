"""`credit-scoring serve`: the same app under uvicorn, and a clear error for a bundle it cannot serve."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from bundle_factory import build_test_bundle

from credit_scoring.cli import main


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--bundle", "{tmp}/absent"], "not a directory"),
        (["--bundle", "{tmp}"], "manifest.json: is missing"),
        (["--bundle", "{tmp}", "--port", "70000"], "--port must be between 1 and 65535"),
    ],
)
def test_a_bundle_or_port_it_cannot_serve_stops_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    status = main(["serve", *(arg.format(tmp=tmp_path) for arg in argv)])

    assert status == 2
    assert message in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_serve_answers_over_http(tmp_path: Path) -> None:
    bundle = build_test_bundle(tmp_path / "bundle")
    port = _free_port()
    command = [sys.executable, "-m", "credit_scoring", "serve", "--bundle", str(bundle), "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.communicate()[0]
                assert time.monotonic() < deadline, "the server did not start within 30 s"
                time.sleep(0.2)
        refused = httpx.post(f"http://127.0.0.1:{port}/predict", json={"AMT_CREDIT": -1}, timeout=5)
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]

    assert health.status_code == 200
    assert health.json()["source"] == str(bundle)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "AMT_CREDIT"
    assert "/health" not in output  # no access log: request paths hold client ids
