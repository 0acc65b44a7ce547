"""Fit the synthetic generator's aggregate statistics on the real Home Credit sample.

    python -m credit_scoring.synth.fit_stats --sample ../shared/data/home-credit-sample \
        --out credit_scoring/synth/stats.json

Only aggregates leave the sample: missing rates, frequencies of values seen at least
`MIN_VALUE_COUNT` times, quantiles on a grid that excludes the minimum and maximum (one point per
`ROWS_PER_QUANTILE` rows at most), rank correlations, and the coefficients of one logistic
regression. A group (a regime, a contract type...) is described only when it holds at least
`MIN_GROUP_ROWS` rows, its quantiles only from `MIN_QUANTILE_ROWS` values; smaller groups borrow
the statistics of the enclosing group. The output is
deterministic: fitting the same sample twice writes the same bytes.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtri

from credit_scoring.schema import (
    APPLICATION,
    APPLICATION_CATEGORIES,
    DAYS_EMPLOYED_ANOMALY,
    HISTORY_TABLES,
    TABLES,
    TARGET,
)
from credit_scoring.synth import layout, risk
from credit_scoring.synth.marginals import KEY_SEPARATOR, POOLED, quantile_grid

MIN_GROUP_ROWS = 10
"""Fewest rows a group (a regime, a contract type and status...) needs for statistics of its own, and
fewest present values for its frequencies."""
MIN_QUANTILE_ROWS = 30
"""Fewest present values for quantiles of its own; a smaller group borrows the enclosing group's."""
MIN_VALUE_COUNT = 5
"""A value (or a pattern of values) seen fewer times is left out of the frequencies."""
ROWS_PER_QUANTILE = 10
MAX_QUANTILES = 100
MAX_DISCRETE_VALUES = 30
"""A whole-number column with at most this many distinct values is described by its frequencies."""
STEPS = (4500.0, 1.0, 0.5, 0.01, 0.001, 0.0001)
"""Candidate granularities of real values, coarsest first; a column takes the first that at least
`STEP_SHARE` of its values are multiples of (amounts in multiples of 4500, whole days, cents)."""
STEP_SHARE = 0.95
UNSEEN_PSEUDO_COUNT = 0.5
"""Weight given to a documented category the sample never shows (CODE_GENDER "XNA"...), so that
large synthetic sets contain the rare values of the full data."""
RISK_REGULARISATION = 0.1
"""Inverse L2 strength of the risk regression on standardised factors: mild shrinkage, so the
synthetic factors weigh what they weigh in the real data rather than the sample's noise."""
SIGNIFICANT_DIGITS = 6


class SampleError(Exception):
    """The sample directory lacks a file or column the statistics need."""


# --- one column -----------------------------------------------------------------------------------


def granularity(values: np.ndarray) -> float | None:
    """The coarsest step of `STEPS` that nearly all values are multiples of, or None."""
    for step in STEPS:
        multiples = np.abs(values / step - np.round(values / step)) < 1e-6
        if multiples.mean() >= STEP_SHARE:
            return step
    return None


def value_part(values: pd.Series, vocabulary: Sequence[str] | None, unseen: frozenset[str]) -> dict | None:
    """The distribution of a column's present values, or None when too few values are present."""
    present = values.dropna()
    if len(present) < MIN_GROUP_ROWS:
        return None
    if not pd.api.types.is_numeric_dtype(values):
        counts = present.astype(str).value_counts()
        order = list(vocabulary) if vocabulary is not None else sorted(counts.index)
        weights = [float(counts.get(v, 0)) or (UNSEEN_PSEUDO_COUNT if v in unseen else 0.0) for v in order]
        kept = [(v, w) for v, w in zip(order, weights, strict=True) if w > 0]
        return _frequencies([v for v, _ in kept], [w for _, w in kept])
    numbers = present.to_numpy(dtype=float)
    whole = bool(np.all(numbers == np.round(numbers)))
    if whole and present.nunique() <= MAX_DISCRETE_VALUES:
        counts = present.value_counts().sort_index()
        if not set(counts.index) <= {0.0, 1.0}:
            # A rare value could single a row out; a rare 0/1 outcome is only a low rate.
            counts = counts[counts >= MIN_VALUE_COUNT]
        if len(counts) > 0:
            return _frequencies([float(v) for v in counts.index], counts.to_numpy(dtype=float).tolist())
    if len(present) < MIN_QUANTILE_ROWS:
        return None
    points = min(MAX_QUANTILES, len(numbers) // ROWS_PER_QUANTILE)
    return {
        "quantiles": np.quantile(numbers, quantile_grid(points)).tolist(),
        "step": granularity(numbers),
    }


def _frequencies(values: list, weights: list[float]) -> dict:
    total = float(sum(weights))
    return {"values": values, "p": [w / total for w in weights]}


# --- grouped marginals ----------------------------------------------------------------------------


def fit_grouped(
    frame: pd.DataFrame,
    keys: Sequence[str],
    columns: Iterable[str],
    vocabularies: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """Marginals of `columns` per combination of `keys` (and per prefix of them, and pooled).

    A column's missing rate is always its group's own; its present-value distribution comes from the
    most specific enclosing group holding enough present values to describe it.
    """
    vocabularies = vocabularies or {}
    columns = list(columns)
    unseen = {
        c: frozenset(set(vocabularies[c]) - set(frame[c].dropna().astype(str)))
        for c in columns
        if c in vocabularies
    }
    groups: dict[str, Any] = {}
    parts: dict[tuple[str, str], dict | None] = {}
    for depth in range(len(keys) + 1):
        level_keys = list(keys[:depth])
        grouped = [((), frame)] if not level_keys else frame.groupby(level_keys, sort=True, dropna=False)
        for key_values, rows in grouped:
            if len(rows) < MIN_GROUP_ROWS:
                continue
            label = KEY_SEPARATOR.join(str(v) for v in _as_tuple(key_values))
            parent = KEY_SEPARATOR.join(label.split(KEY_SEPARATOR)[:-1]) if depth > 0 else None
            specs = {}
            for column in columns:
                part = value_part(rows[column], vocabularies.get(column), unseen.get(column, frozenset()))
                if part is None and parent is not None:
                    part = parts.get((parent, column))
                parts[(label, column)] = part
                missing = float(rows[column].isna().mean())
                specs[column] = {"missing": missing, **part} if part is not None else {"missing": 1.0}
            groups[label] = {"rows": len(rows), "columns": specs}
    return {"keys": list(keys), "groups": groups}


def _as_tuple(key_values: Any) -> tuple:
    return key_values if isinstance(key_values, tuple) else (key_values,)


def fit_patterns(frame: pd.DataFrame, key: str, columns: Sequence[str]) -> dict[str, Any]:
    """Frequencies of the joint values of `columns` (missing included), per value of `key` and pooled."""
    groups: dict[str, Any] = {}
    for label, rows in [(POOLED, frame), *frame.groupby(key, sort=True)]:
        if len(rows) < MIN_GROUP_ROWS:
            continue
        counts = rows[list(columns)].value_counts(dropna=False, sort=False)
        counts = counts[counts >= MIN_VALUE_COUNT].sort_index()
        patterns = [[_number_or_none(v) for v in _as_tuple(index)] for index in counts.index]
        groups[str(label)] = {
            "rows": len(rows),
            **_frequencies(patterns, counts.to_numpy(dtype=float).tolist()),
        }
    return {"keys": [key], "columns": list(columns), "groups": groups}


def _number_or_none(value: Any) -> float | None:
    return None if pd.isna(value) else float(value)


# --- copulas --------------------------------------------------------------------------------------


def normal_scores(values: pd.Series, missing_lowest: bool = False) -> pd.Series:
    """Rank-based normal scores; missing stays missing, or ranks below every value if `missing_lowest`."""
    if values.nunique() < 2:
        return pd.Series(np.nan, index=values.index)
    if missing_lowest:
        values = values.fillna(-np.inf)
    ranks = values.rank(method="average")
    return pd.Series(ndtri(ranks / (ranks.notna().sum() + 1)), index=values.index)


def grouped_normal_scores(frame: pd.DataFrame, column: str, key: str | None) -> pd.Series:
    """Normal scores of `column` computed within each value of `key` (the groups its marginals use)."""
    if key is None:
        return normal_scores(frame[column])
    return frame.groupby(key, sort=True)[column].transform(normal_scores)


def positive_definite(correlation: pd.DataFrame) -> list[list[float]]:
    """The pairwise correlation made a valid correlation matrix (eigenvalues floored, unit diagonal)."""
    matrix = correlation.fillna(0.0).to_numpy(copy=True)
    np.fill_diagonal(matrix, 1.0)
    eigenvalues, eigenvectors = np.linalg.eigh((matrix + matrix.T) / 2.0)
    repaired = eigenvectors @ np.diag(np.maximum(eigenvalues, 1e-3)) @ eigenvectors.T
    scale = np.sqrt(np.diag(repaired))
    return (repaired / np.outer(scale, scale)).tolist()


def fit_copula(scores: pd.DataFrame) -> dict[str, Any]:
    return {
        "columns": list(scores.columns),
        "correlation": positive_definite(scores.corr(min_periods=MIN_QUANTILE_ROWS)),
    }


# --- tables ---------------------------------------------------------------------------------------


def with_derived(frame: pd.DataFrame, derived: Mapping[str, Any]) -> pd.DataFrame:
    """`frame` plus the layout's derived columns (computed on numpy arrays, as the generators do)."""
    columns = {name: frame[name].to_numpy() for name in frame.columns}
    extra = pd.DataFrame({name: derive(columns) for name, derive in derived.items()}, index=frame.index)
    return pd.concat([frame, extra], axis=1)


def fit_application(frame: pd.DataFrame) -> dict[str, Any]:
    """All statistics of application_train: marginals, patterns, copulas and the risk regression."""
    derived = {
        **layout.APPLICATION_DERIVED,
        layout.BUILDING_PRESENT: lambda _: (
            frame[list(layout.BUILDING_COLUMNS)].notna().any(axis=1).astype(float)
        ),
    }
    frame = with_derived(frame, derived)
    by_key: dict[str, list[str]] = {}
    for column in layout.APPLICATION_MARGINALS:
        by_key.setdefault(layout.APPLICATION_GROUP_KEY.get(column, layout.REGIME) or POOLED, []).append(
            column
        )
    marginals = {
        key: fit_grouped(frame, [key] if key else [], columns, APPLICATION_CATEGORIES)
        for key, columns in by_key.items()
    }
    scores = pd.DataFrame(
        {
            column: grouped_normal_scores(
                frame, column, layout.APPLICATION_GROUP_KEY.get(column, layout.REGIME)
            )
            for column in layout.COPULA_COLUMNS
        }
    )
    present = frame[frame[layout.BUILDING_PRESENT] == 1.0]
    building_scores = pd.DataFrame(
        {column: normal_scores(present[column], missing_lowest=True) for column in layout.BUILDING_COPULA}
    )
    return {
        "rows": len(frame),
        "default_rate": float(frame[TARGET].mean()),
        "marginals": marginals,
        "patterns": {
            name: fit_patterns(frame, layout.REGIME, columns)
            for name, columns in layout.APPLICATION_PATTERNS.items()
        },
        "copula": fit_copula(scores),
        "building": {
            "marginals": fit_grouped(present, [], layout.BUILDING_COLUMNS, APPLICATION_CATEGORIES),
            **fit_copula(building_scores),
        },
        "risk": fit_risk(frame),
        "steps": {
            column: granularity(frame[column].dropna().to_numpy(dtype=float))
            for column in ("AMT_CREDIT", "AMT_ANNUITY")
        },
        "earliest_days_after_birth": {
            column: float(
                np.nanquantile(_finite(frame[column]) - frame["DAYS_BIRTH"], layout.EARLIEST_AGE_LEVEL)
            )
            for column in layout.LIFE_EVENT_DATES
        },
    }


def _finite(days: pd.Series) -> pd.Series:
    """A DAYS column with the 365243 placeholder as missing."""
    return days.where(days != DAYS_EMPLOYED_ANOMALY)


def fit_risk(frame: pd.DataFrame) -> dict[str, Any]:
    """The logistic regression of TARGET on the standardised risk factors (see `risk`)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    raw = risk.risk_factor_matrix({name: frame[name].to_numpy() for name in frame.columns})
    fitted = {"median": np.nanmedian(raw, axis=0).tolist()}
    imputed = np.where(np.isnan(raw), np.asarray(fitted["median"]), raw)
    fitted["mean"] = imputed.mean(axis=0).tolist()
    fitted["scale"] = np.where(imputed.std(axis=0) > 0, imputed.std(axis=0), 1.0).tolist()
    z = risk.standardised_factors(raw, fitted)
    target = frame[TARGET].to_numpy()
    model = LogisticRegression(C=RISK_REGULARISATION, max_iter=1000)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    cross_validated = cross_val_score(model, z, target, cv=folds, scoring="roc_auc").mean()
    model.fit(z, target)
    logit = model.decision_function(z)
    return {
        "factors": list(risk.RISK_FACTORS),
        **fitted,
        "coef": model.coef_[0].tolist(),
        "intercept": float(model.intercept_[0]),
        "logit_mean": float(logit.mean()),
        "logit_std": float(logit.std()),
        "auc_on_sample": float(roc_auc_score(target, logit)),
        "auc_cross_validated": float(cross_validated),
    }


def fit_history(table: str, frame: pd.DataFrame) -> dict[str, Any]:
    """Grouped marginals of every non-identifier column of a history table and its derived relations."""
    frame = with_derived(frame, layout.HISTORY_DERIVED[table])
    identifiers = {"SK_ID_CURR", "SK_ID_BUREAU", "SK_ID_PREV"}
    columns = [c for c in frame.columns if c not in identifiers]
    return {"rows": len(frame), "marginals": fit_grouped(frame, layout.HISTORY_GROUP_KEYS[table], columns)}


def read_table(sample_dir: Path, table: str) -> pd.DataFrame:
    """One table of the sample, with its schema columns (a clear error when absent)."""
    path = sample_dir / f"{table}.csv"
    if not path.is_file():
        raise SampleError(f"{path}: missing; the sample directory must hold all seven Kaggle tables")
    frame = pd.read_csv(path)
    absent = [c for c in TABLES[table] if c not in frame.columns]
    if absent:
        raise SampleError(f"{path}: missing column(s) {', '.join(absent)}")
    if table == APPLICATION:
        for column, vocabulary in APPLICATION_CATEGORIES.items():
            unknown = sorted(set(frame[column].dropna().astype(str)) - set(vocabulary))
            if unknown:
                raise SampleError(f"{path}: {column} holds {unknown}, outside its documented vocabulary")
    return frame[list(TABLES[table])]


def fit_all(sample_dir: Path) -> dict[str, Any]:
    """The statistics of every table of the sample in `sample_dir`."""
    stats: dict[str, Any] = {
        "about": (
            "Aggregate statistics of the real Home Credit sample, fitted by credit_scoring.synth.fit_stats: "
            "missing rates, frequencies, grid quantiles, rank correlations, one regression. No rows."
        ),
        APPLICATION: fit_application(read_table(sample_dir, APPLICATION)),
    }
    for table in HISTORY_TABLES:
        stats[table] = fit_history(table, read_table(sample_dir, table))
    return stats


def compact(value: Any) -> Any:
    """JSON-ready copy: floats to `SIGNIFICANT_DIGITS` significant digits, NaN to null."""
    if isinstance(value, dict):
        return {key: compact(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [compact(item) for item in value]
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(f"{float(value):.{SIGNIFICANT_DIGITS}g}")
    if isinstance(value, np.integer):
        return int(value)
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=Path, required=True, help="directory of the real sample's CSV files")
    parser.add_argument("--out", type=Path, required=True, help="stats.json to write")
    args = parser.parse_args(argv)
    try:
        stats = fit_all(args.sample)
    except SampleError as error:
        parser.exit(2, f"fit_stats: error: {error}\n")
    text = json.dumps(compact(stats), indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(text) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
