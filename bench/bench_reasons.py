"""Reasons an officer can say: on sampled stored clients of a bundle, how many decisions have a reason
that is a raw model code, two reasons about one fact (one family), or a one-hot feature stated as
"= No", before (the feature-level reasons the API served until issue 12, as the scorer still gives them)
and after (the principal reasons in words); and what wording the reasons costs a decision.

    .venv/bin/python bench/bench_reasons.py [--bundle model_artifacts/default] [--clients 300] [--seed 0]
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

import numpy as np

from credit_scoring.bundle.loader import load_bundle
from credit_scoring.decisions.service import DecisionService
from credit_scoring.reasons import catalogue

RAW_CODE = re.compile(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b")
"""A model code as the officer would see it: EXT_SOURCE_3, INST_DAYS_BEFORE_DUE_MEAN, FLAG_DOCUMENT_6."""


def _share(flags: list[bool]) -> str:
    return f"{100 * sum(flags) / len(flags):.1f} % ({sum(flags)} of {len(flags)})" if flags else "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=Path("model_artifacts/default"))
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    bundle = load_bundle(args.bundle)
    service = DecisionService(bundle)
    ids = np.random.default_rng(args.seed).choice(bundle.store.ids, size=args.clients, replace=False)
    rows: dict[str, dict[str, list[bool]]] = {
        key: {"all": [], "refused": []}
        for key in ("raw_before", "raw_after", "twice_before", "twice_after", "no_before", "no_after")
    }
    timings = []
    for client_id in ids.tolist():
        client = service.find(client_id)
        served = service.decide_stored_client(client)
        started = time.perf_counter()
        principal = service.principal_reasons(served, "fr")
        timings.append(time.perf_counter() - started)
        # Before: the four features with the largest contributions, by name, with their raw values.
        (score,) = bundle.store.scores([client.row])
        before = [
            (bundle.manifest.feature_names[j], served.features.item(j))
            for j in score["reason_index"].tolist()
            if j >= 0
        ]
        families_before = [catalogue.entry(name).family.key for name, _ in before]
        shown = " ".join(f"{r['statement']} {r['label']} {r['value_text']}" for r in principal)
        flags = {
            "raw_before": bool(before),  # the API said the feature's name only
            "raw_after": RAW_CODE.search(shown) is not None,
            "twice_before": len(set(families_before)) < len(families_before),
            "twice_after": len({r["family"] for r in principal}) < len(principal),
            "no_before": any("=" in name and value == 0.0 for name, value in before),
            "no_after": any(r["value_text"] in ("non", "no") and r["unit"] == "category" for r in principal),
        }
        for key, flag in flags.items():
            rows[key]["all"].append(flag)
            if served.decision.decision == "refused":
                rows[key]["refused"].append(flag)

    print(f"bundle {bundle.manifest.model_version}, {args.clients} clients sampled (seed {args.seed})")
    for key, label in (
        ("raw", "a reason that is a raw model code"),
        ("twice", "two reasons about one fact (one family)"),
        ("no", 'a one-hot reason stated as "= No"'),
    ):
        for group in ("all", "refused"):
            print(
                f"{label:<42} {group:<8} before {_share(rows[key + '_before'][group]):<22} "
                f"after {_share(rows[key + '_after'][group])}"
            )
    micro = np.array(timings) * 1e6
    print(
        "wording the principal reasons of one decision: "
        f"p50 {np.median(micro):.1f} µs, p99 {np.percentile(micro, 99):.1f} µs"
    )
    print(
        "command: .venv/bin/python bench/bench_reasons.py "
        + " ".join(f"--{k} {v}" for k, v in vars(args).items())
    )


if __name__ == "__main__":
    main()
