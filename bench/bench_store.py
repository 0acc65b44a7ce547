"""One-client lookup in the memory-mapped store, against a dict of rows and a pandas `.loc`.

    .venv/bin/python bench/bench_store.py [--clients 300000] [--features 413] [--lookups 20000]

Writes a store of random clients (with their scores by a linear scorer of random coefficients) with
`FeatureStore.write` into a temporary directory and opens it the way serving does: ids and block digests
verified in full, the feature matrix and the scores memory-mapped and each of their 16 KiB blocks
verified against its sha256 on first read. Times `FeatureStore.lookup` of random stored
ids, one call at a time, against two baselines measured in the same run on the same ids: a dict
{id: row} in memory (the fastest possible lookup, but the whole store read at cold start) and the
predecessor's pandas DataFrame indexed by SK_ID_CURR (`.loc[id]`). The store is timed twice: the first
pass verifies the blocks it touches, the second finds them verified. Also prints what a cold start pays
for the store, against hashing all of it. Exits non-zero when the store's p50 exceeds 50 µs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# The repository root is put on sys.path first.
from credit_scoring.bundle.blocks import BLOCK_SIZE, BLOCKS_SUFFIX  # noqa: E402
from credit_scoring.bundle.integrity import sha256_file  # noqa: E402
from credit_scoring.bundle.manifest import FEATURES_FILE, IDS_FILE, SCORES_FILE, StoreSpec  # noqa: E402
from credit_scoring.bundle.store import FeatureStore  # noqa: E402
from credit_scoring.reasons.grounds import DecisionGrounds  # noqa: E402
from credit_scoring.scoring.linear import LinearModel  # noqa: E402
from credit_scoring.scoring.scorer import MAX_REASONS, Scorer  # noqa: E402

TARGET_P50_US = 50.0


def percentiles_us(lookup: Callable[[int], object], ids: np.ndarray) -> tuple[float, float]:
    """p50 and p99 in microseconds of one call per id, timed one by one."""
    times = np.empty(len(ids))
    clock = time.perf_counter_ns
    for i, client_id in enumerate(ids.tolist()):
        start = clock()
        lookup(client_id)
        times[i] = clock() - start
    return float(np.percentile(times, 50)) / 1e3, float(np.percentile(times, 99)) / 1e3


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=300_000)
    parser.add_argument(
        "--features", type=int, default=413, help="default: the application + history features"
    )
    parser.add_argument("--lookups", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import pandas as pd

    rng = np.random.default_rng(args.seed)
    ids = np.sort(rng.choice(np.arange(100_000, 1_000_000), size=args.clients, replace=False))
    X = rng.normal(size=(args.clients, args.features))
    names = [f"F{j}" for j in range(args.features)]
    model = LinearModel(names, rng.normal(size=args.features) / 10, -2.0)
    scores = Scorer(model, 0.5).scores(X)
    grounds = DecisionGrounds(names, MAX_REASONS, None).table(X, model.contributions(X))
    queries = rng.choice(ids, size=args.lookups)

    with tempfile.TemporaryDirectory(prefix="bench-store-") as directory:
        bundle = Path(directory)
        FeatureStore.write(bundle, ids, X, scores, grounds)
        size_mb = sum(p.stat().st_size for p in (bundle / "store").iterdir()) / 1e6

        start = time.perf_counter()
        for name in (IDS_FILE, FEATURES_FILE + BLOCKS_SUFFIX, SCORES_FILE + BLOCKS_SUFFIX):  # hashed in full
            sha256_file(bundle / name)
        spec = StoreSpec(clients=args.clients, contributions=False, applications=False, block_size=BLOCK_SIZE)
        store = FeatureStore.open(bundle, spec, args.features)
        open_ms = (time.perf_counter() - start) * 1e3
        start = time.perf_counter()
        sha256_file(bundle / FEATURES_FILE)
        full_hash_ms = (time.perf_counter() - start) * 1e3

        first_pass = percentiles_us(store.lookup, queries)
        rows = {int(client_id): X[i] for i, client_id in enumerate(ids)}
        frame = pd.DataFrame(X, index=pd.Index(ids, name="SK_ID_CURR"))
        timings = {
            "store, blocks verified": percentiles_us(store.lookup, queries),
            "store, first read of blocks": first_pass,
            "dict of rows (in memory)": percentiles_us(rows.get, queries),
            "pandas .loc (in memory)": percentiles_us(frame.loc.__getitem__, queries),
        }
        for client_id in queries[:100].tolist():  # the three return the same row
            assert np.array_equal(store.lookup(client_id), rows[client_id])
            assert np.array_equal(store.lookup(client_id), frame.loc[client_id].to_numpy())

    print(f"store: {args.clients:,} clients x {args.features} features, {size_mb:,.0f} MB on disk")
    print(f"cold start: {open_ms:.1f} ms to verify the ids and block digests and open the store")
    print(f"            ({full_hash_ms:.0f} ms if the feature matrix were hashed in full instead)")
    print(f"{'lookup of one client':30} {'p50 µs':>9} {'p99 µs':>9} {'p50 / store':>12}")
    store_p50 = timings["store, blocks verified"][0]
    for name, (p50, p99) in timings.items():
        print(f"{name:30} {p50:9.2f} {p99:9.2f} {p50 / store_p50:12.2f}")
    verdict = "met" if store_p50 <= TARGET_P50_US else "MISSED"
    print(f"target p50 <= {TARGET_P50_US:.0f} µs: {verdict} ({store_p50:.2f} µs)")
    return 0 if store_p50 <= TARGET_P50_US else 1


if __name__ == "__main__":
    raise SystemExit(main())
