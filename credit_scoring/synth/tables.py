"""The seven synthetic Home Credit tables, linked by their keys, as pandas DataFrames.

Random streams: one child of `numpy.random.SeedSequence(seed)` per step (identifiers, applications,
defaults, bureau, previous applications, repayments), so the same seed always gives the same
tables, and changing how one table is generated leaves the others' draws untouched.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from credit_scoring.schema import (
    APPLICATION,
    APPLICATION_TEST,
    CATEGORY,
    CLIENT_ID,
    FLOAT,
    INT,
    TABLES,
    TARGET,
)
from credit_scoring.synth.application import generate_application
from credit_scoring.synth.bureau import generate_bureau
from credit_scoring.synth.marginals import load_stats
from credit_scoring.synth.previous import generate_previous
from credit_scoring.synth.repayments import generate_repayments
from credit_scoring.synth.risk import application_logit, behaviour_score, draw_target
from credit_scoring.synth.volume import LIGHT, Volume

CLIENT_IDS = (100_000, 999_999)
"""SK_ID_CURR: six digits, like Kaggle's (100002 to 456255)."""
PREVIOUS_IDS = (1_000_000, 4_999_999)
"""SK_ID_PREV: seven digits, like Kaggle's (1000001 to 2845382)."""
BUREAU_IDS = (5_000_000, 9_999_999)
"""SK_ID_BUREAU: seven digits, like Kaggle's (5000000 to 6843457)."""
MAX_CLIENTS = 500_000
"""Largest synthetic population: the six-digit SK_ID_CURR range holds 900,000 ids, and the
history tables of half a million clients already take several gigabytes of memory."""
_STREAMS = ("ids", "application", "target", "bureau", "previous", "repayments", "shape")
"""Appending a stream leaves the others' draws as they were (SeedSequence children are keyed by
position)."""


def applicant_count(n_clients: int, volume: Volume) -> int:
    """application_test clients generated beside `n_clients` training clients."""
    return round(n_clients * volume.applicant_share)


def generate_tables(n_clients: int, seed: int, volume: Volume = LIGHT) -> dict[str, pd.DataFrame]:
    """All seven tables for `n_clients` synthetic training clients, keyed by Kaggle table name, plus
    application_test when `volume` has applicants.

    Columns, their order and kinds are those of `credit_scoring.schema.TABLES`: int64 for int
    columns, float64 with NaN for float columns, strings with NaN for category columns. With `LIGHT`,
    every history row's SK_ID_CURR is an application_train client's, every bureau_balance SK_ID_BUREAU a
    bureau row's; `KAGGLE` adds the shapes of Kaggle's download (`synth.volume`).
    """
    total = n_clients + applicant_count(n_clients, volume)
    if n_clients < 1 or total > MAX_CLIENTS:
        largest = int(MAX_CLIENTS / (1.0 + volume.applicant_share))
        raise ValueError(f"n_clients must be between 1 and {largest:,}, not {n_clients:,}")
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

    application = generate_application(total, streams["application"], application_stats)
    client_ids = np.sort(_unique_ids(CLIENT_IDS, total, streams["ids"]))
    logit = application_logit(application, application_stats["risk"])
    hidden = streams["target"].standard_normal(total)
    application[CLIENT_ID] = client_ids
    application[TARGET] = draw_target(logit, hidden, application_stats["default_rate"], streams["target"])
    behaviour = behaviour_score(logit, hidden, application_stats["risk"])

    birth = application["DAYS_BIRTH"]
    # Credit histories start no earlier than working life does in the real data.
    adult_age = application_stats["earliest_days_after_birth"]["DAYS_EMPLOYED"]
    bureau, balance = generate_bureau(birth, behaviour, adult_age, streams["bureau"], stats, volume)
    previous = generate_previous(
        birth, behaviour, adult_age, streams["previous"], stats, volume.applications_per_client
    )
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
    tables = {table: to_frame(table, values) for table, values in columns.items()}
    return kaggle_shapes(tables, total - n_clients, volume, streams["shape"])


def kaggle_shapes(
    tables: dict[str, pd.DataFrame], applicants: int, volume: Volume, rng: np.random.Generator
) -> dict[str, pd.DataFrame]:
    """`applicants` clients moved to application_test (TARGET dropped, history kept), and the bureau
    and previous_application rows of `volume`'s unlisted shares left out (their monthly rows kept)."""
    shaped = dict(tables)
    if applicants:
        train = tables[APPLICATION]
        chosen = np.zeros(len(train), dtype=bool)
        chosen[rng.choice(len(train), size=applicants, replace=False)] = True
        shaped[APPLICATION] = train[~chosen].reset_index(drop=True)
        shaped[APPLICATION_TEST] = train[chosen].drop(columns=TARGET).reset_index(drop=True)
    # Each shape is skipped when its share is 0, so that the light volume's tables are not copied.
    if volume.unlisted_credit_share:
        bureau = tables["bureau"]
        reported = bureau["SK_ID_BUREAU"].isin(tables["bureau_balance"]["SK_ID_BUREAU"]).to_numpy()
        unlisted = reported & (rng.random(len(bureau)) < volume.unlisted_credit_share)
        shaped["bureau"] = bureau[~unlisted].reset_index(drop=True)
    if volume.unlisted_card_share or volume.unlisted_loan_share:
        previous = tables["previous_application"]
        cards = previous["SK_ID_PREV"].isin(tables["credit_card_balance"]["SK_ID_PREV"]).to_numpy()
        repaid = previous["SK_ID_PREV"].isin(tables["installments_payments"]["SK_ID_PREV"]).to_numpy()
        draw = rng.random(len(previous))
        unlisted = (cards & (draw < volume.unlisted_card_share)) | (
            repaid & ~cards & (draw < volume.unlisted_loan_share)
        )
        shaped["previous_application"] = previous[~unlisted].reset_index(drop=True)
    if volume.split_payment_share:
        shaped["installments_payments"] = _split_payments(
            tables["installments_payments"], volume.split_payment_share, rng
        )
    return shaped


def _split_payments(payments: pd.DataFrame, share: float, rng: np.random.Generator) -> pd.DataFrame:
    """`share` of the paid instalments paid in two parts: the first part on the day it was paid, the
    rest up to 30 days later, each row with its part of AMT_PAYMENT (cents kept whole)."""
    paid = payments["AMT_PAYMENT"].notna().to_numpy()
    split = np.flatnonzero(paid & (rng.random(len(payments)) < share))
    if not split.size:
        return payments
    amount = payments["AMT_PAYMENT"].to_numpy()
    first_part = np.round(amount[split] * rng.uniform(0.2, 0.8, split.size), 2)
    first = payments.copy()
    first.loc[first.index[split], "AMT_PAYMENT"] = first_part
    rest = payments.iloc[split].copy()
    rest["AMT_PAYMENT"] = np.round(amount[split] - first_part, 2)
    rest["DAYS_ENTRY_PAYMENT"] = np.minimum(
        rest["DAYS_ENTRY_PAYMENT"].to_numpy() + rng.integers(1, 31, split.size), -1.0
    )
    order = np.argsort(np.concatenate([np.arange(len(payments)), split]), kind="stable")
    return pd.concat([first, rest], ignore_index=True).iloc[order].reset_index(drop=True)


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
