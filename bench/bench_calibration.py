"""Calibration on real clients no model saw: train on part of the real sample, evaluate on the rest.

    .venv/bin/python bench/bench_calibration.py [--seed 42] [--bundle DIR] [--folds K] [--code TREE]

The real sample's application_train.csv (6,999 clients) is split by SK_ID_CURR: the first 5,000
clients (the training clients of ../shared/data/home-credit-linked) train with `credit-scoring train
--application-only --search quick`; the 1,999 after them are never seen by training, calibration or
the threshold search, and `credit-scoring evaluate` scores them with the bundle as serving would. Goals
on those clients: ECE <= 0.02 (10 equal-count bins), Brier at least 5% better than the base rate's,
mean predicted probability within 1.5 points of the observed default rate. AUC and business cost are
printed too, for comparing with the code before calibration run the same way with `--code`
(docs/benchmarks.md).

With `--folds K`, the 6,999 clients are split into K stratified folds instead (seeded by `--seed`):
each fold is held out once while the others train, so that every client is held out once; the
figures are printed per fold and pooled over the 6,999 clients (cost, Brier and the mean probability
are per-client means, pooled exactly; AUC, ECE and the threshold are the folds' mean). `--code TREE`
runs another source tree's `credit_scoring` (a git worktree of an earlier commit) on the same splits,
so that two codes are compared client for client; figures that code's `evaluate` does not report are
left out.

Exits 1 when a goal is missed (every figure is still printed).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedKFold

REPO = Path(__file__).resolve().parent.parent
REAL_SAMPLE = REPO.parent / "shared" / "data" / "home-credit-sample"
LAST_TRAINING_ID = 105849
"""The last client of home-credit-linked's application_train: the training part ends with it."""
ECE_GOAL = 0.02
BRIER_GAIN_GOAL = 0.05
MEAN_GAP_GOAL = 0.015
POOLED = ("business_cost", "brier", "brier_base_rate", "mean_probability", "default_rate")
"""Per-client means: pooled over folds by weighting each with its clients."""


def split(header: list[str], rows: list[list[str]], held_out: set[int], out: Path) -> tuple[Path, Path]:
    """application_train.csv of the training clients and of the held-out ones (`held_out`: their row
    indices), in two directories of `out`."""
    train_dir, held_out_dir = out / "train", out / "held-out"
    for directory, keep in ((train_dir, False), (held_out_dir, True)):
        directory.mkdir(parents=True)
        with (directory / "application_train.csv").open("w", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(header)
            writer.writerows(row for index, row in enumerate(rows) if (index in held_out) == keep)
    return train_dir, held_out_dir


def train_and_evaluate(
    train: Path, held_out: Path, seed: int, code: Path, scratch: Path, bundle: Path
) -> dict[str, Any]:
    """Train `code`'s model on `train` and evaluate it on `held_out`: the figures `evaluate` reports,
    with those of its calibration at the top level."""
    cli = [sys.executable, "-m", "credit_scoring"]
    env = {**os.environ, "PYTHONPATH": str(code)}
    subprocess.run(
        [*cli, "train", "--data", str(train), "--out", str(bundle), "--overwrite", "--application-only",
         "--search", "quick", "--seed", str(seed), "--store-clients", "300"],
        check=True, stdout=subprocess.DEVNULL, cwd=scratch, env=env,
    )  # fmt: skip
    evaluated = subprocess.run(
        [*cli, "evaluate", "--bundle", str(bundle), "--data", str(held_out), "--application-only"],
        check=True, capture_output=True, text=True, cwd=scratch, env=env,
    )  # fmt: skip
    result = json.loads(evaluated.stdout.strip().splitlines()[-1])
    return {**result, **result.get("calibration", {})}


def pooled(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The folds' figures over all their clients."""
    n = sum(result["n"] for result in results)
    figures: dict[str, Any] = {"n": n}
    for key in results[0]:
        values = [result[key] for result in results]
        if key in POOLED:
            figures[key] = sum(value * result["n"] for value, result in zip(values, results, strict=True)) / n
        elif key in ("auc", "ece", "threshold"):
            figures[key] = float(np.mean(values))
    return figures


def report(name: str, figures: dict[str, Any]) -> bool:
    """Print one evaluation's figures; True when its calibration goals are met (or not reported)."""
    print(f"{name}: {figures['n']:,} held-out real clients, AUC {figures['auc']:.4f}, business cost "
          f"{figures['business_cost']:.4f} per client at threshold {figures['threshold']:.3f}")  # fmt: skip
    if "ece" not in figures:
        return True
    brier_gain = 1 - figures["brier"] / figures["brier_base_rate"]
    mean_gap = abs(figures["mean_probability"] - figures["default_rate"])
    print(
        f"  ECE {figures['ece']:.4f} (goal <= {ECE_GOAL}); Brier {figures['brier']:.4f} against "
        f"{figures['brier_base_rate']:.4f} for the base rate, {brier_gain:.1%} better (goal >= "
        f"{BRIER_GAIN_GOAL:.0%}); mean predicted {figures['mean_probability']:.4f}, {mean_gap * 100:.2f} "
        f"points from the observed {figures['default_rate']:.4f} (goal <= {MEAN_GAP_GOAL * 100:.1f})"
    )
    return figures["ece"] <= ECE_GOAL and brier_gain >= BRIER_GAIN_GOAL and mean_gap <= MEAN_GAP_GOAL


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--bundle", type=Path, help="keep the (last) trained bundle here")
    parser.add_argument("--folds", type=int, help="K stratified folds instead of the id split")
    parser.add_argument("--code", type=Path, default=REPO, help="the source tree to run (default: this one)")
    args = parser.parse_args()
    source = REAL_SAMPLE / "application_train.csv"
    if not source.is_file():
        print(f"the real sample is not at {REAL_SAMPLE}", file=sys.stderr)
        return 2
    with source.open(newline="") as file:
        reader = csv.reader(file)
        header = next(reader)
        rows = list(reader)
    ids = np.array([int(row[header.index("SK_ID_CURR")]) for row in rows])
    if args.folds:
        targets = np.array([int(row[header.index("TARGET")]) for row in rows])
        folds = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=args.seed)
        held_out_rows = [set(held.tolist()) for _, held in folds.split(ids.reshape(-1, 1), targets)]
    else:
        held_out_rows = [set(np.flatnonzero(ids > LAST_TRAINING_ID).tolist())]
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        for k, held in enumerate(held_out_rows):
            work = Path(scratch) / f"fold-{k}"
            train, held_out = split(header, rows, held, work)
            bundle = args.bundle or work / "bundle"
            results.append(train_and_evaluate(train, held_out, args.seed, args.code.resolve(), work, bundle))
    met = [report(f"fold {k + 1} of {len(results)}", result) for k, result in enumerate(results)]
    if len(results) > 1:
        met = [report("pooled", pooled(results))]
    return 0 if all(met) else 1


if __name__ == "__main__":
    sys.exit(main())
