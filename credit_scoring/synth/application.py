"""Synthetic application_train rows (every column but SK_ID_CURR and TARGET), from stats.json.

The order of the draws follows the data's own dependencies: the income type fixes the employment
regime (pensioners and the unemployed get DAYS_EMPLOYED = 365243, ORGANIZATION_TYPE = "XNA", no
occupation); the continuous core comes out of one Gaussian copula (age, employment, income, goods
price, loan terms, external scores); the loan amounts follow from the goods price (credit = price x
insurance ratio, annuity = credit / term); column groups with an internal logic are drawn as joint
patterns; the building block is present or absent as a whole. See `layout` for the treatments.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from credit_scoring.synth import layout
from credit_scoring.synth.marginals import (
    POOLED,
    GroupedMarginals,
    RowGroups,
    correlated_normals,
    draw,
    draw_missing_as_lowest,
    draw_patterns,
    round_to_step,
    uniform_levels,
)

ColumnArrays = dict[str, np.ndarray]
_MISSING_BY_RULE = frozenset({"AMT_GOODS_PRICE", "OWN_CAR_AGE"})
"""Drawn always present; `_apply_rules` blanks them (no price for some revolving loans, no car age
without a car)."""


def generate_application(n: int, rng: np.random.Generator, stats: Mapping[str, Any]) -> ColumnArrays:
    """n synthetic applications as column arrays (float64 with NaN, or object arrays of strings)."""
    marginals = {key: GroupedMarginals(grouped) for key, grouped in stats["marginals"].items()}
    everyone = RowGroups.pooled(n)
    columns: ColumnArrays = {
        "NAME_INCOME_TYPE": marginals[POOLED].draw("NAME_INCOME_TYPE", rng, everyone),
        "NAME_CONTRACT_TYPE": marginals[POOLED].draw("NAME_CONTRACT_TYPE", rng, everyone),
    }
    columns[layout.REGIME] = layout.regime_of(columns["NAME_INCOME_TYPE"])
    rows = {
        POOLED: everyone,
        layout.REGIME: RowGroups.of(columns[layout.REGIME]),
        "NAME_CONTRACT_TYPE": RowGroups.of(columns["NAME_CONTRACT_TYPE"]),
    }

    def key_of(column: str) -> str:
        return layout.APPLICATION_GROUP_KEY.get(column, layout.REGIME) or POOLED

    copula = stats["copula"]
    normals = correlated_normals(copula["correlation"], n, rng)
    copula_levels = dict(zip(copula["columns"], uniform_levels(normals).T, strict=True))
    for column in layout.APPLICATION_MARGINALS:
        if column not in columns:
            key = key_of(column)
            columns[column] = marginals[key].draw(
                column, rng, rows[key], u=copula_levels.get(column), missing=column not in _MISSING_BY_RULE
            )
    for pattern in stats["patterns"].values():
        columns.update(draw_patterns(pattern, columns[layout.REGIME], rng))
    columns.update(_building(columns.pop(layout.BUILDING_PRESENT) == 1.0, stats["building"], rng))
    _apply_rules(columns, stats)
    del columns[layout.REGIME]
    return columns


def _building(present: np.ndarray, stats: Mapping[str, Any], rng: np.random.Generator) -> ColumnArrays:
    """The building block: all missing for absent rows; correlated measures for present ones."""
    marginals = GroupedMarginals(stats["marginals"])
    rows = np.flatnonzero(present)
    levels = uniform_levels(correlated_normals(stats["correlation"], len(rows), rng))
    level_of = dict(zip(stats["columns"], levels.T, strict=True))
    columns: ColumnArrays = {}
    for name in layout.BUILDING_COLUMNS:
        spec = marginals.spec(name)
        if name in layout.BUILDING_CATEGORIES:
            values = draw(spec, len(rows), rng)
            column = np.full(len(present), np.nan, dtype=object)
        else:
            # _AVG, _MODE and _MEDI of a measure share its copula level: missing together, ranked alike.
            measure_level = level_of[name] if name in level_of else level_of[_avg_of(name)]
            values = draw_missing_as_lowest(spec, measure_level)
            column = np.full(len(present), np.nan)
        column[rows] = values
        columns[name] = column
    return columns


def _avg_of(name: str) -> str:
    return name.rsplit("_", 1)[0] + "_AVG"


def _apply_rules(columns: ColumnArrays, stats: Mapping[str, Any]) -> None:
    """Columns that follow from others: loan amounts, family size, car age, dates after birth."""
    goods = columns["AMT_GOODS_PRICE"]
    ratio = columns.pop("CREDIT_GOODS_RATIO")
    term = columns.pop("CREDIT_ANNUITY_RATIO")
    steps = stats["steps"]
    credit = round_to_step(goods * np.where(np.isnan(ratio), 1.0, ratio), steps["AMT_CREDIT"])
    columns["AMT_CREDIT"] = credit
    columns["AMT_ANNUITY"] = round_to_step(credit / term, steps["AMT_ANNUITY"])
    columns["AMT_GOODS_PRICE"] = np.where(np.isnan(ratio), np.nan, goods)

    partner = np.isin(columns["NAME_FAMILY_STATUS"], layout.PARTNER_FAMILY_STATUSES)
    columns["CNT_FAM_MEMBERS"] = columns["CNT_CHILDREN"] + np.where(partner, 2.0, 1.0)
    columns["OWN_CAR_AGE"] = np.where(columns["FLAG_OWN_CAR"] == "Y", columns["OWN_CAR_AGE"], np.nan)

    birth = columns["DAYS_BIRTH"]
    for name, earliest in stats["earliest_days_after_birth"].items():
        # np.maximum keeps NaN and the 365243 placeholder (larger than any real date).
        columns[name] = np.maximum(columns[name], np.round(birth + earliest))
