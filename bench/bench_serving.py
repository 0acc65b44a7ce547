"""Cold start and warm latency of the scoring function's Lambda handler, against two baselines.

    .venv/bin/python bench/bench_serving.py [--bundle DIR] [--rounds 9] [--calls 10000]
                                            [--recipe-calls 300] [--monitoring]
    .venv/bin/python bench/bench_serving.py --instructions 1000

Three handlers, each in fresh processes started the way the Lambda runtime starts one (import the
module, call `handler(event, context)`), all answering GET /predict/{client_id} from an API Gateway
HTTP API (payload 2.0) event:
- this function: functions/scoring/app.py over the bundle (model_artifacts/default, or a small one
  built by tests/bundle_factory.py when absent), with template.yaml's OPENBLAS_NUM_THREADS;
- the floor: FastAPI + Mangum answering a constant (bench/handlers/floor.py);
- the predecessor's recipe: pandas CSV store and joblib scaler and model loaded at import, scored with
  scikit-learn per request (bench/handlers/recipe.py; needs ../shared/data/seed-model).

Every module a handler imports runs from bytecode, as on Lambda, whose layers ship theirs compiled
(layers/python-layer.mk): each handler is started once, untimed, to write it (PYTHONPYCACHEPREFIX in
a scratch directory, even where PYTHONDONTWRITEBYTECODE is set). Without that, where the shell sets
PYTHONDONTWRITEBYTECODE, this function's own package (installed editable, without bytecode) would be
compiled from source at every start while the baselines' libraries run from pip's bytecode.

The work is done in rounds, each starting one fresh process per handler in turn, so that a change of
machine load (the machine is shared) hits the three alike. Cold start = process start → first response
back from the handler (median over the rounds). Warm = p50 and p99 of one handler call, over `--calls`
calls split across the rounds' processes (the recipe, at about 16 ms a call, gets `--recipe-calls`).
Figures and the ratios the issue sets as targets are printed; the exit status is 1 when one is missed.
With `--monitoring`, a fourth handler runs in the same rounds: this function with the request drift
windows on (MONITORING_BUCKET set; a day's window, which no run sees close, so no write is timed), and
its figures are compared with the function's own (the two run next to each other, in alternating
order).

With `--instructions CALLS`, nothing is timed: valgrind counts the instructions of a warm call of this
function and of the floor, a figure that does not move with the machine's load, for comparing two
versions of the hot path where the times' spread between runs is wider than the change.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "scripts"))

from api_events import aimed, load_event  # noqa: E402 (tests/ is put on sys.path first, as pytest does)
from cfn_template import load_template  # noqa: E402 (scripts/ too)
from served_bundle import bundle_dir  # noqa: E402 (bench/ is on sys.path: the script's own folder)

SEED_MODEL_DIR = REPO.parent / "shared" / "data" / "seed-model"
RECIPE_CLIENT = 127494  # a client of the predecessor's df_sample.csv

TARGETS = {
    "cold / floor": 1.6,
    "cold / recipe": 0.35,
    "warm p50 / floor p50": 1.5,
    "warm p99 / floor p99": 2.0,
}


@dataclass(frozen=True)
class Handler:
    name: str
    module_dir: Path
    module: str
    client_id: int
    env: dict[str, str]


@dataclass
class Figures:
    cold_s: list[float] = field(default_factory=list)
    latencies_ns: list[int] = field(default_factory=list)

    @property
    def cold_median(self) -> float:
        return statistics.median(self.cold_s)

    def warm_us(self, centile: int) -> float:
        return statistics.quantiles(self.latencies_ns, n=100)[centile - 1] / 1000


def invocation(handler: Handler, event_file: Path, report_fd: int, calls: int) -> list[str]:
    """The command running `handler` in a fresh process (bench/handlers/invoke.py)."""
    return [
        sys.executable,
        str(REPO / "bench" / "handlers" / "invoke.py"),
        str(handler.module_dir),
        handler.module,
        str(event_file),
        str(report_fd),
        str(calls),
    ]


def handler_env(handler: Handler) -> dict[str, str]:
    # Bytecode is written to the handlers' PYTHONPYCACHEPREFIX even where this shell forbids writing it.
    inherited = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    return {**inherited, "PYTHONPATH": str(REPO), **handler.env}


def run_once(handler: Handler, event_file: Path, calls: int) -> tuple[float, list[int]]:
    """Start a fresh process running `handler`; returns its cold start in seconds and the latencies of
    `calls` warm calls in nanoseconds."""
    read_fd, write_fd = os.pipe()
    env = handler_env(handler)
    command = invocation(handler, event_file, write_fd, calls)
    # stderr goes to a file (the recipe's scikit-learn warns about its pickles' version), shown on failure.
    with tempfile.TemporaryFile(mode="w+") as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, env=env, pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=errors
        )
        os.close(write_fd)
        with os.fdopen(read_fd, encoding="utf-8") as report:
            ready = report.readline()
            cold = time.perf_counter() - started
            warm = report.readline()
        if process.wait() != 0 or ready.strip() != "ready 200":
            errors.seek(0)
            raise SystemExit(
                f"{handler.name}: the handler did not answer 200 ({ready.strip() or 'no answer'})\n"
                + errors.read()[-2000:]
            )
    return cold, json.loads(warm)


def instructions(handler: Handler, event_file: Path, calls: int) -> int:
    """Instructions the CPU runs for one warm call of `handler`: valgrind's count for a process making
    `calls` warm calls, less that of one making none, over `calls`. Unlike a time, the same whatever
    else the machine does (it leaves out cache misses, which a time includes)."""
    totals = []
    for n in (0, calls):
        with open(os.devnull, "w") as sink:
            command = [
                "valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                *invocation(handler, event_file, sink.fileno(), n),
            ]  # fmt: skip
            done = subprocess.run(
                command, env=handler_env(handler), pass_fds=(sink.fileno(),), stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE, text=True, check=True,
            )  # fmt: skip
        counted = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
        if counted is None:
            raise SystemExit(f"{handler.name}: valgrind printed no instruction count\n{done.stderr[-2000:]}")
        totals.append(int(counted.group(1).replace(",", "")))
    return (totals[1] - totals[0]) // calls


def template_openblas_threads() -> str:
    """OPENBLAS_NUM_THREADS as template.yaml sets it for the function on Lambda (it shapes numpy's import,
    so a cold start measured without it would not be the function's)."""
    variables = load_template(REPO / "template.yaml")["Globals"]["Function"]["Environment"]["Variables"]
    return str(variables["OPENBLAS_NUM_THREADS"])


def event_file(directory: Path, client_id: int) -> Path:
    path = directory / f"get-predict-{client_id}.json"
    event = aimed(load_event("http-v2-get-predict.json"), f"/predict/{client_id}")
    path.write_text(json.dumps(event), encoding="utf-8")
    return path


def example_client(bundle: Path) -> int:
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    return int(manifest["example_client_ids"][0])


def ratio_line(name: str, value: float) -> tuple[str, bool]:
    ok = value <= TARGETS[name]
    return f"  {name:<22} {value:6.2f}   target ≤ {TARGETS[name]:<5} {'ok' if ok else 'MISSED'}", ok


def print_instructions(handlers: list[Handler], events: dict[str, Path], calls: int) -> int:
    """Print the instructions per warm call of this function and the floor, and their ratio."""
    counts = {handler.name: instructions(handler, events[handler.name], calls) for handler in handlers}
    print("command: " + " ".join([Path(sys.executable).name, *sys.argv]))
    for name, count in counts.items():
        print(f"{name:<15} {count:>10,} instructions per warm call (mean of {calls:,})")
    this, floor = counts.values()
    goal = TARGETS["warm p50 / floor p50"]
    print(f"  this function / floor: {this / floor:.3f} (the goal on warm p50 times: ≤ {goal})")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path, help="bundle to serve (default: model_artifacts/default)")
    parser.add_argument("--rounds", type=int, default=9, help="fresh processes per handler (default: 9)")
    parser.add_argument("--calls", type=int, default=10_000, help="warm calls of this handler and the floor")
    parser.add_argument(
        "--recipe-calls", type=int, default=300, help="warm calls of the recipe (about 16 ms each)"
    )
    parser.add_argument(
        "--monitoring", action="store_true", help="also run the function with request drift windows on"
    )
    parser.add_argument(
        "--instructions",
        type=int,
        metavar="CALLS",
        help="instead, count the instructions of a warm call of this function and the floor (valgrind)",
    )
    args = parser.parse_args()
    if args.instructions is not None:
        if args.instructions < 1:
            parser.error("--instructions: CALLS must be 1 or more")
        if shutil.which("valgrind") is None:
            raise SystemExit("--instructions needs valgrind (Debian package valgrind)")
    if not SEED_MODEL_DIR.is_dir():
        raise SystemExit(f"the predecessor's model is needed for the recipe: {SEED_MODEL_DIR} is absent")

    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        bundle, bundle_label = bundle_dir(args.bundle, scratch)
        bytecode = {"PYTHONPYCACHEPREFIX": str(scratch / "bytecode")}
        ours = Handler(
            "this function",
            REPO / "functions" / "scoring",
            "app",
            example_client(bundle),
            {"MODEL_DIR": str(bundle), "OPENBLAS_NUM_THREADS": template_openblas_threads(), **bytecode},
        )
        handlers = [
            ours,
            Handler("floor", REPO / "bench" / "handlers", "floor", ours.client_id, bytecode),
            Handler(
                "recipe",
                REPO / "bench" / "handlers",
                "recipe",
                RECIPE_CLIENT,
                {"SEED_MODEL_DIR": str(SEED_MODEL_DIR), **bytecode},
            ),
        ]
        if args.monitoring:
            monitored = {
                **ours.env,
                "MONITORING_BUCKET": "bench-never-written",
                "MONITORING_WINDOW_MINUTES": "1440",
            }
            handlers.append(Handler("monitoring on", ours.module_dir, ours.module, ours.client_id, monitored))
        events = {handler.name: event_file(scratch, handler.client_id) for handler in handlers}
        # Untimed, before anything is measured or counted: writes the bytecode of what each imports.
        for handler in handlers:
            run_once(handler, events[handler.name], 0)
        if args.instructions is not None:
            return print_instructions(handlers[:2], events, args.instructions)
        figures = {handler.name: Figures() for handler in handlers}
        for round_number in range(args.rounds):
            order = list(handlers)
            if args.monitoring:
                # Monitoring on runs right beside the function, first in every other round, so that
                # neither always follows the recipe's heavy process.
                on = order.pop()
                order.insert(1 if round_number % 2 else 0, on)
            for handler in order:
                calls = args.recipe_calls if handler.name == "recipe" else args.calls
                cold, latencies = run_once(handler, events[handler.name], calls // args.rounds)
                figures[handler.name].cold_s.append(cold)
                figures[handler.name].latencies_ns.extend(latencies)

    print("command: " + " ".join([Path(sys.executable).name, *sys.argv]))
    print(f"bundle: {bundle_label}; {os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"load average at the end (1, 5, 15 min): {load}; other work on the machine widens the p99s")
    header = ("handler", "cold median", "cold runs", "warm p50", "warm p99", "calls")
    print("{:<15} {:>12} {:>10} {:>10} {:>10} {:>7}".format(*header))
    for name, figure in figures.items():
        print(
            f"{name:<15} {figure.cold_median * 1000:9.0f} ms {len(figure.cold_s):>10} "
            f"{figure.warm_us(50):7.0f} µs {figure.warm_us(99):7.0f} µs {len(figure.latencies_ns):>7}"
        )
    this, floor, recipe = (figures[handler.name] for handler in handlers[:3])
    lines = [
        ratio_line("cold / floor", this.cold_median / floor.cold_median),
        ratio_line("cold / recipe", this.cold_median / recipe.cold_median),
        ratio_line("warm p50 / floor p50", this.warm_us(50) / floor.warm_us(50)),
        ratio_line("warm p99 / floor p99", this.warm_us(99) / floor.warm_us(99)),
    ]
    print("ratios (this function / baseline):")
    for line, _ in lines:
        print(line)
    print(f"  recipe warm p50 / this warm p50: {recipe.warm_us(50) / this.warm_us(50):.0f}×")
    if args.monitoring:
        on = figures["monitoring on"]
        print("monitoring on / off (this function):")
        cold, p50, p99 = (
            on.cold_median / this.cold_median,
            on.warm_us(50) / this.warm_us(50),
            on.warm_us(99) / this.warm_us(99),
        )
        print(f"  cold median {cold:.3f}, warm p50 {p50:.3f}, warm p99 {p99:.3f}")
    return 0 if all(ok for _, ok in lines) else 1


if __name__ == "__main__":
    raise SystemExit(main())
