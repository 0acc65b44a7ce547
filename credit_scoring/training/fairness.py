"""How the champion's decisions differ between groups of people, measured on the held-out test split.

Sex may not drive a credit decision, so protected columns (default CODE_GENDER) never reach the model;
they are read here only, to report per group (Fairlearn's MetricFrame): the number of clients, AUC,
approval rate and its adverse impact ratio (the group's approval rate over the highest group's; the
four-fifths rule reads below 0.8 as adverse impact), false-negative rate (defaulters accepted),
false-positive rate (good clients refused), and calibration within the group (mean predicted
probability against the observed default rate, and ECE); for each measure, the largest gap between
groups. Age, which the model may use, is always reported by band from DAYS_BIRTH.
Groups smaller than `min_group_size` are reported but left out of the gaps, where a handful of clients
(e.g. CODE_GENDER = "XNA") would only add noise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame

from credit_scoring.training.metrics import auc_or_none, expected_calibration_error

AGE_ATTRIBUTE: Final = "AGE_BAND"
AGE_BANDS: Final = ((30.0, "<30"), (45.0, "30–45"), (60.0, "45–60"), (float("inf"), "60+"))
"""(upper bound in years, exclusive; label)."""
DAYS_PER_YEAR: Final = 365.25
MISSING: Final = "missing"
NUMERIC_BANDS: Final = 4
"""A numeric protected column other than DAYS_BIRTH is reported by quartile band."""
MIN_GROUP_SIZE: Final = 30
MEASURES: Final = ("auc", "approval_rate", "fnr", "fpr", "ece", "calibration_gap")
FOUR_FIFTHS: Final = 0.8


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


def _approval_rate(y_true: np.ndarray, refused: np.ndarray) -> float | None:
    return _rate(int((~refused).sum()), int(refused.size))


def _fnr(y_true: np.ndarray, refused: np.ndarray) -> float | None:
    defaulted = y_true == 1
    return _rate(int((~refused & defaulted).sum()), int(defaulted.sum()))


def _fpr(y_true: np.ndarray, refused: np.ndarray) -> float | None:
    repaid = y_true == 0
    return _rate(int((refused & repaid).sum()), int(repaid.sum()))


def _ece(y_true: np.ndarray, probability: np.ndarray) -> float | None:
    return expected_calibration_error(y_true, probability) if y_true.size else None


DECISION_MEASURES: Final = {"approval_rate": _approval_rate, "fnr": _fnr, "fpr": _fpr}
"""Measures of the decisions (refused or not) of a group."""
SCORE_MEASURES: Final = {
    "n": lambda y_true, probability: int(y_true.size),
    "defaults": lambda y_true, probability: int((y_true == 1).sum()),
    "auc": auc_or_none,
    "mean_probability": lambda y_true, probability: float(probability.mean()),
    "default_rate": lambda y_true, probability: float(y_true.mean()),
    "ece": _ece,
}
"""Measures of the probabilities of a group (ranking and calibration)."""


def _by_group(y_true: np.ndarray, values: np.ndarray, labels: np.ndarray, measures: Mapping) -> pd.DataFrame:
    frame = MetricFrame(metrics=dict(measures), y_true=y_true, y_pred=values, sensitive_features=labels)
    return frame.by_group


def group_table(
    y_true: np.ndarray, probability: np.ndarray, refused: np.ndarray, labels: np.ndarray, min_group_size: int
) -> dict[str, dict[str, Any]]:
    """Per group label: `SCORE_MEASURES`, `DECISION_MEASURES`, the calibration gap (mean predicted −
    observed default rate) and the adverse impact ratio among groups of at least `min_group_size`."""
    labels = np.asarray([str(label) for label in labels], dtype=object)
    table = _by_group(y_true, probability, labels, SCORE_MEASURES).join(
        _by_group(y_true, refused, labels, DECISION_MEASURES)
    )
    rows = {
        str(group): {key: _plain(value) for key, value in row.items()}
        for group, row in table.to_dict(orient="index").items()
    }
    for row in rows.values():
        row["n"], row["defaults"] = int(row["n"]), int(row["defaults"])  # the join made them floats
        row["calibration_gap"] = row["mean_probability"] - row["default_rate"]
    rates = [row["approval_rate"] for row in rows.values() if row["n"] >= min_group_size]
    reference = max((rate for rate in rates if rate), default=None)
    for row in rows.values():
        rate = row["approval_rate"]
        row["adverse_impact_ratio"] = None if reference is None or rate is None else rate / reference
    return dict(sorted(rows.items()))


def _plain(value: Any) -> Any:
    """A JSON value: numpy scalars as Python numbers, NaN (a measure undefined for the group) as None."""
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    return None if isinstance(value, float) and value != value else value


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
    """Per attribute and group, the measures of `group_table`; per attribute, the largest gaps and the
    groups whose adverse impact ratio is below the four-fifths rule."""
    y_true = np.asarray(y_true)
    probability = np.asarray(probability, dtype=np.float64)
    refused = probability >= threshold
    by_group: dict[str, dict[str, Any]] = {}
    largest_gaps: dict[str, dict[str, Any]] = {}
    for attribute, labels in groups.items():
        rows = group_table(y_true, probability, refused, np.asarray(labels, dtype=object), min_group_size)
        by_group[attribute] = rows
        largest_gaps[attribute] = _largest_gaps(rows, min_group_size)
    return {
        "threshold": float(threshold),
        "min_group_size": min_group_size,
        "by_group": by_group,
        "largest_gaps": largest_gaps,
        "adverse_impact": {
            attribute: sorted(
                group
                for group, row in rows.items()
                if row["n"] >= min_group_size
                and row["adverse_impact_ratio"] is not None
                and row["adverse_impact_ratio"] < FOUR_FIFTHS
            )
            for attribute, rows in by_group.items()
        },
    }


def gap_lines(report: Mapping[str, Any]) -> list[str]:
    """One human line per attribute and measure: the largest gap and the groups it lies between."""
    return [
        f"{attribute} {measure}: gap {gap['gap']:.3f} ({gap['highest']} highest, {gap['lowest']} lowest)"
        for attribute, gaps in report["largest_gaps"].items()
        for measure, gap in gaps.items()
    ]
