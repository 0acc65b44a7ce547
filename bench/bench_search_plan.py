"""A search plan's comparison time at Kaggle's volume, projected from a few configurations per candidate.

    .venv/bin/python bench/bench_search_plan.py [--plan full] [--clients 50000] [--configs 2]
        [--smote-configs 1] [--data DIR] [--sample N] [--reuse CANDIDATE]

The comparison runs on the plan's stratified sample of training clients, so its time does not depend on
the volume once the training split is larger than the sample: 50,000 synthetic clients (`synth --volume
kaggle`) give the full plan's 40,000. For each candidate, the first `--configs` of the configurations
the plan draws (`--smote-configs` for the SMOTE samplers, whose neighbour searches dominate) are
cross-validated on the plan's folds with `--jobs` parallel fits, exactly as `train` does; the time per
configuration times the plan's number of configurations is that candidate's projected time. Prints
one line per candidate and the projected total. A single configuration's five folds on two jobs leave
a job idle for a round that a full search would fill, so a projection from one configuration is
pessimistic by up to a sixth.

With `--reuse CANDIDATE` (a SMOTE candidate, e.g. logreg-smote_tomek), that candidate's every
configuration is cross-validated twice instead, without and with the reuse of each fold's resampling
that `train` makes (`training.search.resampling_cache`); both times, their ratio and whether the two
score every configuration alike are printed. `--sample N` compares on N training clients instead of
the plan's sample, for a shorter run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from credit_scoring.training.candidates import Candidate
    from credit_scoring.training.search import Fold

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", choices=("quick", "full"), default="full")
    parser.add_argument("--clients", type=int, default=50_000, help="synthetic clients to generate")
    parser.add_argument("--data", type=Path, help="a Kaggle-layout directory instead of synthetic clients")
    parser.add_argument("--configs", type=int, default=2, help="configurations timed per candidate")
    parser.add_argument("--smote-configs", type=int, default=1, help="the same for the SMOTE samplers")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work", type=Path, default=REPO / "build" / "bench-search-plan")
    parser.add_argument("--sample", type=int, help="training clients compared (default: the plan's sample)")
    parser.add_argument(
        "--reuse", metavar="CANDIDATE", help="time CANDIDATE with and without resampling reuse"
    )
    args = parser.parse_args()

    from credit_scoring.data import load_data
    from credit_scoring.training.candidates import SEARCH_PLANS, SMOTE_SAMPLERS, candidates
    from credit_scoring.training.feature_frame import build_applicant_features
    from credit_scoring.training.search import cross_validate, draw_configs, stratified_folds
    from credit_scoring.training.train import TrainingOptions, search_sample, split_indices

    print(f"command: python bench/bench_search_plan.py {' '.join(sys.argv[1:])}")
    print(f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}", flush=True)
    data = args.data
    if data is None:
        data = args.work / f"data-{args.clients}"
        args.work.mkdir(parents=True, exist_ok=True)
        if not (data / "application_train.csv").exists():
            command = ["synth", "--volume", "kaggle", "--clients", str(args.clients), "--out", str(data)]
            subprocess.run([sys.executable, "-m", "credit_scoring", *command], check=True, cwd=REPO)
    plan = SEARCH_PLANS[args.plan]
    options = TrainingOptions(plan=plan, seed=args.seed, n_jobs=args.jobs)
    started = time.perf_counter()
    frame, _ = build_applicant_features(load_data(data, history=True).tables, options.protected)
    seconds = time.perf_counter() - started
    print(f"{frame.ids.size:,} clients × {len(frame.names)} features in {seconds:.0f} s")
    train_rows, _ = split_indices(frame.target, options.test_size, args.seed)
    y_train = frame.target[train_rows]
    sample = train_rows[search_sample(y_train, args.sample or plan.search_clients, args.seed)]
    X, y = frame.X[sample], frame.target[sample]
    folds = stratified_folds(y, plan.folds, args.seed)
    pool = candidates(plan, args.seed, float(np.sum(y == 0) / np.sum(y == 1)))
    print(f"plan {plan.name}: {y.size:,} clients compared, {plan.folds} folds, {args.jobs} jobs", flush=True)

    if args.reuse is not None:
        named = {candidate.name: candidate for candidate in pool}
        if args.reuse not in named:
            raise SystemExit(f"--reuse: no candidate {args.reuse!r}; the plan's are {', '.join(named)}")
        candidate = named[args.reuse]
        configs = draw_configs(candidate.space, candidate.configs, args.seed)
        return time_reuse(candidate, configs, X, y, folds, args.jobs)

    total = 0.0
    for candidate in pool:
        configs = draw_configs(candidate.space, candidate.configs, args.seed)
        timed = args.smote_configs if candidate.imbalance in SMOTE_SAMPLERS else args.configs
        timed = min(timed, len(configs))
        began = time.perf_counter()
        cross_validate(candidate, configs[:timed], X, y, folds, args.jobs)
        per_config = (time.perf_counter() - began) / timed
        projected = per_config * len(configs)
        total += projected
        print(
            f"{candidate.name:<32} {per_config:7.1f} s per configuration ({timed} timed) × "
            f"{len(configs):>2} = {projected:6.0f} s",
            flush=True,
        )
    print(f"projected comparison of plan {plan.name}: {total:.0f} s ({total / 3600:.1f} h)")
    return 0


def time_reuse(
    candidate: Candidate,
    configs: list[dict[str, Any]],
    X: np.ndarray,
    y: np.ndarray,
    folds: list[Fold],
    jobs: int,
) -> int:
    """Cross-validate `candidate`'s `configs` without, then with, the reuse of each fold's resampling;
    print both times and whether every configuration scored alike (exit status 1 if not)."""
    from credit_scoring.training.search import cross_validate, resampling_cache

    began = time.perf_counter()
    without = cross_validate(candidate, configs, X, y, folds, jobs)
    between = time.perf_counter()
    with resampling_cache(candidate, configs) as cache:
        reused = cross_validate(candidate, configs, X, y, folds, jobs, cache)
    ended = time.perf_counter()
    alike = all(
        np.array_equal(a.oof, b.oof) and a.cv_auc == b.cv_auc for a, b in zip(without, reused, strict=True)
    )
    print(f"{candidate.name}: {len(configs)} configurations × {len(folds)} folds, {jobs} jobs")
    print(f"  resampled for every configuration: {between - began:7.0f} s")
    ratio = (ended - between) / (between - began)
    print(f"  reused across configurations:     {ended - between:7.0f} s   ({ratio:.2f}×)")
    print(f"  every configuration scored alike: {'yes' if alike else 'NO'}")
    return 0 if alike else 1


if __name__ == "__main__":
    sys.exit(main())
