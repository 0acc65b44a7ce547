"""How the champion's decisions differ between groups of people, measured on the held-out test split.

Sex may not drive a credit decision, so protected columns (default CODE_GENDER) never reach the model;
they are read here only, to report per group: the number of clients, AUC, approval rate, false-negative
rate (defaulters accepted) and false-positive rate (good clients refused), and for each measure the
largest gap between groups. Age, which the model may use, is always reported by band from DAYS_BIRTH.
Groups smaller than `min_group_size` are reported but left out of the gaps, where a handful of clients
(e.g. CODE_GENDER = "XNA") would only add noise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from credit_scoring.training.metrics import auc_or_none

AGE_ATTRIBUTE: Final = "AGE_BAND"
AGE_BANDS: Final = ((30.0, "<30"), (45.0, "30–45"), (60.0, "45–60"), (float("inf"), "60+"))
"""(upper bound in years, exclusive; label)."""
DAYS_PER_YEAR: Final = 365.25
MISSING: Final = "missing"
NUMERIC_BANDS: Final = 4
"""A numeric protected column other than DAYS_BIRTH is reported by quartile band."""
MIN_GROUP_SIZE: Final = 30
MEASURES: Final = ("auc", "approval_rate", "fnr", "fpr")


def age_bands(days_birth: np.ndarray) -> np.ndarray:
    """Age band label of each client from DAYS_BIRTH (days before the application, negative)."""
    years = -np.asarray(days_birth, dtype=np.float64) / DAYS_PER_YEAR
    labels = np.full(years.shape, MISSING, dtype=object)
    lower = -np.inf
    for upper, label in AGE_BANDS:
        labels[(years >= lower) & (years < upper)] = label
        lower = upper
    return labels


def _column_groups(values: pd.Series) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(values):
        bands = pd.qcut(values, NUMERIC_BANDS, duplicates="drop")
        return bands.astype(str).where(bands.notna(), MISSING).to_numpy(dtype=object)
    return values.astype(object).where(values.notna(), MISSING).to_numpy(dtype=object)


def protected_groups(applications: pd.DataFrame, protected: Sequence[str]) -> dict[str, np.ndarray]:
    """Group label per client for each protected column present, then the age band.

    A protected DAYS_BIRTH is reported once, as the age band.
    """
    groups = {
        column: _column_groups(applications[column])
        for column in protected
        if column in applications and column != "DAYS_BIRTH"
    }
    if "DAYS_BIRTH" in applications:
        groups[AGE_ATTRIBUTE] = age_bands(applications["DAYS_BIRTH"].to_numpy())
    return groups


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def group_measures(y_true: np.ndarray, refused: np.ndarray, probability: np.ndarray) -> dict[str, Any]:
    """n, defaulters, AUC, approval rate, FNR and FPR of one group (None where undefined)."""
    defaulted = y_true == 1
    return {
        "n": int(y_true.size),
        "defaults": int(defaulted.sum()),
        "auc": auc_or_none(y_true, probability),
        "approval_rate": _rate(int((~refused).sum()), int(y_true.size)),
        "fnr": _rate(int((~refused & defaulted).sum()), int(defaulted.sum())),
        "fpr": _rate(int((refused & ~defaulted).sum()), int((~defaulted).sum())),
    }


def _largest_gaps(by_group: Mapping[str, Mapping[str, Any]], min_group_size: int) -> dict[str, Any]:
    gaps: dict[str, Any] = {}
    for measure in MEASURES:
        values = {
            group: row[measure]
            for group, row in by_group.items()
            if row["n"] >= min_group_size and row[measure] is not None
        }
        if len(values) < 2:
            continue
        highest = max(values, key=values.__getitem__)
        lowest = min(values, key=values.__getitem__)
        gaps[measure] = {"gap": values[highest] - values[lowest], "highest": highest, "lowest": lowest}
    return gaps


def fairness_report(
    y_true: np.ndarray,
    probability: np.ndarray,
    threshold: float,
    groups: Mapping[str, np.ndarray],
    min_group_size: int = MIN_GROUP_SIZE,
) -> dict[str, Any]:
    """Per attribute and group, the measures of `group_measures`; per attribute, the largest gaps."""
    y_true = np.asarray(y_true)
    probability = np.asarray(probability, dtype=np.float64)
    refused = probability >= threshold
    by_group: dict[str, dict[str, Any]] = {}
    largest_gaps: dict[str, dict[str, Any]] = {}
    for attribute, labels in groups.items():
        labels = np.asarray(labels, dtype=object)
        rows = {}
        for label in sorted(set(labels), key=str):
            mask = labels == label
            rows[str(label)] = group_measures(y_true[mask], refused[mask], probability[mask])
        by_group[attribute] = rows
        largest_gaps[attribute] = _largest_gaps(rows, min_group_size)
    return {
        "threshold": float(threshold),
        "min_group_size": min_group_size,
        "by_group": by_group,
        "largest_gaps": largest_gaps,
    }


def gap_lines(report: Mapping[str, Any]) -> list[str]:
    """One human line per attribute and measure: the largest gap and the groups it lies between."""
    return [
        f"{attribute} {measure}: gap {gap['gap']:.3f} ({gap['highest']} highest, {gap['lowest']} lowest)"
        for attribute, gaps in report["largest_gaps"].items()
        for measure, gap in gaps.items()
    ]
