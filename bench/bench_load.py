"""Throughput and latency of the API under concurrent users, over loopback, against a baseline.

    .venv/bin/python bench/bench_load.py [--bundle DIR] [--users 1,8,32,64] [--seconds 5]

`credit-scoring serve` (uvicorn, one process) runs in a subprocess on a free loopback port over the
bundle (model_artifacts/default, or a small one built by tests/bundle_factory.py when absent). For each
number of users, each of three requests is sent for `--seconds` by that many users at once, each user
sending its next request when the previous one is answered (httpx, one connection per user):
- GET /health, the baseline: the same server, routing and middleware, no scoring;
- GET /predict/{client_id}: a stored client, cycling through the manifest's example ids;
- POST /predict: a full application of a stored client (its history joined).
The three alternate within each level, so that a change of machine load hits them alike. Printed per
level and request: requests answered, throughput, p50 and p99 latency, errors (anything but a 200, or
no answer within the time-out), and throughput and p50 as ratios to the baseline's in the same run.
The client runs on the same cores as the server: the figures are the pair's, bounded by both.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from served_bundle import REPO, bundle_dir

TIMEOUT_SECONDS = 10.0
READY_SECONDS = 60.0


@dataclass(frozen=True)
class Request:
    name: str
    method: str
    paths: tuple[str, ...]
    body: dict[str, Any] | None = None


@dataclass(frozen=True)
class Figures:
    answered: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def throughput(self) -> float:
        return self.answered / self.seconds

    def centile(self, q: int) -> float:
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else float("nan")
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[q - 1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def application_body(bundle: Path, client_id: int) -> dict[str, Any]:
    """A full application (tests/bundle_factory's generator) under a stored client's id."""
    sys.path.insert(0, str(REPO / "tests"))
    from bundle_factory import random_applications

    row = random_applications(1, seed=7).iloc[0].drop(labels=["TARGET"], errors="ignore")
    body = {key: (value.item() if hasattr(value, "item") else value) for key, value in row.dropna().items()}
    return {**body, "SK_ID_CURR": client_id}


async def user(client: httpx.AsyncClient, request: Request, deadline: float, offset: int) -> Figures:
    answered = errors = 0
    latencies: list[float] = []
    started = time.perf_counter()
    i = offset
    while time.perf_counter() < deadline:
        path = request.paths[i % len(request.paths)]
        i += 1
        sent = time.perf_counter()
        try:
            response = await client.request(request.method, path, json=request.body)
            ok = response.status_code == 200
        except httpx.HTTPError:
            ok = False
        latencies.append((time.perf_counter() - sent) * 1000)
        answered += ok
        errors += not ok
    return Figures(answered, errors, time.perf_counter() - started, latencies)


async def level(base_url: str, request: Request, users: int, seconds: float) -> Figures:
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=TIMEOUT_SECONDS) as client:
        await client.get("/health")  # connection opened before the clock starts
        deadline = time.perf_counter() + seconds
        results = await asyncio.gather(*(user(client, request, deadline, k) for k in range(users)))
    return Figures(
        answered=sum(r.answered for r in results),
        errors=sum(r.errors for r in results),
        seconds=max(r.seconds for r in results),
        latencies_ms=[latency for r in results for latency in r.latencies_ms],
    )


def wait_ready(base_url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with status {server.returncode} before answering")
        try:
            if httpx.get(f"{base_url}/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer /health within {READY_SECONDS:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path, default=None)
    parser.add_argument("--users", default="1,8,32,64", help="comma-separated numbers of concurrent users")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per level and request")
    args = parser.parse_args()
    levels = [int(n) for n in args.users.split(",")]

    with tempfile.TemporaryDirectory() as scratch:
        bundle, bundle_name = bundle_dir(args.bundle, Path(scratch))
        ids = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))["example_client_ids"]
        requests = [
            Request("GET /health (baseline)", "GET", ("/health",)),
            Request("GET /predict/{id}", "GET", tuple(f"/predict/{i}" for i in ids)),
            Request("POST /predict", "POST", ("/predict",), application_body(bundle, int(ids[0]))),
        ]
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        command = [
            sys.executable,
            "-m",
            "credit_scoring",
            "serve",
            "--bundle",
            str(bundle),
            "--port",
            str(port),
        ]
        server = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_ready(base_url, server)
            print(
                f"bundle: {bundle_name}; {args.seconds:g} s per level and request; "
                "loopback, one uvicorn process"
            )
            print(
                f"{'users':>5}  {'request':<24}{'answered':>9}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
                f"{'errors':>8}{'× req/s':>9}{'× p50':>7}"
            )
            for users in levels:
                figures = {r.name: asyncio.run(level(base_url, r, users, args.seconds)) for r in requests}
                baseline = figures[requests[0].name]
                for name, f in figures.items():
                    print(
                        f"{users:>5}  {name:<24}{f.answered:>9,}{f.throughput:>9,.0f}{f.centile(50):>9.2f}"
                        f"{f.centile(99):>9.2f}{f.errors:>8}{f.throughput / baseline.throughput:>9.2f}"
                        f"{f.centile(50) / baseline.centile(50):>7.2f}"
                    )
        finally:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
