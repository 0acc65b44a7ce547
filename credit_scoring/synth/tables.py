"""The seven synthetic Home Credit tables, linked by their keys, as pandas DataFrames.

Random streams: one child of `numpy.random.SeedSequence(seed)` per step (identifiers, applications,
defaults, bureau, previous applications, repayments), so the same seed always gives the same
tables, and changing how one table is generated leaves the others' draws untouched.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from credit_scoring.schema import APPLICATION, CATEGORY, CLIENT_ID, FLOAT, INT, TABLES, TARGET
from credit_scoring.synth.application import generate_application
from credit_scoring.synth.bureau import generate_bureau
from credit_scoring.synth.marginals import load_stats
from credit_scoring.synth.previous import generate_previous
from credit_scoring.synth.repayments import generate_repayments
from credit_scoring.synth.risk import application_logit, behaviour_score, draw_target

CLIENT_IDS = (100_000, 999_999)
"""SK_ID_CURR: six digits, like Kaggle's (100002 to 456255)."""
PREVIOUS_IDS = (1_000_000, 4_999_999)
"""SK_ID_PREV: seven digits, like Kaggle's (1000001 to 2845382)."""
BUREAU_IDS = (5_000_000, 9_999_999)
"""SK_ID_BUREAU: seven digits, like Kaggle's (5000000 to 6843457)."""
MAX_CLIENTS = 500_000
"""Largest synthetic population: the six-digit SK_ID_CURR range holds 900,000 ids, and the
history tables of half a million clients already take several gigabytes of memory."""
_STREAMS = ("ids", "application", "target", "bureau", "previous", "repayments")


def generate_tables(n_clients: int, seed: int) -> dict[str, pd.DataFrame]:
    """All seven tables for `n_clients` synthetic clients, keyed by Kaggle table name.

    Columns, their order and kinds are those of `credit_scoring.schema.TABLES`: int64 for int
    columns, float64 with NaN for float columns, strings with NaN for category columns. Every
    history row's SK_ID_CURR is an application's, every bureau_balance SK_ID_BUREAU a bureau row's.
    """
    if not 1 <= n_clients <= MAX_CLIENTS:
        raise ValueError(f"n_clients must be between 1 and {MAX_CLIENTS:,}, not {n_clients:,}")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, not {seed}")
    streams = dict(
        zip(
            _STREAMS,
            map(np.random.default_rng, np.random.SeedSequence(seed).spawn(len(_STREAMS))),
            strict=True,
        )
    )
    stats = load_stats()
    application_stats = stats[APPLICATION]

    application = generate_application(n_clients, streams["application"], application_stats)
    client_ids = np.sort(_unique_ids(CLIENT_IDS, n_clients, streams["ids"]))
    logit = application_logit(application, application_stats["risk"])
    hidden = streams["target"].standard_normal(n_clients)
    application[CLIENT_ID] = client_ids
    application[TARGET] = draw_target(logit, hidden, application_stats["default_rate"], streams["target"])
    behaviour = behaviour_score(logit, hidden, application_stats["risk"])

    birth = application["DAYS_BIRTH"]
    # Credit histories start no earlier than working life does in the real data.
    adult_age = application_stats["earliest_days_after_birth"]["DAYS_EMPLOYED"]
    bureau, balance = generate_bureau(birth, behaviour, adult_age, streams["bureau"], stats)
    previous = generate_previous(birth, behaviour, adult_age, streams["previous"], stats)
    installments, pos, cards = generate_repayments(previous, behaviour, streams["repayments"], stats)

    bureau_ids = _unique_ids(BUREAU_IDS, len(bureau["client"]), streams["ids"])
    previous_ids = _unique_ids(PREVIOUS_IDS, len(previous["client"]), streams["ids"])
    bureau.update(SK_ID_CURR=client_ids[bureau.pop("client")], SK_ID_BUREAU=bureau_ids)
    balance["SK_ID_BUREAU"] = bureau_ids[balance.pop("credit")]
    previous_clients = client_ids[previous.pop("client")]
    previous.update(SK_ID_CURR=previous_clients, SK_ID_PREV=previous_ids)
    for rows in (installments, pos, cards):
        loan = rows.pop("loan")
        rows.update(SK_ID_CURR=previous_clients[loan], SK_ID_PREV=previous_ids[loan])

    columns = {
        APPLICATION: application,
        "bureau": bureau,
        "bureau_balance": balance,
        "previous_application": previous,
        "POS_CASH_balance": pos,
        "installments_payments": installments,
        "credit_card_balance": cards,
    }
    return {table: to_frame(table, values) for table, values in columns.items()}


def _unique_ids(bounds: tuple[int, int], count: int, rng: np.random.Generator) -> np.ndarray:
    """`count` distinct integers drawn from the inclusive range `bounds`, in random order."""
    low, high = bounds
    return low + rng.choice(high - low + 1, size=count, replace=False).astype(np.int64)


def to_frame(table: str, columns: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """A DataFrame with exactly the schema's columns of `table`, in order, each of its schema kind."""
    schema = TABLES[table]
    if set(columns) != set(schema):
        raise ValueError(
            f"{table}: generated columns differ from the schema: "
            f"missing {sorted(set(schema) - set(columns))}, unexpected {sorted(set(columns) - set(schema))}"
        )
    return pd.DataFrame(
        {name: _as_kind(f"{table}.{name}", columns[name], kind) for name, kind in schema.items()}
    )


def _as_kind(name: str, values: np.ndarray, kind: str) -> np.ndarray | pd.Series:
    if kind == INT:
        numbers = np.asarray(values, dtype=float)
        if np.isnan(numbers).any():
            raise ValueError(f"{name}: an int column cannot hold missing values")
        return np.rint(numbers).astype(np.int64)
    if kind == FLOAT:
        return np.asarray(values, dtype=np.float64)
    if kind == CATEGORY:
        # pandas infers its string dtype from an object array of str (NaN stays missing).
        return pd.Series(np.asarray(values, dtype=object))
    raise ValueError(f"{name}: unknown column kind {kind!r}")
