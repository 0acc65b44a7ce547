"""What the history tables add, on real clients: the same training with and without them, same split.

    .venv/bin/python bench/bench_history.py [--seed 42]

On ../shared/data/home-credit-linked (5,000 training clients with five linked history tables) and on
../shared/data/home-credit-sample (6,999 clients whose history rows are not linked to them), `train
--search quick` runs twice with the same seed, so the same stratified split and folds: once as the
data is, once with `--application-only`. Prints the champions' CV and held-out AUC and business cost.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
DATA = {
    "home-credit-linked": SHARED / "home-credit-linked",
    "home-credit-sample": SHARED / "home-credit-sample",
}


def train(data: Path, out: Path, seed: int, *extra: str) -> dict:
    command = [sys.executable, "-m", "credit_scoring", "train", "--data", str(data), "--out", str(out)]
    subprocess.run(
        [*command, "--seed", str(seed), "--store-clients", "100", *extra],
        check=True,
        cwd=REPO,
        capture_output=True,
    )
    manifest = json.loads((out / "manifest.json").read_text())
    return {
        "champion": manifest["model"]["provenance"]["training"]["champion"],
        "cv_auc": manifest["metrics"]["cv"]["auc"],
        "cv_cost": manifest["metrics"]["cv"]["business_cost"],
        "test_auc": manifest["metrics"]["test"]["auc"],
        "test_cost": manifest["metrics"]["test"]["business_cost"],
        "test_n": manifest["metrics"]["test"]["n"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    missing = [str(path) for path in DATA.values() if not path.is_dir()]
    if missing:
        print(f"the real data is not at {', '.join(missing)}", file=sys.stderr)
        return 2
    print(f"command: python bench/bench_history.py --seed {args.seed}")
    print(f"{'data':<20} {'tables':<17} {'champion':<31} CV AUC  CV cost  test AUC  test cost")
    results = {}
    with tempfile.TemporaryDirectory() as work:
        for name, data in DATA.items():
            for label, extra in (("with history", ()), ("application only", ("--application-only",))):
                row = train(data, Path(work) / f"{name}-{len(extra)}", args.seed, *extra)
                results[f"{name} {label}"] = row
                print(
                    f"{name:<20} {label:<17} {row['champion']:<31} {row['cv_auc']:.4f}  {row['cv_cost']:.4f}"
                    f"   {row['test_auc']:.4f}    {row['test_cost']:.4f}  ({row['test_n']:,} held out)",
                    flush=True,
                )
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
