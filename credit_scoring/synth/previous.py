"""Synthetic previous_application rows: the clients' earlier applications at Home Credit.

Each application gets a contract type and a status (Approved, Canceled, Refused, Unused offer; risky
clients are refused more often), then every other column from the marginals fitted for its (type,
status) pair: that is where the data's structure lives (canceled cash loans have no amount, consumer
loans have goods categories, refused ones a reject reason, approved ones a schedule of due dates
with the 365243 placeholder for what has not happened yet).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from credit_scoring.schema import DAYS_EMPLOYED_ANOMALY
from credit_scoring.synth.marginals import GroupedMarginals, RowGroups, round_to_step
from credit_scoring.synth.risk import coupled_levels
from credit_scoring.synth.rows import expand
from credit_scoring.synth.volume import LIGHT

ColumnArrays = dict[str, np.ndarray]
Draw = Callable[..., np.ndarray]
"""Draws one column for every row, from the marginal of its (type, status) group."""

APPLICATIONS_DISPERSION = 1.5
STATUS_ORDER = ("Approved", "Unused offer", "Canceled", "Refused")
"""Statuses from the best outcome to the worst: coupled draws put risky clients towards Refused."""
REFUSAL_STRENGTH = 0.5
"""Coupling of the application status with the client's payment behaviour."""
DAYS_BETWEEN_INSTALMENTS = 30
PENDING = float(DAYS_EMPLOYED_ANOMALY)
"""Kaggle's placeholder for a date that has not happened (yet): a loan still running has
DAYS_LAST_DUE = DAYS_TERMINATION = 365243."""
APPROVED = "Approved"
DRAWN_AS_FITTED = (
    "WEEKDAY_APPR_PROCESS_START",
    "HOUR_APPR_PROCESS_START",
    "FLAG_LAST_APPL_PER_CONTRACT",
    "NFLAG_LAST_APPL_IN_DAY",
    "RATE_INTEREST_PRIMARY",
    "RATE_INTEREST_PRIVILEGED",
    "NAME_CASH_LOAN_PURPOSE",
    "NAME_PAYMENT_TYPE",
    "CODE_REJECT_REASON",
    "NAME_TYPE_SUITE",
    "NAME_CLIENT_TYPE",
    "NAME_GOODS_CATEGORY",
    "NAME_PORTFOLIO",
    "NAME_PRODUCT_TYPE",
    "CHANNEL_TYPE",
    "SELLERPLACE_AREA",
    "NAME_SELLER_INDUSTRY",
    "NAME_YIELD_GROUP",
    "PRODUCT_COMBINATION",
)
"""Columns drawn from their (type, status) group's marginal alone; the others follow rules."""


def generate_previous(
    birth_days: np.ndarray,
    behaviour: np.ndarray,
    adult_age_days: float,
    rng: np.random.Generator,
    stats: Mapping[str, Any],
    applications_per_client: float = LIGHT.applications_per_client,
) -> ColumnArrays:
    """previous_application rows, with a "client" index column in place of SK_ID_CURR and SK_ID_PREV."""
    marginals = GroupedMarginals(stats["previous_application"]["marginals"])
    counts = rng.negative_binomial(
        APPLICATIONS_DISPERSION,
        APPLICATIONS_DISPERSION / (APPLICATIONS_DISPERSION + applications_per_client),
        len(birth_days),
    )
    client, _ = expand(counts)
    n = len(client)
    contract = marginals.draw("NAME_CONTRACT_TYPE", rng, RowGroups.pooled(n))
    status = marginals.draw(
        "NAME_CONTRACT_STATUS",
        rng,
        RowGroups.of(contract),
        u=coupled_levels(behaviour[client], REFUSAL_STRENGTH, rng),
        order=STATUS_ORDER,
    )
    rows = RowGroups.of(contract, status)

    def column(name: str, **options: Any) -> np.ndarray:
        return marginals.draw(name, rng, rows, **options)

    def missing(name: str) -> np.ndarray:
        """Rows where `name` is missing, at its group's fitted rate (for columns missing together)."""
        rates = np.empty(n)
        for key_values, members in rows.groups:
            rates[members] = marginals.spec(name, key_values)["missing"]
        return rng.random(n) < rates

    columns: ColumnArrays = {"client": client, "NAME_CONTRACT_TYPE": contract, "NAME_CONTRACT_STATUS": status}
    columns.update(_amounts(column, missing, marginals))
    decision = np.maximum(column("DAYS_DECISION"), np.ceil(birth_days[client] + adult_age_days))
    columns["DAYS_DECISION"] = decision
    for name in DRAWN_AS_FITTED:
        columns[name] = column(name)
    columns.update(_schedule(decision, columns["CNT_PAYMENT"], column, missing("DAYS_FIRST_DUE")))
    return columns


def _amounts(column: Draw, missing: Callable[[str], np.ndarray], marginals: GroupedMarginals) -> ColumnArrays:
    """Credit, application, goods price, down payment, number of payments and annuity, consistent."""
    pooled_step = {name: marginals.spec(name).get("step") for name in ("AMT_APPLICATION", "AMT_ANNUITY")}
    credit = column("AMT_CREDIT", missing=False)
    ratio = column("APPLICATION_RATIO", missing=False)
    application = round_to_step(np.where(credit > 0, credit * ratio, credit), pooled_step["AMT_APPLICATION"])
    goods = np.where(missing("AMT_GOODS_PRICE"), np.nan, application)
    down_rate = column("RATE_DOWN_PAYMENT")
    down_payment = np.round(down_rate * np.where(np.isnan(goods), application, goods), 2)
    payments = column("CNT_PAYMENT", missing=False)
    instalment = credit * column("REPAYMENT_RATIO", missing=False) / np.maximum(payments, 1.0)
    revolving = credit * column("ANNUITY_RATE", missing=False)
    no_schedule = missing("CNT_PAYMENT")
    annuity = round_to_step(np.where(payments > 0, instalment, revolving), pooled_step["AMT_ANNUITY"])
    return {
        "AMT_ANNUITY": np.where(no_schedule, np.nan, annuity),
        "AMT_APPLICATION": application,
        "AMT_CREDIT": credit,
        "AMT_DOWN_PAYMENT": down_payment,
        "AMT_GOODS_PRICE": goods,
        "RATE_DOWN_PAYMENT": down_rate,
        "CNT_PAYMENT": np.where(no_schedule, np.nan, payments),
    }


def _schedule(decision: np.ndarray, payments: np.ndarray, column: Draw, undated: np.ndarray) -> ColumnArrays:
    """The due dates of approved loans (all missing for the others, and for some approved ones).

    First due a fitted lag after the decision (or pending). A loan with a schedule of payments is due
    to end after them (the original last due), ends earlier when repaid early, and is pending while
    it runs; a loan without one (a revolving line) has ended or not as the fitted share says, after a
    fitted duration. Termination comes a few days after the last due.
    """
    first_due = np.where(
        column("FIRST_DUE_PENDING", missing=False) == 1.0,
        PENDING,
        decision + column("FIRST_DUE_LAG", missing=False),
    )
    drawing_pending = column("FIRST_DRAWING_PENDING", missing=False) == 1.0
    first_drawing = np.where(drawing_pending, PENDING, decision + column("FIRST_DRAWING_LAG", missing=False))
    scheduled = (first_due != PENDING) & (payments > 0)
    last_due_first_version = np.where(
        scheduled, first_due + DAYS_BETWEEN_INSTALMENTS * (np.nan_to_num(payments) - 1), PENDING
    )
    start = np.where(first_due == PENDING, decision, first_due)
    unscheduled_end = start + column("LAST_DUE_LAG", missing=False)
    unscheduled_ended = (column("LAST_DUE_PENDING", missing=False) == 0.0) & (unscheduled_end <= 0)
    early = np.minimum(column("EARLY_CLOSE_DAYS", missing=False), 0.0)
    scheduled_end = np.maximum(last_due_first_version + early, first_due)
    finished = np.where(scheduled, last_due_first_version <= 0, unscheduled_ended)
    last_due = np.where(finished, np.where(scheduled, scheduled_end, unscheduled_end), PENDING)
    termination = np.where(finished, last_due + column("TERMINATION_LAG", missing=False), PENDING)
    dated = {
        "DAYS_FIRST_DRAWING": first_drawing,
        "DAYS_FIRST_DUE": first_due,
        "DAYS_LAST_DUE_1ST_VERSION": last_due_first_version,
        "DAYS_LAST_DUE": last_due,
        "DAYS_TERMINATION": termination,
        "NFLAG_INSURED_ON_APPROVAL": column("NFLAG_INSURED_ON_APPROVAL", missing=False),
    }
    return {name: np.where(undated, np.nan, values) for name, values in dated.items()}
