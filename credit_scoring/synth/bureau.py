"""Synthetic bureau and bureau_balance rows: the clients' credits at other institutions, month by month.

Every column is drawn from the marginals fitted per CREDIT_ACTIVE status; relations between columns
follow the fitted derived quantities (end date = start + term, debt = share x amount...). A client's
payment behaviour drives the monthly days-past-due statuses, the current overdue of active credits
and the maximum overdue ever recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from credit_scoring.synth.marginals import GroupedMarginals, RowGroups, pick, reorder
from credit_scoring.synth.risk import coupled_levels
from credit_scoring.synth.rows import expand
from credit_scoring.synth.volume import LIGHT, Volume

ColumnArrays = dict[str, np.ndarray]

CREDITS_DISPERSION = 1.3
"""Negative-binomial shape: with this mean about 15% of clients have no bureau record, as in Kaggle."""
MAX_BALANCE_MONTHS = 96
DAYS_PER_MONTH = 30.4375
STATUS_STRENGTH = 0.6
"""Coupling of the monthly days-past-due status with the client's payment behaviour."""
MAX_OVERDUE_STRENGTH = 0.5
DPD_STATUSES = ("0", "1", "2", "3", "4", "5")
"""bureau_balance STATUS of a reported month: 0 = no days past due, k = up to 30k days past due, 5 = 120+
or written off. "C" marks a closed credit's months, "X" an unknown status."""
CLOSED, UNKNOWN = "C", "X"


def generate_bureau(
    birth_days: np.ndarray,
    behaviour: np.ndarray,
    adult_age_days: float,
    rng: np.random.Generator,
    stats: Mapping[str, Any],
    volume: Volume = LIGHT,
) -> tuple[ColumnArrays, ColumnArrays]:
    """bureau rows (with a "client" index column in place of SK_ID_CURR and SK_ID_BUREAU) and
    bureau_balance rows (with a "credit" index into the bureau rows), for clients with these
    DAYS_BIRTH and behaviour scores; no credit starts before `adult_age_days` of age. `volume` sets
    the credits per client and the share reported monthly."""
    marginals = GroupedMarginals(stats["bureau"]["marginals"])
    status_spec = GroupedMarginals(stats["bureau_balance"]["marginals"]).spec("STATUS")
    adult_years = -birth_days - adult_age_days
    # Older clients have had time for more credits.
    expected = volume.credits_per_client * adult_years / adult_years.mean()
    counts = rng.negative_binomial(CREDITS_DISPERSION, CREDITS_DISPERSION / (CREDITS_DISPERSION + expected))
    client, _ = expand(counts)
    n = len(client)
    b = behaviour[client]
    status = marginals.draw("CREDIT_ACTIVE", rng, RowGroups.pooled(n))
    by_status = RowGroups.of(status)

    def column(name: str, **options: Any) -> np.ndarray:
        return marginals.draw(name, rng, by_status, **options)

    start = np.maximum(column("DAYS_CREDIT"), np.ceil(birth_days[client] + adult_age_days))
    amount = column("AMT_CREDIT_SUM")
    debt = np.round(amount * column("DEBT_SHARE"), 2)
    annuity = np.round(amount * column("ANNUITY_SHARE"), 2)
    term = column("TERM_DAYS")
    fact_end = np.minimum(start + column("FACT_DAYS"), 0.0)
    # This month's days-past-due bucket: late only for credits overdue now (fitted rate per status),
    # and then how late from the fitted frequencies of the late statuses.
    overdue = column("OVERDUE", u=coupled_levels(b, STATUS_STRENGTH, rng), order=(0.0, 1.0)) == 1.0
    current = np.where(overdue, _dpd_bucket(b, status_spec, rng, late_only=True), 0)
    overdue_days = _overdue_days(current, rng)
    # What is overdue: a monthly payment per month late, at most the debt.
    monthly_payment = np.where(np.isnan(annuity), amount / np.maximum(term / DAYS_PER_MONTH, 1.0), annuity)
    overdue_amount = np.round(np.minimum(current * monthly_payment, np.nan_to_num(debt, nan=amount)), 2)
    bureau = {
        "client": client,
        "CREDIT_ACTIVE": status,
        "CREDIT_CURRENCY": column("CREDIT_CURRENCY"),
        "DAYS_CREDIT": start,
        "CREDIT_DAY_OVERDUE": overdue_days,
        "DAYS_CREDIT_ENDDATE": start + term,
        "DAYS_ENDDATE_FACT": fact_end,
        "AMT_CREDIT_MAX_OVERDUE": column(
            "AMT_CREDIT_MAX_OVERDUE", u=coupled_levels(b, MAX_OVERDUE_STRENGTH, rng)
        ),
        "CNT_CREDIT_PROLONG": column("CNT_CREDIT_PROLONG"),
        "AMT_CREDIT_SUM": amount,
        "AMT_CREDIT_SUM_DEBT": debt,
        "AMT_CREDIT_SUM_LIMIT": column("AMT_CREDIT_SUM_LIMIT"),
        "AMT_CREDIT_SUM_OVERDUE": np.where(overdue_days > 0, overdue_amount, 0.0),
        "CREDIT_TYPE": column("CREDIT_TYPE"),
        "DAYS_CREDIT_UPDATE": np.maximum(-column("UPDATE_DAYS_AGO", missing=False), start),
        "AMT_ANNUITY": annuity,
    }
    balance = _balance(bureau, current, b, status_spec, rng, volume.balance_share)
    return bureau, balance


def _dpd_bucket(
    b: np.ndarray, status_spec: Mapping[str, Any], rng: np.random.Generator, late_only: bool = False
) -> np.ndarray:
    """Days-past-due buckets (0-5) of reported months, from the fitted STATUS frequencies (1-5 only
    when `late_only`)."""
    first = 1 if late_only else 0
    frequencies = reorder(status_spec, DPD_STATUSES[first:])["p"]
    return first + pick(frequencies, coupled_levels(b, STATUS_STRENGTH, rng))


def _overdue_days(bucket: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Days overdue within a bucket's 30-day band (0 for bucket 0)."""
    within = rng.integers(1, 31, len(bucket))
    return np.where(bucket > 0, (bucket - 1) * 30 + within, 0).astype(float)


def _balance(
    bureau: ColumnArrays,
    current: np.ndarray,
    b: np.ndarray,
    status_spec: Mapping[str, Any],
    rng: np.random.Generator,
    share: float,
) -> ColumnArrays:
    """Monthly rows (MONTHS_BALANCE from the credit's first month to 0) for `share` of the credits."""
    reported = np.flatnonzero(rng.random(len(current)) < share)
    first_month = np.maximum(np.floor(bureau["DAYS_CREDIT"][reported] / DAYS_PER_MONTH), -MAX_BALANCE_MONTHS)
    closed_month = np.floor(bureau["DAYS_ENDDATE_FACT"][reported] / DAYS_PER_MONTH)
    counts = (-first_month).astype(np.int64) + 1
    owner, position = expand(counts)
    credit = reported[owner]
    month = first_month[owner] + position
    frequency = dict(zip(status_spec["values"], status_spec["p"], strict=True))
    # "X": the institution did not report the credit; a credit is unknown as a whole.
    unknown_share = frequency.get(UNKNOWN, 0.0) / (1.0 - frequency.get(CLOSED, 0.0))
    unknown = (rng.random(len(reported)) < unknown_share)[owner]
    bucket = np.where(month == 0, current[credit], _dpd_bucket(b[credit], status_spec, rng))
    status = np.where(unknown, UNKNOWN, np.asarray(DPD_STATUSES, dtype=object)[bucket])
    status = np.where(month > closed_month[owner], CLOSED, status).astype(object)
    return {"credit": credit, "MONTHS_BALANCE": month, "STATUS": status}
