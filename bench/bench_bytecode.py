"""The API function's init on the built dependencies layer, with and without the bytecode it ships.

    RUNTIME_PYTHON=/path/to/python3.12 make sam-build
    RUNTIME_PYTHON=/path/to/python3.12 .venv/bin/python bench/bench_bytecode.py [--rounds 7]

Lambda cannot write bytecode under its read-only /opt, so each cold start compiles from source every
module it imports that the layer ships without its `.pyc`. The layer's Makefile compiles them when the
build has the runtime's interpreter (layers/python-layer.mk). This runs the built function's handler
module the way the runtime imports it, in fresh `python3.12 -I -B` processes (isolated from any
virtualenv, writing no bytecode), over the layer as built and over a copy stripped of its bytecode,
interleaved, and prints the median init (import of the handler, bundle loaded) and first answer.
The CPython 3.12 binaries of the layer need a 3.12 interpreter on Linux x86_64 (--python, else
$RUNTIME_PYTHON, else python3.12 on PATH): without one, or without a layer built with its bytecode, the
bench says so and exits 0, as `make bench` runs every bench.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from api_events import aimed, load_event  # noqa: E402 (tests/ is put on sys.path first, as pytest does)

BUILD = REPO / ".aws-sam" / "build"
LAYER = BUILD / "DependenciesLayer" / "python"
FUNCTION = BUILD / "ScoringApiFunction"

RUNS_312 = "import sys; sys.exit(sys.version_info[:2] != (3, 12))"

# Runs in the 3.12 interpreter: the handler imported as the runtime imports it, then one request.
PROBE = """
import json, sys, time
started = time.perf_counter()
sys.path[:0] = [sys.argv[1], sys.argv[2]]
import app
ready = time.perf_counter()
with open(sys.argv[3], encoding="utf-8") as event:
    status = app.handler(json.load(event), None)["statusCode"]
print(json.dumps({"init_ms": (ready - started) * 1e3, "first_ms": (time.perf_counter() - ready) * 1e3,
                  "status": status}))
"""


def is_python_312(python: str) -> bool:
    try:
        probe = subprocess.run([python, "-c", RUNS_312], capture_output=True, check=False)
    except OSError:
        return False
    return probe.returncode == 0


def run(python: str, layer: Path, bundle: Path, event: Path) -> dict[str, float]:
    env = {"MODEL_DIR": str(bundle), "OPENBLAS_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"}
    completed = subprocess.run(
        [python, "-I", "-B", "-c", PROBE, str(layer), str(FUNCTION), str(event)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"the handler failed under {python}:\n{completed.stderr[-2000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", help="a CPython 3.12 interpreter (the runtime's version)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--bundle", type=Path, default=BUILD / "ModelLayer" / "model")
    args = parser.parse_args()
    python = args.python or os.environ.get("RUNTIME_PYTHON") or shutil.which("python3.12")
    if python is None or not is_python_312(python):
        print("bench_bytecode skipped: no CPython 3.12 here (--python or RUNTIME_PYTHON names one)")
        return 0
    if not any(LAYER.rglob("*.cpython-312.pyc")):
        print(f"bench_bytecode skipped: {LAYER} has no 3.12 bytecode (RUNTIME_PYTHON=... make sam-build)")
        return 0

    with tempfile.TemporaryDirectory(prefix="bench-bytecode-") as scratch:
        manifest = json.loads((args.bundle / "manifest.json").read_text(encoding="utf-8"))
        client_id = manifest["example_client_ids"][0]
        event = Path(scratch) / "event.json"
        request = aimed(load_event("http-v2-get-predict.json"), f"/predict/{client_id}")
        event.write_text(json.dumps(request), encoding="utf-8")
        stripped = Path(scratch) / "python"
        shutil.copytree(LAYER, stripped, ignore=shutil.ignore_patterns("__pycache__"))
        layers = {"with bytecode (as built)": LAYER, "without bytecode": stripped}
        figures: dict[str, list[dict[str, float]]] = {name: [] for name in layers}
        for _ in range(args.rounds):
            for name, layer in layers.items():
                figures[name].append(run(python, layer, args.bundle, event))

    print("command: " + " ".join([Path(sys.executable).name, *sys.argv]))
    print(f"{'dependencies layer':28} {'init median':>12} {'first answer':>13}  runs")
    medians = {}
    for name, runs in figures.items():
        medians[name] = statistics.median(run["init_ms"] for run in runs)
        first = statistics.median(run["first_ms"] for run in runs)
        statuses = {int(run["status"]) for run in runs}
        print(f"{name:28} {medians[name]:9.0f} ms {first:10.1f} ms  {len(runs)} (status {statuses})")
    ratio = medians["with bytecode (as built)"] / medians["without bytecode"]
    print(f"init with bytecode / without: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
