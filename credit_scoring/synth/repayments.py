"""Synthetic repayment histories of approved previous loans: installments_payments, POS_CASH_balance
and credit_card_balance.

An approved cash or consumer loan with a first due date has one instalment every 30 days, up to its
number of payments or today; each is paid some days early or late and in full or short, at levels
coupled to the client's payment behaviour. Its POS_CASH month rows follow the same instalments, so a
late or short instalment shows as days past due in both tables. An approved revolving loan is a card
with a monthly balance, drawings and payments from the decision month to today (or its termination);
months paid under the minimum accumulate days past due.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from credit_scoring.synth.marginals import GroupedMarginals, RowGroups
from credit_scoring.synth.previous import APPROVED, PENDING
from credit_scoring.synth.risk import coupled_levels
from credit_scoring.synth.rows import cumulative_count, expand, run_lengths

ColumnArrays = dict[str, np.ndarray]

DAYS_PER_MONTH = 30.4375
SHORTEST_MONTH_DAYS = 30
"""Months of `DAYS_PER_MONTH` hold 30 or 31 whole days."""
LATE_STRENGTH = 0.55
"""Coupling of an instalment's payment delay with the client's payment behaviour."""
SHORT_STRENGTH = 0.45
"""Coupling of the paid share of an instalment (and of a card's minimum) with the behaviour."""
UTILISATION_STRENGTH = 0.4
"""Coupling of a card's balance / limit with the behaviour."""
INSTALMENT_CONTRACTS = ("Cash loans", "Consumer loans")
CARD_CONTRACT = "Revolving loans"
ACTIVE, COMPLETED = "Active", "Completed"


def generate_repayments(
    previous: ColumnArrays, behaviour: np.ndarray, rng: np.random.Generator, stats: Mapping[str, Any]
) -> tuple[ColumnArrays, ColumnArrays, ColumnArrays]:
    """installments_payments, POS_CASH_balance and credit_card_balance rows, each with a "loan" index
    into the previous_application rows in place of SK_ID_PREV and SK_ID_CURR."""
    approved = previous["NAME_CONTRACT_STATUS"] == APPROVED
    first_due = previous["DAYS_FIRST_DUE"]
    dated = approved & ~np.isnan(first_due) & (first_due != PENDING)
    payments = np.nan_to_num(previous["CNT_PAYMENT"])
    instalment_loans = np.flatnonzero(
        dated & np.isin(previous["NAME_CONTRACT_TYPE"], INSTALMENT_CONTRACTS) & (payments > 0)
    )
    installments, pos = _instalments(previous, instalment_loans, behaviour, rng, stats)
    cards = np.flatnonzero(
        approved & ~np.isnan(first_due) & (previous["NAME_CONTRACT_TYPE"] == CARD_CONTRACT)
    )
    return installments, pos, _cards(previous, cards, behaviour, rng, stats)


def _instalments(
    previous: ColumnArrays,
    loans: np.ndarray,
    behaviour: np.ndarray,
    rng: np.random.Generator,
    stats: Mapping[str, Any],
) -> tuple[ColumnArrays, ColumnArrays]:
    """Monthly instalments of `loans` (indices of previous rows) and their POS_CASH months.

    Instalment k falls on the first instalment's day of the month, k months later, so that each
    month holds exactly one instalment (one POS_CASH row per loan and month).
    """
    marginals = GroupedMarginals(stats["installments_payments"]["marginals"])
    first_due = previous["DAYS_FIRST_DUE"][loans]
    payments = previous["CNT_PAYMENT"][loans]
    last_due = previous["DAYS_LAST_DUE"][loans]
    first_month = np.floor(first_due / DAYS_PER_MONTH)
    day_of_month = np.minimum(first_due - _first_day(first_month), SHORTEST_MONTH_DAYS - 1)
    # Instalments fall due up to yesterday, and no later than an early repayment.
    horizon = np.where(last_due == PENDING, -1.0, np.minimum(last_due, -1.0))
    horizon_month = np.floor(horizon / DAYS_PER_MONTH)
    beyond = _first_day(horizon_month) + day_of_month > horizon
    due_count = np.clip(horizon_month - first_month + 1 - beyond, 0, payments).astype(np.int64)
    owner, position = expand(due_count)
    loan = loans[owner]
    n = len(loan)
    b = behaviour[previous["client"][loan]]
    everyone = RowGroups.pooled(n)
    version = marginals.draw("NUM_INSTALMENT_VERSION", rng, RowGroups.pooled(len(loans)))[owner]
    month = first_month[owner] + position
    due_day = _first_day(month) + day_of_month[owner]
    delay = marginals.draw("PAYMENT_DELAY", rng, everyone, u=coupled_levels(b, LATE_STRENGTH, rng))
    paid_share = marginals.draw(
        "PAYMENT_RATIO", rng, everyone, u=1.0 - coupled_levels(b, SHORT_STRENGTH, rng)
    )
    amount_due = np.round(previous["AMT_ANNUITY"][loan], 2)
    entry_day = due_day + delay
    unpaid = entry_day > -1
    amount_paid = np.round(amount_due * paid_share, 2)
    installments = {
        "loan": loan,
        "NUM_INSTALMENT_VERSION": version,
        "NUM_INSTALMENT_NUMBER": position + 1,
        "DAYS_INSTALMENT": due_day,
        "DAYS_ENTRY_PAYMENT": np.where(unpaid, np.nan, entry_day),
        "AMT_INSTALMENT": amount_due,
        "AMT_PAYMENT": np.where(unpaid, np.nan, amount_paid),
    }
    # Days past due at the month's end: an instalment still unpaid then is late by the days since due.
    month_end = _first_day(month + 1) - 1
    days_past_due = np.where(entry_day > month_end, month_end - due_day, 0.0)
    short = unpaid | (amount_paid < amount_due)
    pos = {
        "loan": loan,
        "MONTHS_BALANCE": month,
        "CNT_INSTALMENT": payments[owner],
        "CNT_INSTALMENT_FUTURE": payments[owner] - position - 1,
        "NAME_CONTRACT_STATUS": np.full(n, ACTIVE, dtype=object),
        "SK_DPD": days_past_due,
        "SK_DPD_DEF": np.where(short, days_past_due, 0.0),
    }
    # A repaid loan gets one "Completed" month after its last instalment, if that month has passed.
    last_row = np.cumsum(due_count) - 1
    repaid = np.flatnonzero((last_due != PENDING) & (due_count > 0))
    closing_month = month[last_row[repaid]] + 1
    repaid, closing_month = repaid[closing_month <= -1], closing_month[closing_month <= -1]
    closing = {
        "loan": loans[repaid],
        "MONTHS_BALANCE": closing_month,
        "CNT_INSTALMENT": payments[repaid],
        "CNT_INSTALMENT_FUTURE": np.zeros(len(repaid)),
        "NAME_CONTRACT_STATUS": np.full(len(repaid), COMPLETED, dtype=object),
        "SK_DPD": np.zeros(len(repaid)),
        "SK_DPD_DEF": np.zeros(len(repaid)),
    }
    return installments, {name: np.concatenate([pos[name], closing[name]]) for name in pos}


def _first_day(month: np.ndarray) -> np.ndarray:
    """The first day (a DAYS value) of a month counted like MONTHS_BALANCE (-1 = last month)."""
    return np.ceil(month * DAYS_PER_MONTH)


def _cards(
    previous: ColumnArrays,
    cards: np.ndarray,
    behaviour: np.ndarray,
    rng: np.random.Generator,
    stats: Mapping[str, Any],
) -> ColumnArrays:
    """Monthly credit-card rows from the month after the decision to last month (or termination)."""
    marginals = GroupedMarginals(stats["credit_card_balance"]["marginals"])
    first_month = np.floor(previous["DAYS_DECISION"][cards] / DAYS_PER_MONTH) + 1
    termination = previous["DAYS_TERMINATION"][cards]
    terminated = (termination != PENDING) & (termination <= -1)
    last_month = np.where(terminated, np.floor(termination / DAYS_PER_MONTH), -1.0)
    counts = np.maximum(last_month - first_month + 1, 0).astype(np.int64)
    owner, position = expand(counts)
    card = cards[owner]
    n = len(card)
    everyone = RowGroups.pooled(n)
    b = behaviour[previous["client"][card]]

    def column(name: str, **options: Any) -> np.ndarray:
        return marginals.draw(name, rng, everyone, **options)

    def missing(name: str) -> np.ndarray:
        return rng.random(n) < marginals.spec(name)["missing"]

    # One limit per card, from the fitted card limits (zero for some: a blocked card).
    limit = marginals.draw("AMT_CREDIT_LIMIT_ACTUAL", rng, RowGroups.pooled(len(cards)), missing=False)[owner]
    balance = np.round(
        limit * column("UTILISATION", u=coupled_levels(b, UTILISATION_STRENGTH, rng), missing=False), 2
    )
    drawing_level = rng.random(n)
    drawings = np.minimum(column("AMT_DRAWINGS_CURRENT", u=drawing_level), limit)
    drawing_count = np.where(
        drawings > 0, np.maximum(column("CNT_DRAWINGS_CURRENT", u=drawing_level), 1.0), 0.0
    )
    atm_share = column("ATM_SHARE", missing=False)
    atm = np.round(drawings * atm_share, 2)
    atm_count = np.round(drawing_count * atm_share)
    no_detail = missing("AMT_DRAWINGS_ATM_CURRENT")
    minimum = np.round(balance * column("MIN_PAYMENT_RATE", missing=False), 2)
    payment_levels = 1.0 - coupled_levels(b, SHORT_STRENGTH, rng)
    paid = np.round(
        np.where(minimum > 0, minimum * column("PAYMENT_TO_MINIMUM", u=payment_levels, missing=False), 0.0), 2
    )
    no_minimum = missing("AMT_INST_MIN_REGULARITY")
    under_minimum = (minimum > 0) & (paid < minimum)
    late_months = run_lengths(under_minimum, owner)
    days_past_due = np.where(late_months > 0, 30 * (late_months - 1) + rng.integers(1, 31, n), 0)
    principal = np.round(balance * column("PRINCIPAL_SHARE", missing=False), 2)
    last_row = np.cumsum(counts)[counts > 0] - 1
    status = np.full(n, ACTIVE, dtype=object)
    status[last_row[terminated[counts > 0]]] = COMPLETED

    def detail(values: np.ndarray) -> np.ndarray:
        return np.where(no_detail, np.nan, values)

    return {
        "loan": card,
        "MONTHS_BALANCE": first_month[owner] + position,
        "AMT_BALANCE": balance,
        "AMT_CREDIT_LIMIT_ACTUAL": limit,
        "AMT_DRAWINGS_ATM_CURRENT": detail(atm),
        "AMT_DRAWINGS_CURRENT": drawings,
        "AMT_DRAWINGS_OTHER_CURRENT": detail(np.zeros(n)),
        "AMT_DRAWINGS_POS_CURRENT": detail(np.round(drawings - atm, 2)),
        "AMT_INST_MIN_REGULARITY": np.where(no_minimum, np.nan, minimum),
        "AMT_PAYMENT_CURRENT": np.where(missing("AMT_PAYMENT_CURRENT"), np.nan, paid),
        "AMT_PAYMENT_TOTAL_CURRENT": paid,
        "AMT_RECEIVABLE_PRINCIPAL": principal,
        "AMT_RECIVABLE": balance,
        "AMT_TOTAL_RECEIVABLE": balance,
        "CNT_DRAWINGS_ATM_CURRENT": detail(atm_count),
        "CNT_DRAWINGS_CURRENT": drawing_count,
        "CNT_DRAWINGS_OTHER_CURRENT": detail(np.zeros(n)),
        "CNT_DRAWINGS_POS_CURRENT": detail(drawing_count - atm_count),
        "CNT_INSTALMENT_MATURE_CUM": np.where(
            no_minimum, np.nan, cumulative_count((minimum > 0) & ~under_minimum, owner)
        ),
        "NAME_CONTRACT_STATUS": status,
        "SK_DPD": days_past_due,
        "SK_DPD_DEF": np.where(paid == 0, days_past_due, 0),
    }
