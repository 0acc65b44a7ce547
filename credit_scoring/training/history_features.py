"""Per-client aggregates of the six history tables: what a client's past credits say about them.

In the spirit of the Kaggle kernel "LightGBM with simple features", leaner: counts, sums, means and
extremes of the columns that carry risk (debt, overdue amounts, days past due, refusals, payment
ratios), split into active/closed bureau credits and approved/refused previous applications. The
feature list is fixed and declared below, independent of which tables are present: a table that is
absent yields missing values, so a model always sees the same columns.

Missing values: a client with no row in a present table has counts and sums of 0 (no credits, no
debt) and missing means, extremes and shares.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd

from credit_scoring import schema

ZERO_WHEN_NO_ROWS: Final = frozenset({"size", "sum", "nunique"})
"""Aggregations whose value over no rows is 0 rather than unknown."""

LATE_STATUSES: Final = ("1", "2", "3", "4", "5")
"""bureau_balance STATUS values meaning days past due (1: 1-30 days ... 5: over 120 days or sold)."""


@dataclass(frozen=True)
class _Block:
    """Named aggregations of one row subset of a prepared table, grouped by client."""

    prefix: str
    aggregations: Mapping[str, tuple[str, str]]
    """feature suffix -> (column, pandas aggregation)."""
    rows: Callable[[pd.DataFrame], pd.Series] | None = None
    """Which rows to aggregate (all when None)."""


@dataclass(frozen=True)
class _Source:
    """The features of one history table: how to prepare its rows, aggregate them, and combine results."""

    group: str
    tables: tuple[str, ...]
    """Tables the features need; when one is absent, every feature of this source is missing."""
    prepare: Callable[[Mapping[str, pd.DataFrame]], pd.DataFrame]
    blocks: tuple[_Block, ...]
    ratios: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """Feature -> (numerator feature, denominator feature), computed after aggregation."""

    @property
    def names(self) -> tuple[str, ...]:
        aggregated = (block.prefix + suffix for block in self.blocks for suffix in block.aggregations)
        return (*aggregated, *self.ratios)

    def zero_when_no_rows(self) -> list[str]:
        return [
            block.prefix + suffix
            for block in self.blocks
            for suffix, (_, how) in block.aggregations.items()
            if how in ZERO_WHEN_NO_ROWS
        ]


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator, missing (never infinite) when the denominator is zero or missing."""
    with np.errstate(divide="ignore", invalid="ignore"):
        result = numerator.astype("float64") / denominator.astype("float64")
    return result.where(np.isfinite(result))


def _is(column: str, value: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda frame: frame[column] == value


def _prepare_bureau(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    bureau = tables["bureau"]
    return bureau.assign(OVERDUE=(bureau["CREDIT_DAY_OVERDUE"] > 0).astype("float64"))


def _prepare_bureau_balance(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per bureau credit with its monthly history summarised, keyed by the credit's client."""
    balance = tables["bureau_balance"]
    status = balance["STATUS"].astype("string")
    months = balance[["SK_ID_BUREAU", "MONTHS_BALANCE"]].assign(
        LATE=status.isin(LATE_STATUSES).astype("float64"),
        # "C" (closed) and "X" (unknown) carry no days-past-due bucket.
        STATUS_LEVEL=pd.to_numeric(status.where(status.isin(("0", *LATE_STATUSES))), errors="raise"),
    )
    per_credit = months.groupby("SK_ID_BUREAU").agg(
        MONTHS=("MONTHS_BALANCE", "size"),
        LATE_MONTHS=("LATE", "sum"),
        LATE_SHARE=("LATE", "mean"),
        WORST_STATUS=("STATUS_LEVEL", "max"),
        OLDEST_MONTH=("MONTHS_BALANCE", "min"),
    )
    credits = tables["bureau"][["SK_ID_BUREAU", schema.CLIENT_ID]].drop_duplicates("SK_ID_BUREAU")
    return credits.join(per_credit, on="SK_ID_BUREAU", how="inner")


def _prepare_previous(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    previous = tables["previous_application"]
    status = previous["NAME_CONTRACT_STATUS"]
    dates = {
        # Kaggle's 365243 placeholder in these DAYS_* columns means "no date".
        column: previous[column].where(previous[column] != schema.DAYS_EMPLOYED_ANOMALY)
        for column in ("DAYS_FIRST_DUE", "DAYS_LAST_DUE", "DAYS_TERMINATION")
    }
    return previous.assign(
        **dates,
        APPLICATION_CREDIT_RATIO=_ratio(previous["AMT_APPLICATION"], previous["AMT_CREDIT"]),
        APPROVED=(status == "Approved").astype("float64"),
        REFUSED=(status == "Refused").astype("float64"),
    )


def _prepare_pos(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    pos = tables["POS_CASH_balance"]
    return pos.assign(
        LATE=(pos["SK_DPD"] > 0).astype("float64"),
        COMPLETED=(pos["NAME_CONTRACT_STATUS"] == "Completed").astype("float64"),
    )


def _prepare_installments(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    installments = tables["installments_payments"]
    delay = installments["DAYS_ENTRY_PAYMENT"] - installments["DAYS_INSTALMENT"]
    days_past_due = delay.clip(lower=0)
    return installments.assign(
        DAYS_PAST_DUE=days_past_due,
        DAYS_BEFORE_DUE=(-delay).clip(lower=0),
        LATE=(days_past_due > 0).astype("float64").where(delay.notna()),
        PAYMENT_RATIO=_ratio(installments["AMT_PAYMENT"], installments["AMT_INSTALMENT"]),
        PAYMENT_DIFFERENCE=installments["AMT_INSTALMENT"] - installments["AMT_PAYMENT"],
    )


def _prepare_credit_card(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    card = tables["credit_card_balance"]
    return card.assign(
        BALANCE_LIMIT_RATIO=_ratio(card["AMT_BALANCE"], card["AMT_CREDIT_LIMIT_ACTUAL"]),
        PAYMENT_MINIMUM_RATIO=_ratio(card["AMT_PAYMENT_TOTAL_CURRENT"], card["AMT_INST_MIN_REGULARITY"]),
        LATE=(card["SK_DPD"] > 0).astype("float64"),
    )


def _stats(column: str, *how: str) -> dict[str, tuple[str, str]]:
    """Aggregations of one column, named COLUMN_HOW (e.g. DAYS_CREDIT_MEAN)."""
    return {f"{column}_{h.upper()}": (column, h) for h in how}


SOURCES: Final = (
    _Source(
        group="bureau",
        tables=("bureau",),
        prepare=_prepare_bureau,
        blocks=(
            _Block(
                "BUREAU_",
                {
                    "COUNT": (schema.CLIENT_ID, "size"),
                    "OVERDUE_COUNT": ("OVERDUE", "sum"),
                    **_stats("DAYS_CREDIT", "min", "mean", "max"),
                    **_stats("CREDIT_DAY_OVERDUE", "mean", "max"),
                    **_stats("DAYS_CREDIT_ENDDATE", "min", "mean", "max"),
                    **_stats("DAYS_CREDIT_UPDATE", "mean"),
                    **_stats("AMT_CREDIT_MAX_OVERDUE", "mean", "max"),
                    **_stats("CNT_CREDIT_PROLONG", "sum"),
                    **_stats("AMT_CREDIT_SUM", "sum", "mean", "max"),
                    **_stats("AMT_CREDIT_SUM_DEBT", "sum", "mean", "max"),
                    **_stats("AMT_CREDIT_SUM_LIMIT", "sum", "mean"),
                    **_stats("AMT_CREDIT_SUM_OVERDUE", "sum", "mean"),
                    **_stats("AMT_ANNUITY", "mean", "max"),
                },
            ),
            _Block(
                "BUREAU_ACTIVE_",
                {
                    "COUNT": (schema.CLIENT_ID, "size"),
                    **_stats("DAYS_CREDIT", "mean", "max"),
                    **_stats("DAYS_CREDIT_ENDDATE", "max"),
                    **_stats("AMT_CREDIT_SUM", "sum"),
                    **_stats("AMT_CREDIT_SUM_DEBT", "sum"),
                    **_stats("AMT_CREDIT_SUM_OVERDUE", "sum"),
                },
                _is("CREDIT_ACTIVE", "Active"),
            ),
            _Block(
                "BUREAU_CLOSED_",
                {
                    "COUNT": (schema.CLIENT_ID, "size"),
                    **_stats("DAYS_CREDIT", "mean", "max"),
                    **_stats("DAYS_ENDDATE_FACT", "max"),
                    **_stats("AMT_CREDIT_SUM", "sum"),
                },
                _is("CREDIT_ACTIVE", "Closed"),
            ),
            _Block(
                "BUREAU_CREDIT_CARD_",
                {"COUNT": (schema.CLIENT_ID, "size")},
                _is("CREDIT_TYPE", "Credit card"),
            ),
            _Block(
                "BUREAU_MICROLOAN_", {"COUNT": (schema.CLIENT_ID, "size")}, _is("CREDIT_TYPE", "Microloan")
            ),
        ),
        ratios={
            "BUREAU_ACTIVE_SHARE": ("BUREAU_ACTIVE_COUNT", "BUREAU_COUNT"),
            "BUREAU_DEBT_CREDIT_RATIO": ("BUREAU_AMT_CREDIT_SUM_DEBT_SUM", "BUREAU_AMT_CREDIT_SUM_SUM"),
            "BUREAU_OVERDUE_DEBT_RATIO": (
                "BUREAU_AMT_CREDIT_SUM_OVERDUE_SUM",
                "BUREAU_AMT_CREDIT_SUM_DEBT_SUM",
            ),
            "BUREAU_ACTIVE_DEBT_CREDIT_RATIO": (
                "BUREAU_ACTIVE_AMT_CREDIT_SUM_DEBT_SUM",
                "BUREAU_ACTIVE_AMT_CREDIT_SUM_SUM",
            ),
        },
    ),
    _Source(
        group="bureau_balance",
        tables=("bureau", "bureau_balance"),
        prepare=_prepare_bureau_balance,
        blocks=(
            _Block(
                "BUREAU_BALANCE_",
                {
                    "CREDIT_COUNT": (schema.CLIENT_ID, "size"),
                    **_stats("MONTHS", "sum", "mean"),
                    **_stats("LATE_MONTHS", "sum"),
                    **_stats("LATE_SHARE", "mean", "max"),
                    **_stats("WORST_STATUS", "max", "mean"),
                    **_stats("OLDEST_MONTH", "min"),
                },
            ),
        ),
    ),
    _Source(
        group="previous_application",
        tables=("previous_application",),
        prepare=_prepare_previous,
        blocks=(
            _Block(
                "PREV_",
                {
                    "COUNT": (schema.CLIENT_ID, "size"),
                    "APPROVED_COUNT": ("APPROVED", "sum"),
                    "REFUSED_COUNT": ("REFUSED", "sum"),
                    **_stats("AMT_ANNUITY", "mean", "max"),
                    **_stats("AMT_APPLICATION", "mean", "max"),
                    **_stats("AMT_CREDIT", "sum", "mean", "max"),
                    **_stats("AMT_DOWN_PAYMENT", "mean"),
                    **_stats("AMT_GOODS_PRICE", "mean"),
                    **_stats("APPLICATION_CREDIT_RATIO", "min", "mean", "max"),
                    **_stats("RATE_DOWN_PAYMENT", "mean"),
                    **_stats("CNT_PAYMENT", "mean", "sum"),
                    **_stats("DAYS_DECISION", "min", "mean", "max"),
                    **_stats("DAYS_TERMINATION", "max"),
                },
            ),
            _Block(
                "PREV_APPROVED_",
                {
                    **_stats("AMT_ANNUITY", "mean"),
                    **_stats("AMT_CREDIT", "sum", "mean"),
                    **_stats("APPLICATION_CREDIT_RATIO", "mean"),
                    **_stats("CNT_PAYMENT", "mean"),
                    **_stats("DAYS_DECISION", "max"),
                    **_stats("DAYS_LAST_DUE", "max"),
                    **_stats("DAYS_FIRST_DUE", "min"),
                },
                _is("NAME_CONTRACT_STATUS", "Approved"),
            ),
            _Block(
                "PREV_REFUSED_",
                {
                    **_stats("AMT_APPLICATION", "mean", "max"),
                    **_stats("APPLICATION_CREDIT_RATIO", "mean"),
                    **_stats("DAYS_DECISION", "max"),
                },
                _is("NAME_CONTRACT_STATUS", "Refused"),
            ),
        ),
        ratios={
            "PREV_APPROVED_SHARE": ("PREV_APPROVED_COUNT", "PREV_COUNT"),
            "PREV_REFUSED_SHARE": ("PREV_REFUSED_COUNT", "PREV_COUNT"),
            "PREV_REFUSED_APPROVED_RATIO": ("PREV_REFUSED_COUNT", "PREV_APPROVED_COUNT"),
        },
    ),
    _Source(
        group="POS_CASH_balance",
        tables=("POS_CASH_balance",),
        prepare=_prepare_pos,
        blocks=(
            _Block(
                "POS_",
                {
                    "MONTHS_COUNT": (schema.CLIENT_ID, "size"),
                    "LOAN_COUNT": ("SK_ID_PREV", "nunique"),
                    **_stats("MONTHS_BALANCE", "min", "max"),
                    **_stats("CNT_INSTALMENT", "mean", "max"),
                    **_stats("CNT_INSTALMENT_FUTURE", "mean", "max"),
                    **_stats("SK_DPD", "mean", "max"),
                    **_stats("SK_DPD_DEF", "mean", "max"),
                    "LATE_MONTHS": ("LATE", "sum"),
                    "LATE_SHARE": ("LATE", "mean"),
                    "COMPLETED_SHARE": ("COMPLETED", "mean"),
                },
            ),
        ),
    ),
    _Source(
        group="installments_payments",
        tables=("installments_payments",),
        prepare=_prepare_installments,
        blocks=(
            _Block(
                "INST_",
                {
                    "COUNT": (schema.CLIENT_ID, "size"),
                    "LOAN_COUNT": ("SK_ID_PREV", "nunique"),
                    **_stats("DAYS_PAST_DUE", "mean", "max", "sum"),
                    **_stats("DAYS_BEFORE_DUE", "mean", "max", "sum"),
                    **_stats("PAYMENT_RATIO", "min", "mean", "max"),
                    **_stats("PAYMENT_DIFFERENCE", "mean", "max", "sum"),
                    "LATE_COUNT": ("LATE", "sum"),
                    "LATE_SHARE": ("LATE", "mean"),
                    **_stats("AMT_INSTALMENT", "mean", "max", "sum"),
                    **_stats("AMT_PAYMENT", "min", "mean", "max", "sum"),
                    **_stats("DAYS_ENTRY_PAYMENT", "min", "mean", "max"),
                },
            ),
        ),
    ),
    _Source(
        group="credit_card_balance",
        tables=("credit_card_balance",),
        prepare=_prepare_credit_card,
        blocks=(
            _Block(
                "CC_",
                {
                    "MONTHS_COUNT": (schema.CLIENT_ID, "size"),
                    "CARD_COUNT": ("SK_ID_PREV", "nunique"),
                    **_stats("MONTHS_BALANCE", "min"),
                    **_stats("AMT_BALANCE", "mean", "max"),
                    **_stats("AMT_CREDIT_LIMIT_ACTUAL", "mean", "max"),
                    **_stats("BALANCE_LIMIT_RATIO", "mean", "max"),
                    **_stats("AMT_DRAWINGS_CURRENT", "mean", "max", "sum"),
                    **_stats("AMT_DRAWINGS_ATM_CURRENT", "mean", "sum"),
                    **_stats("CNT_DRAWINGS_CURRENT", "mean", "max", "sum"),
                    **_stats("AMT_PAYMENT_TOTAL_CURRENT", "mean", "sum"),
                    **_stats("PAYMENT_MINIMUM_RATIO", "mean", "min"),
                    **_stats("SK_DPD", "mean", "max"),
                    **_stats("SK_DPD_DEF", "mean", "max"),
                    "LATE_MONTHS": ("LATE", "sum"),
                    "LATE_SHARE": ("LATE", "mean"),
                },
            ),
        ),
    ),
)

HISTORY_FEATURE_GROUPS: Final[dict[str, str]] = {
    name: source.group for source in SOURCES for name in source.names
}
"""Each history feature and the table it comes from."""

HISTORY_FEATURE_NAMES: Final[tuple[str, ...]] = tuple(HISTORY_FEATURE_GROUPS)
"""Every history feature, in output order (fixed, whichever tables are present)."""


def _client_ids(tables: Mapping[str, pd.DataFrame]) -> pd.Index:
    for table in (schema.APPLICATION, schema.APPLICATION_TEST):
        if table in tables:
            return pd.Index(tables[table][schema.CLIENT_ID].unique(), name=schema.CLIENT_ID)
    keyed = [
        tables[t][schema.CLIENT_ID]
        for t in schema.HISTORY_TABLES
        if t in tables and schema.CLIENT_ID in tables[t]
    ]
    ids = pd.concat(keyed).unique() if keyed else np.array([], dtype=np.int64)
    return pd.Index(np.sort(ids), name=schema.CLIENT_ID)


def _aggregate(source: _Source, tables: Mapping[str, pd.DataFrame], clients: pd.Index) -> pd.DataFrame:
    if not all(table in tables for table in source.tables):
        return pd.DataFrame(np.nan, index=clients, columns=list(source.names))
    prepared = source.prepare(tables)
    parts = []
    for block in source.blocks:
        rows = prepared if block.rows is None else prepared[block.rows(prepared)]
        named = {block.prefix + suffix: spec for suffix, spec in block.aggregations.items()}
        parts.append(rows.groupby(schema.CLIENT_ID, sort=False).agg(**named))
    result = pd.concat(parts, axis=1).reindex(clients).astype("float64")
    zero = source.zero_when_no_rows()
    result[zero] = result[zero].fillna(0.0)
    for name, (numerator, denominator) in source.ratios.items():
        result[name] = _ratio(result[numerator], result[denominator])
    return result


def history_features(tables: Mapping[str, pd.DataFrame], clients: pd.Index | None = None) -> pd.DataFrame:
    """Every history feature per client: a float64 frame indexed by SK_ID_CURR, columns HISTORY_FEATURE_NAMES.

    `tables` maps Kaggle table names to frames with the schema's columns; history tables may be
    absent. The clients are `clients` when given, else those of the application table in `tables`,
    else every client found in the history tables. History rows of other clients are ignored.
    """
    index = _client_ids(tables) if clients is None else pd.Index(clients, name=schema.CLIENT_ID)
    frames = [_aggregate(source, tables, index) for source in SOURCES]
    return pd.concat(frames, axis=1)[list(HISTORY_FEATURE_NAMES)]
