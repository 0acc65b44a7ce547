"""Application features: the one definition of what the model sees of an application.

Training transforms a whole table; the API transforms one application given as `{column: [value]}`.
Both must agree to the last bit, so every step is an element-wise numpy operation on float64 columns
(sums over a few columns are written out term by term rather than reduced along an axis, whose
summation order numpy may choose by shape). Nothing is fitted: categories are one-hot encoded against
the documented vocabularies of `schema.APPLICATION_CATEGORIES`, so the transform is a pure function.
numpy and the standard library only: serving imports this module.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import ArrayLike

from credit_scoring import schema

BINARY_FLAGS: Final[dict[str, tuple[str, str]]] = {
    "FLAG_OWN_CAR": ("N", "Y"),
    "FLAG_OWN_REALTY": ("N", "Y"),
}
"""Categorical Y/N columns encoded as one 0/1 feature: (value for 0, value for 1)."""

EMPLOYED_ANOMALY_FLAG: Final = "DAYS_EMPLOYED_ANOMALY"
"""1 when DAYS_EMPLOYED holds Kaggle's 365243 placeholder (pensioners, unemployed); the placeholder
itself becomes missing, so that it does not pass for 1,000 years of future employment."""

DAYS_PER_YEAR: Final = 365.25

RATIOS: Final[dict[str, tuple[str, str]]] = {
    "CREDIT_INCOME_RATIO": ("AMT_CREDIT", "AMT_INCOME_TOTAL"),
    "ANNUITY_INCOME_RATIO": ("AMT_ANNUITY", "AMT_INCOME_TOTAL"),
    "PAYMENT_RATE": ("AMT_ANNUITY", "AMT_CREDIT"),
    "CREDIT_GOODS_RATIO": ("AMT_CREDIT", "AMT_GOODS_PRICE"),
    "INCOME_PER_PERSON": ("AMT_INCOME_TOTAL", "CNT_FAM_MEMBERS"),
    "CHILDREN_RATIO": ("CNT_CHILDREN", "CNT_FAM_MEMBERS"),
    "EMPLOYED_BIRTH_RATIO": ("DAYS_EMPLOYED", "DAYS_BIRTH"),
    "SOCIAL_CIRCLE_DEFAULT_RATIO": ("DEF_60_CNT_SOCIAL_CIRCLE", "OBS_60_CNT_SOCIAL_CIRCLE"),
}
"""Ratio features: numerator / denominator; a zero or missing denominator gives a missing ratio."""

EXT_SOURCES: Final = ("EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3")
DOCUMENT_FLAGS: Final = tuple(
    name for name in schema.TABLES[schema.APPLICATION] if name.startswith("FLAG_DOCUMENT_")
)


@dataclass(frozen=True)
class _Combination:
    """Features computed together from several numeric columns, given as one (n, len(inputs)) matrix."""

    names: tuple[str, ...]
    inputs: tuple[str, ...]
    compute: Callable[[np.ndarray], tuple[np.ndarray, ...]]


def _age_years(days_birth: np.ndarray) -> tuple[np.ndarray, ...]:
    return (days_birth[:, 0] / -DAYS_PER_YEAR,)


def _ext_source_summary(scores: np.ndarray) -> tuple[np.ndarray, ...]:
    """Mean, min, max, population standard deviation and missing count of the three external scores."""
    present = ~np.isnan(scores)
    count = present.sum(axis=1)
    filled = np.where(present, scores, 0.0)
    mean = (filled[:, 0] + filled[:, 1] + filled[:, 2]) / count
    deviation = np.where(present, scores - mean[:, np.newaxis], 0.0)
    squared = deviation * deviation
    variance = (squared[:, 0] + squared[:, 1] + squared[:, 2]) / count
    # fmin/fmax skip missing scores and, unlike a float sum, do not depend on the reduction order.
    low = np.fmin.reduce(scores, axis=1)
    high = np.fmax.reduce(scores, axis=1)
    return mean, low, high, np.sqrt(variance), scores.shape[1] - count


def _document_count(flags: np.ndarray) -> tuple[np.ndarray, ...]:
    """How many documents the client provided (flags equal to 1); missing when every flag is missing."""
    provided = (flags == 1.0).sum(axis=1)
    return (np.where(np.isnan(flags).all(axis=1), np.nan, provided),)


COMBINATIONS: Final = (
    _Combination(("AGE_YEARS",), ("DAYS_BIRTH",), _age_years),
    _Combination(
        ("EXT_SOURCE_MEAN", "EXT_SOURCE_MIN", "EXT_SOURCE_MAX", "EXT_SOURCE_STD", "EXT_SOURCE_NAN_COUNT"),
        EXT_SOURCES,
        _ext_source_summary,
    ),
    _Combination(("DOCUMENT_COUNT",), DOCUMENT_FLAGS, _document_count),
)


@dataclass(frozen=True)
class CodedLabels:
    """A categorical column given as each row's code into its distinct labels, -1 for a missing value
    (what `pandas.factorize` returns). `transform` then checks and encodes each label once rather than
    every row's. Sliced like an array of the labels."""

    codes: np.ndarray
    """One integer per row: a position in `labels`, or -1."""
    labels: Sequence[object]
    """Distinct labels; those no row refers to are never read."""

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, rows: slice | np.ndarray) -> CodedLabels:
        return CodedLabels(self.codes[rows], self.labels)


def _is_missing(value: object) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    # pandas.NA can only come from pandas, which is then already imported: no import here.
    pandas = sys.modules.get("pandas")
    return pandas is not None and value is pandas.NA


def _as_list(column: str, values: ArrayLike, n: int) -> list[object]:
    items = values.tolist() if isinstance(values, np.ndarray) else list(values)
    if len(items) != n:
        raise ValueError(f"{column}: {len(items)} values where the other columns have {n}")
    return items


def _codes_of(
    name: str, distinct: Iterable[object], codes: Mapping[str, float], absent: float
) -> dict[object, float]:
    """The code of each distinct value, `absent` for a missing one; raises ValueError naming a value
    outside the vocabulary."""
    code_of: dict[object, float] = {}
    for value in distinct:
        if isinstance(value, str) and value in codes:
            code_of[value] = codes[value]
        elif _is_missing(value):
            code_of[value] = absent
        else:
            expected = ", ".join(repr(v) for v in codes)
            raise ValueError(f"{name}: {value!r} is not a documented value (expected one of {expected})")
    return code_of


def _encode_coded(
    name: str,
    values: CodedLabels,
    codes: Mapping[str, float],
    n: int,
    absent: float,
    dtype: type[np.generic],
) -> np.ndarray:
    """`ApplicationFeatures._encode` of coded labels: the labels some row refers to are checked and
    encoded once, then each row takes its label's code by indexing."""
    if len(values) != n:
        raise ValueError(f"{name}: {len(values)} values where the other columns have {n}")
    positions = np.asarray(values.codes, dtype=np.intp)
    used = np.flatnonzero(np.bincount(positions + 1, minlength=len(values.labels) + 1)[1:]).tolist()
    code_of = _codes_of(name, (values.labels[i] for i in used), codes, absent)
    lookup = np.full(len(values.labels) + 1, absent, dtype=dtype)  # position -1 picks the last: missing
    for i in used:
        lookup[i] = code_of[values.labels[i]]
    return lookup[positions]


def _column_floats(column: str, values: ArrayLike, n: int) -> np.ndarray:
    """One numeric column as float64, missing values as NaN; names the row of a value that is not a number."""
    result = np.empty(n)
    for row, value in enumerate(_as_list(column, values, n)):
        if _is_missing(value):
            result[row] = np.nan
            continue
        try:
            result[row] = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{column}: row {row} must be a number, got {value!r}") from None
    return result


class ApplicationFeatures:
    """The application part of the model's input, computed the same way for one application or many.

    `names` lists the output columns in order: the numeric application columns as they are (with
    DAYS_EMPLOYED's placeholder made missing) and DAYS_EMPLOYED_ANOMALY, the Y/N flags as 0/1, one
    `COLUMN=value` indicator per documented value of each categorical column (all zero when the value is
    missing), then ratios and summaries. Protected columns are never read, and no feature derived from
    one is produced.
    """

    def __init__(self, protected: Sequence[str] = ("CODE_GENDER",)) -> None:
        known = schema.application_columns()
        unknown = [name for name in protected if name not in known or name == schema.CLIENT_ID]
        if unknown:
            raise ValueError(f"protected columns {unknown} are not application columns")
        self.protected: tuple[str, ...] = tuple(protected)
        excluded = {*protected, schema.CLIENT_ID}

        self._numeric = tuple(
            name for name, kind in known.items() if kind != schema.CATEGORY and name not in excluded
        )
        self._flags = tuple(name for name in BINARY_FLAGS if name not in excluded)
        self._categorical = tuple(
            name
            for name, kind in known.items()
            if kind == schema.CATEGORY and name not in BINARY_FLAGS and name not in excluded
        )
        self._ratios = {name: pair for name, pair in RATIOS.items() if not excluded.intersection(pair)}
        self._combinations = tuple(c for c in COMBINATIONS if not excluded.intersection(c.inputs))

        position = {name: i for i, name in enumerate(self._numeric)}
        self._employed = position.get("DAYS_EMPLOYED")
        self._numerators = np.array([position[a] for a, _ in self._ratios.values()], dtype=np.intp)
        self._denominators = np.array([position[b] for _, b in self._ratios.values()], dtype=np.intp)
        self._combination_inputs = [
            np.array([position[name] for name in c.inputs], dtype=np.intp) for c in self._combinations
        ]
        self._vocabularies = [
            {value: code for code, value in enumerate(schema.APPLICATION_CATEGORIES[name])}
            for name in self._categorical
        ]
        self._flag_codes = [{no: 0.0, yes: 1.0} for no, yes in (BINARY_FLAGS[name] for name in self._flags)]

        one_hot = [
            f"{name}={value}" for name in self._categorical for value in schema.APPLICATION_CATEGORIES[name]
        ]
        anomaly = (EMPLOYED_ANOMALY_FLAG,) if self._employed is not None else ()
        derived = (*self._ratios, *(name for c in self._combinations for name in c.names))
        self.names: tuple[str, ...] = (*self._numeric, *anomaly, *self._flags, *one_hot, *derived)
        self.input_columns: tuple[str, ...] = (*self._numeric, *self._flags, *self._categorical)
        """The raw application columns `transform` reads (never a protected one)."""

        # Where each block of `names` starts, and each categorical column's first indicator.
        self._flag_start = len(self._numeric) + len(anomaly)
        self._one_hot_start = self._flag_start + len(self._flags)
        sizes = [len(schema.APPLICATION_CATEGORIES[name]) for name in self._categorical]
        self._one_hot_offsets = (self._one_hot_start + np.cumsum([0, *sizes[:-1]])).astype(np.intp)
        self._derived_start = self._one_hot_start + len(one_hot)

    def transform(self, columns: Mapping[str, ArrayLike | CodedLabels]) -> np.ndarray:
        """Features of n applications, shape (n, len(names)), float64.

        `columns` maps raw application column names to equal-length sequences (a pandas column's
        `.to_numpy()`, `[value]` for one application, or `CodedLabels` for a categorical column); an
        absent column is all missing, columns this transform does not read are ignored. Raises
        ValueError naming the column (and row) of a value that is not a finite number where a number is
        expected, or not in a categorical column's documented vocabulary.
        """
        n = self._length(columns)
        out = np.empty((n, len(self.names)))
        numeric = self._numeric_block(columns, n)
        if self._employed is not None:
            employed = numeric[:, self._employed]
            anomalous = employed == schema.DAYS_EMPLOYED_ANOMALY
            out[:, len(self._numeric)] = np.where(np.isnan(employed), np.nan, anomalous)
            employed[anomalous] = np.nan
        out[:, : len(self._numeric)] = numeric
        for i, (name, codes) in enumerate(zip(self._flags, self._flag_codes, strict=True)):
            out[:, self._flag_start + i] = self._encode(name, columns.get(name), codes, n, np.nan)
        self._one_hot(columns, n, out)
        self._derived(numeric, out)
        return out

    def _length(self, columns: Mapping[str, ArrayLike | CodedLabels]) -> int:
        for name in self.input_columns:
            if name in columns:
                return len(columns[name])
        raise ValueError(
            "none of the application columns this transform reads was given (e.g. AMT_CREDIT), "
            "so the number of applications is unknown"
        )

    def _numeric_block(self, columns: Mapping[str, ArrayLike | CodedLabels], n: int) -> np.ndarray:
        missing = np.full(n, np.nan)
        raw = [columns.get(name, missing) for name in self._numeric]
        try:
            block = np.array(raw, dtype=np.float64)
            if block.shape != (len(self._numeric), n):
                raise ValueError("columns of unequal length")
        except (TypeError, ValueError):
            # Slow path: finds the column and row at fault, and reads pandas.NA as missing.
            block = np.stack(
                [_column_floats(name, values, n) for name, values in zip(self._numeric, raw, strict=True)]
            )
        infinite = np.isinf(block)
        if infinite.any():
            column, row = np.argwhere(infinite)[0]
            raise ValueError(
                f"{self._numeric[column]}: row {row} must be a finite number, got {block[column, row]}"
            )
        return np.ascontiguousarray(block.T)

    @staticmethod
    def _encode(
        name: str,
        values: ArrayLike | CodedLabels | None,
        codes: Mapping[str, float],
        n: int,
        absent: float,
        dtype: type[np.generic] = np.float64,
    ) -> np.ndarray:
        """Each value's code in `codes`, `absent` when missing; every distinct value is checked once."""
        if values is None:
            return np.full(n, absent, dtype=dtype)
        if isinstance(values, CodedLabels):
            return _encode_coded(name, values, codes, n, absent, dtype)
        items = _as_list(name, values, n)
        try:
            distinct = set(items)
        except TypeError:
            raise ValueError(f"{name}: expected text values") from None
        code_of = _codes_of(name, distinct, codes, absent)
        # Straight into an array, without a list of Python numbers to convert afterwards.
        return np.fromiter(map(code_of.__getitem__, items), dtype=dtype, count=n)

    def _one_hot(self, columns: Mapping[str, ArrayLike | CodedLabels], n: int, out: np.ndarray) -> None:
        out[:, self._one_hot_start : self._derived_start] = 0.0
        codes = np.empty((len(self._categorical), n), dtype=np.intp)
        for i, (name, vocabulary) in enumerate(zip(self._categorical, self._vocabularies, strict=True)):
            codes[i] = self._encode(name, columns.get(name), vocabulary, n, -1, np.intp)
        category, row = np.nonzero(codes >= 0)
        out[row, self._one_hot_offsets[category] + codes[category, row]] = 1.0

    def _derived(self, numeric: np.ndarray, out: np.ndarray) -> None:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            ratios = numeric[:, self._numerators] / numeric[:, self._denominators]
            column = self._derived_start + ratios.shape[1]
            out[:, self._derived_start : column] = ratios
            for combination, inputs in zip(self._combinations, self._combination_inputs, strict=True):
                for result in combination.compute(numeric[:, inputs]):
                    out[:, column] = result
                    column += 1
            derived = out[:, self._derived_start :]
            derived[~np.isfinite(derived)] = np.nan
