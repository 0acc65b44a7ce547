"""Scale: validate, reading and features, and `train --search quick` at Kaggle's volumes, on this machine.

    .venv/bin/python bench/bench_scale.py [--sizes 10000 30000 100000 307511] [--search full] [--work DIR]
    .venv/bin/python bench/bench_scale.py --compare 60000 --search-clients 10000

For each size, `credit-scoring synth --volume kaggle` writes that many application_train clients (and
application_test's sixth more, with their history, Kaggle's rows per client in every table); then
`validate`, and `train --search quick`, each in a fresh process whose wall time and peak resident
memory (its own, from wait4) are measured. Reading and features are the time `train` reports for them.
Prints a table, the growth exponent of each step between consecutive sizes (time ∝ clients^k), the
rows per table against Kaggle's, and the goals at 307,511 clients: validate ≤ 5 min, reading and
features ≤ 10 min, training ≤ 60 min and ≤ 12 GB. `--search full` times the full plan instead, which
has no time goal; its training log (`train-N.log`) has one line per candidate.

`--compare N` instead trains twice on N clients, comparing the candidates on a sample of
`--search-clients` and on every training client, and prints both champions' held-out AUC and cost:
what the sample costs at a size where the exhaustive search finishes.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "credit_scoring"]
GOALS = {"validate": 300.0, "read+features": 600.0, "train": 3600.0}
MEMORY_GOAL_GB = 12.0
LOADED = re.compile(r"loaded .* in ([0-9.]+) s")


@dataclass(frozen=True)
class Step:
    seconds: float
    peak_gb: float
    output: str


def run(command: list[str], log: Path) -> Step:
    """Run `command` in its own process; its wall time, its peak RSS, and its output (also in `log`)."""
    started = time.perf_counter()
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    output = log.read_text()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed (see {log}):\n{output[-2000:]}")
    return Step(seconds, usage.ru_maxrss / 1024**2, output)


def rows_per_table(data: Path) -> dict[str, int]:
    counts = {}
    for path in sorted(data.glob("*.csv")):
        with path.open("rb") as file:
            counts[path.stem] = sum(1 for _ in file) - 1
    return counts


def measure(size: int, search: str, work: Path) -> dict[str, float]:
    data, bundle = work / f"data-{size}", work / f"bundle-{size}"
    shutil.rmtree(data, ignore_errors=True)
    synth = run(
        [*CLI, "synth", "--volume", "kaggle", "--clients", str(size), "--out", str(data)],
        work / f"synth-{size}.log",
    )
    validate = run([*CLI, "validate", "--data", str(data)], work / f"validate-{size}.log")
    train = run(
        [*CLI, "train", "--data", str(data), "--out", str(bundle), "--overwrite", "--search", search],
        work / f"train-{size}.log",
    )
    loaded = LOADED.search(train.output)
    manifest = json.loads((bundle / "manifest.json").read_text())
    from credit_scoring.synth.volume import KAGGLE_ROWS

    counts = rows_per_table(data)
    ratios = {
        table: counts[table] / KAGGLE_ROWS[table] * KAGGLE_ROWS["application_train"] / size
        for table in counts
    }
    print(
        f"rows against Kaggle's, per client, at {size:,}: "
        + ", ".join(f"{t} {r:.2f}" for t, r in ratios.items()),
        flush=True,
    )
    shutil.rmtree(data)
    return {
        "clients": size,
        "synth_s": synth.seconds,
        "validate_s": validate.seconds,
        "validate_gb": validate.peak_gb,
        "read+features_s": float(loaded.group(1)) if loaded else math.nan,
        "train_s": train.seconds,
        "train_gb": train.peak_gb,
        "champion": manifest["model"]["provenance"]["training"]["champion"],
        "test_auc": manifest["metrics"]["test"]["auc"],
        "test_cost": manifest["metrics"]["test"]["business_cost"],
    }


def compare(size: int, search_clients: int, work: Path) -> None:
    data = work / f"data-{size}"
    shutil.rmtree(data, ignore_errors=True)
    run(
        [*CLI, "synth", "--volume", "kaggle", "--clients", str(size), "--out", str(data)],
        work / "synth-compare.log",
    )
    print(f"{size:,} clients; the candidates compared on {search_clients:,} training clients, then on all")
    print("search on        champion                        test AUC   test cost   wall")
    for label, value in ((f"{search_clients:,}", str(search_clients)), ("all", "all")):
        bundle = work / f"compare-{value}"
        step = run(
            [
                *CLI,
                "train",
                "--data",
                str(data),
                "--out",
                str(bundle),
                "--overwrite",
                "--search-clients",
                value,
            ],
            work / f"compare-{value}.log",
        )
        manifest = json.loads((bundle / "manifest.json").read_text())
        test = manifest["metrics"]["test"]
        champion = manifest["model"]["provenance"]["training"]["champion"]
        print(
            f"{label:<16} {champion:<31} {test['auc']:.4f}     {test['business_cost']:.4f}    "
            f"{step.seconds:.0f} s"
        )
    shutil.rmtree(data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000, 307_511])
    parser.add_argument("--work", type=Path, default=REPO / "build" / "bench-scale")
    parser.add_argument(
        "--compare", type=int, metavar="N", help="compare the sampled and exhaustive searches"
    )
    parser.add_argument("--search-clients", type=int, default=10_000)
    parser.add_argument("--search", choices=("quick", "full"), default="quick", help="the plan to time")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"command: python bench/bench_scale.py {' '.join(sys.argv[1:])}")
    print(f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}; logs in {args.work}", flush=True)
    if args.compare:
        compare(args.compare, args.search_clients, args.work)
        return 0
    results = []
    for size in args.sizes:
        results.append(measure(size, args.search, args.work))
        row = results[-1]
        print(
            f"{size:>8,} clients: synth {row['synth_s']:.0f} s, validate {row['validate_s']:.0f} s "
            f"({row['validate_gb']:.1f} GB), reading+features {row['read+features_s']:.0f} s, train "
            f"{row['train_s']:.0f} s ({row['train_gb']:.1f} GB); champion {row['champion']}, test AUC "
            f"{row['test_auc']:.4f}, cost {row['test_cost']:.4f}",
            flush=True,
        )
    for step in ("validate_s", "read+features_s", "train_s"):
        exponents = [
            math.log(b[step] / a[step]) / math.log(b["clients"] / a["clients"])
            for a, b in itertools.pairwise(results)
        ]
        print(f"growth exponent of {step[:-2]}: " + ", ".join(f"{k:.2f}" for k in exponents))
    print(json.dumps(results))
    if args.search != "quick":
        return 0
    largest = results[-1]
    missed = 0
    for step, goal in GOALS.items():
        ok = largest[f"{step}_s"] <= goal
        missed += not ok
        print(
            f"{step} at {largest['clients']:,}: {largest[f'{step}_s']:.0f} s, goal ≤ {goal:.0f} s: "
            f"{'met' if ok else 'MISSED'}"
        )
    ok = largest["train_gb"] <= MEMORY_GOAL_GB
    missed += not ok
    print(
        f"train peak memory: {largest['train_gb']:.1f} GB, goal ≤ {MEMORY_GOAL_GB:.0f} GB: "
        f"{'met' if ok else 'MISSED'}"
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
