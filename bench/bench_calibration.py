"""Calibration on real clients no model saw: train on part of the real sample, evaluate on the rest.

    .venv/bin/python bench/bench_calibration.py [--seed 42] [--bundle DIR]

The real sample's application_train.csv (6,999 clients) is split by SK_ID_CURR: the first 5,000
clients (the training clients of ../shared/data/home-credit-linked) train with `credit-scoring train
--application-only --search quick`; the 1,999 after them are never seen by training, calibration or
the threshold search, and `credit-scoring evaluate` scores them with the bundle as serving would. Goals
on those clients: ECE <= 0.02 (10 equal-count bins), Brier at least 5% better than the base rate's,
mean predicted probability within 1.5 points of the observed default rate. AUC and business cost are
printed beside those of the code before calibration, measured the same way (docs/benchmarks.md).

Exits 1 when a goal is missed (every figure is still printed).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REAL_SAMPLE = REPO.parent / "shared" / "data" / "home-credit-sample"
LAST_TRAINING_ID = 105849
"""The last client of home-credit-linked's application_train: the training part ends with it."""
ECE_GOAL = 0.02
BRIER_GAIN_GOAL = 0.05
MEAN_GAP_GOAL = 0.015


def split(source: Path, out: Path) -> tuple[Path, Path]:
    """application_train.csv of the training and the held-out clients, in two directories."""
    train, held_out = out / "train", out / "held-out"
    with source.open(newline="") as file:
        reader = csv.reader(file)
        header = next(reader)
        rows = list(reader)
    column = header.index("SK_ID_CURR")
    for directory, keep in ((train, True), (held_out, False)):
        directory.mkdir(parents=True)
        with (directory / "application_train.csv").open("w", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(header)
            writer.writerows(row for row in rows if (int(row[column]) <= LAST_TRAINING_ID) == keep)
    return train, held_out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--bundle", type=Path, help="keep the trained bundle here")
    args = parser.parse_args()
    if not (REAL_SAMPLE / "application_train.csv").is_file():
        print(f"the real sample is not at {REAL_SAMPLE}", file=sys.stderr)
        return 2
    cli = [sys.executable, "-m", "credit_scoring"]
    with tempfile.TemporaryDirectory() as scratch:
        train, held_out = split(REAL_SAMPLE / "application_train.csv", Path(scratch))
        bundle = args.bundle or Path(scratch) / "bundle"
        subprocess.run(
            [*cli, "train", "--data", str(train), "--out", str(bundle), "--overwrite", "--application-only",
             "--search", "quick", "--seed", str(args.seed), "--store-clients", "300"],
            check=True, stdout=subprocess.DEVNULL, cwd=scratch,
        )  # fmt: skip
        evaluated = subprocess.run(
            [*cli, "evaluate", "--bundle", str(bundle), "--data", str(held_out), "--application-only"],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
    result = json.loads(evaluated.stdout.strip().splitlines()[-1])
    calibration = result["calibration"]
    brier_gain = 1 - calibration["brier"] / calibration["brier_base_rate"]
    mean_gap = abs(calibration["mean_probability"] - calibration["default_rate"])
    print(f"held-out real clients: {result['n']:,}, observed default rate {calibration['default_rate']:.4f}")
    cost = result["business_cost"]
    print(f"AUC {result['auc']:.4f}; business cost {cost:.4f} at threshold {result['threshold']:.3f}")
    print(f"ECE {calibration['ece']:.4f} (goal <= {ECE_GOAL})")
    print(
        f"Brier {calibration['brier']:.4f} against {calibration['brier_base_rate']:.4f} for the base rate: "
        f"{brier_gain:.1%} better (goal >= {BRIER_GAIN_GOAL:.0%})"
    )
    print(
        f"mean predicted {calibration['mean_probability']:.4f}, {mean_gap * 100:.2f} points from the "
        f"observed rate (goal <= {MEAN_GAP_GOAL * 100:.1f})"
    )
    met = calibration["ece"] <= ECE_GOAL and brier_gain >= BRIER_GAIN_GOAL and mean_gap <= MEAN_GAP_GOAL
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
