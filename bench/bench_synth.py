"""Synthetic data at scale: `synth` of 100,000 clients, then their features, and how real the clients are.

    .venv/bin/python bench/bench_synth.py [--clients 100000] [--seed 42] [--no-auc]

Each phase runs in a fresh process, so the peak resident memory it reports (ru_maxrss) is its own:

1. synth: `generate_tables` then `write_tables` into a temporary directory, what `credit-scoring synth`
   does; wall and CPU time of each step, rows written, peak memory; budget 60 s wall in all;
2. read: pandas reads the written CSV files back (`credit_scoring.data.load_tables`), the baseline
   of the next phase, measured in the same run on the same files;
3. features: the same read, then `credit_scoring.training.feature_frame.build_features` on the tables (when
   that module exists); its time is also given as a ratio to the read;
4. fidelity (when the real sample is present and unless --no-auc): AUC on the real sample's
   application_train of a logistic regression trained on 20,000 synthetic clients (goal >= 0.68).

Wall times on a shared machine depend on its load: the load average is printed beside the CPU times.
Exits 1 when the synth phase exceeds its budget or the fidelity AUC its goal.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

REAL_SAMPLE = REPO.parent / "shared" / "data" / "home-credit-sample"
SYNTH_BUDGET_S = 60.0
FIDELITY_CLIENTS = 20_000
FIDELITY_GOAL = 0.68


class Clock:
    """Wall and CPU seconds since creation."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synth_phase(clients: int, seed: int, out_dir: str) -> dict:
    from credit_scoring.synth import generate_tables, write_tables

    clock = Clock()
    tables = generate_tables(clients, seed)
    generate = clock.lap()
    write_tables(tables, Path(out_dir))
    total = clock.lap()
    return {
        "generate": generate,
        "write": (total[0] - generate[0], total[1] - generate[1]),
        "total": total,
        "rows": {table: len(frame) for table, frame in tables.items()},
        "cells": sum(frame.size for frame in tables.values()),
        "bytes": sum(path.stat().st_size for path in Path(out_dir).iterdir()),
        "peak_mib": peak_mib(),
    }


def read_phase(data_dir: str, features: bool) -> dict:
    from credit_scoring.data import load_tables

    clock = Clock()
    tables = load_tables(Path(data_dir))
    result = {"read": clock.lap()}
    if features:
        from credit_scoring.training.feature_frame import build_features

        frame = build_features(tables)
        total = clock.lap()
        result["features"] = (total[0] - result["read"][0], total[1] - result["read"][1])
        result["shape"] = frame.X.shape
    result["peak_mib"] = peak_mib()
    return result


def fidelity_phase(seed: int) -> float:
    import pandas as pd

    from credit_scoring.synth import generate_tables
    from credit_scoring.synth.fidelity import transfer_auc

    real = pd.read_csv(REAL_SAMPLE / "application_train.csv")
    return transfer_auc(generate_tables(FIDELITY_CLIENTS, seed)["application_train"], real)


def in_fresh_process(function, *args):
    """Run `function(*args)` in a new process (its own peak memory) and return its result."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"), max_tasks_per_child=1) as pool:
        return pool.submit(function, *args).result()


def seconds(pair: tuple[float, float]) -> str:
    return f"{pair[0]:6.1f} s wall {pair[1]:6.1f} s CPU"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-auc", action="store_true", help="skip the fidelity phase")
    args = parser.parse_args()
    print("command:", " ".join([Path(sys.executable).name, *sys.argv]))
    print(f"machine: {os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    failed = False

    with tempfile.TemporaryDirectory(prefix="bench-synth-") as scratch:
        out_dir = str(Path(scratch) / "synthetic")
        synth = in_fresh_process(synth_phase, args.clients, args.seed, out_dir)
        print(f"\nsynth of {args.clients:,} clients (seed {args.seed})")
        for table, rows in synth["rows"].items():
            print(f"  {table:24s} {rows:>12,} rows")
        print(f"  {synth['cells']:,} cells, {synth['bytes'] / 2**20:,.0f} MiB of CSV")
        print(f"  generate     {seconds(synth['generate'])}")
        print(f"  write CSV    {seconds(synth['write'])}")
        print(f"  total        {seconds(synth['total'])}   budget {SYNTH_BUDGET_S:.0f} s wall: ", end="")
        within = synth["total"][0] <= SYNTH_BUDGET_S
        print(f"{'met' if within else 'MISSED'} ({synth['total'][0] / SYNTH_BUDGET_S:.0%} of it)")
        print(f"  peak memory  {synth['peak_mib']:,.0f} MiB")
        failed |= not within

        has_features = importlib.util.find_spec("credit_scoring.training.feature_frame") is not None
        baseline = in_fresh_process(read_phase, out_dir, False)
        print("\nreading the CSV files back (baseline)")
        print(f"  read         {seconds(baseline['read'])}   peak memory {baseline['peak_mib']:,.0f} MiB")
        if has_features:
            features = in_fresh_process(read_phase, out_dir, True)
            rows, columns = features["shape"]
            print(f"features of {rows:,} clients ({columns} features)")
            print(f"  read         {seconds(features['read'])}")
            print(
                f"  features     {seconds(features['features'])}   "
                f"{features['features'][0] / baseline['read'][0]:.1f}x the read"
            )
            ratio = features["peak_mib"] / baseline["peak_mib"]
            print(f"  peak memory  {features['peak_mib']:,.0f} MiB ({ratio:.1f}x the read's)")
        else:
            print("features: credit_scoring.training.feature_frame is not available, phase skipped")

    if args.no_auc or not REAL_SAMPLE.is_dir():
        print("\nfidelity: skipped" + ("" if args.no_auc else f" ({REAL_SAMPLE} is absent)"))
    else:
        auc = in_fresh_process(fidelity_phase, args.seed)
        verdict = "met" if auc >= FIDELITY_GOAL else "MISSED"
        print(
            f"\nfidelity: trained on {FIDELITY_CLIENTS:,} synthetic clients, AUC on the real sample {auc:.4f}"
        )
        print(f"  goal >= {FIDELITY_GOAL}: {verdict}")
        failed |= auc < FIDELITY_GOAL
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
