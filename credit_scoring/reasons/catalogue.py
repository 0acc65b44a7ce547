"""The reason catalogue: for every feature the feature definition can produce, its label, unit, family and
statements, in French and English.

An entry is assembled from `words` by the rules the feature definition names its features with
(`COLUMN`, `COLUMN=value` for a one-hot indicator, Kaggle's building statistics, `PREFIX_MEASURE_STAT`
for history aggregates). A name no rule describes has no entry: `require` then raises naming it, which
is how the bundle writer refuses a model whose reasons could not be said in words.
Standard library only: serving imports it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Final

from credit_scoring import schema
from credit_scoring.reasons import words
from credit_scoring.reasons.families import FAMILIES, LANGUAGES, Family

UNITS: Final = frozenset(
    {
        "currency",
        "count",
        "share",
        "ratio",
        "score",
        "rating",
        "flag",
        "category",
        "years",
        "age_days",
        "elapsed_days",
        "relative_days",
        "days",
        "months",
        "relative_months",
        "hour",
    }
)
"""How a value is stated (`values.state`): amounts, counts, shares in %, durations rather than days."""


class MissingFromCatalogueError(ValueError):
    """Features without a catalogue entry, named in the message."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = tuple(names)
        shown = ", ".join(self.names[:10]) + (
            f" (and {len(self.names) - 10} more)" if len(self.names) > 10 else ""
        )
        super().__init__(
            f"features without an entry in the reason catalogue (credit_scoring/reasons): {shown}; "
            "give each a label, unit and family in credit_scoring/reasons/words.py"
        )


@dataclass(frozen=True)
class FeatureEntry:
    """What a reason says about one feature. `column` is the application column a one-hot indicator
    encodes (`category` its value): such a feature is stated on the client's value of the column."""

    name: str
    label: tuple[str, str]
    unit: str
    family: Family
    column: str | None = None
    category: str | None = None

    def statement(self, raises: bool, language: str) -> str:
        """The family's statement for this direction of the effect."""
        i = LANGUAGES.index(language)
        return (self.family.raises if raises else self.family.lowers)[i]

    def text(self, language: str) -> str:
        return self.label[LANGUAGES.index(language)]


def category_label(column: str, value: str, language: str) -> str:
    """A documented value of a categorical column, in words."""
    if language == "fr":
        worded = words.CATEGORY_VALUES_FR.get(column, {}).get(value)
        if worded is not None:
            return worded
        for stem, french in words.CATEGORY_PATTERNS_FR:
            if value.startswith(stem):
                return french + value[len(stem) :]
        return value
    return words.CATEGORY_VALUES_EN.get(column, {}).get(value, value)


def _described(name: str, described: words.Described) -> FeatureEntry:
    label, unit, family = described
    return FeatureEntry(name, label, unit, FAMILIES[family])


def _one_hot(name: str) -> FeatureEntry | None:
    column, _, value = name.partition("=")
    if column not in words.CATEGORY_COLUMNS or value not in schema.APPLICATION_CATEGORIES.get(column, ()):
        return None
    label, family = words.CATEGORY_COLUMNS[column]
    return FeatureEntry(name, label, "category", FAMILIES[family], column=column, category=value)


def _building(name: str) -> FeatureEntry | None:
    measure, _, statistic = name.rpartition("_")
    if measure not in words.BUILDING_MEASURES or statistic not in words.BUILDING_STATISTICS:
        return None
    what, how = words.BUILDING_MEASURES[measure], words.BUILDING_STATISTICS[statistic]
    label = tuple(f"{b} · {w} ({s})" for b, w, s in zip(("Immeuble", "Building"), what, how, strict=True))
    return FeatureEntry(name, label, "score", FAMILIES["building"])  # type: ignore[arg-type]


def _numbered(name: str) -> FeatureEntry | None:
    if name.startswith("FLAG_DOCUMENT_") and name in schema.TABLES[schema.APPLICATION]:
        number = name.removeprefix("FLAG_DOCUMENT_")
        label = (f"Document n° {number} fourni", f"Document no. {number} provided")
        return FeatureEntry(name, label, "flag", FAMILIES["documents"])
    period = name.removeprefix("AMT_REQ_CREDIT_BUREAU_")
    if period != name and period in words.BUREAU_ENQUIRY_PERIODS:
        fr, en = words.BUREAU_ENQUIRY_PERIODS[period]
        label = (f"Demandes au bureau de crédit ({fr})", f"Credit bureau enquiries ({en})")
        return FeatureEntry(name, label, "count", FAMILIES["bureau_enquiries"])
    return None


def _history(name: str) -> FeatureEntry | None:
    # Prefixes are tried longest first: BUREAU_ACTIVE_SHARE is the BUREAU_ measure ACTIVE_SHARE.
    for prefix, (source, source_label) in words.HISTORY_PREFIXES.items():
        if name.startswith(prefix):
            found = _history_measure(name, name[len(prefix) :], words.HISTORY_MEASURES[source], source_label)
            if found is not None:
                return found
    return None


def _history_measure(
    name: str, rest: str, measures: dict[str, words.Described], source_label: words.Words
) -> FeatureEntry | None:
    measure, _, statistic = rest.rpartition("_")
    if measure in measures and statistic in words.STATISTICS:
        (what, unit, family), how = measures[measure], words.STATISTICS[statistic]
        label = tuple(f"{s} · {w} ({h})" for s, w, h in zip(source_label, what, how, strict=True))
    elif rest in measures:
        what, unit, family = measures[rest]
        label = tuple(f"{s} · {w}" for s, w in zip(source_label, what, strict=True))
    else:
        return None
    return FeatureEntry(name, label, unit, FAMILIES[family])  # type: ignore[arg-type]


@cache
def entry(name: str) -> FeatureEntry | None:
    """The catalogue's entry for a feature, or None when the catalogue cannot say it in words."""
    if name in words.COLUMNS:
        return _described(name, words.COLUMNS[name])
    for rule in (_one_hot, _building, _numbered, _history):
        found = rule(name)
        if found is not None:
            return found
    return None


def require(names: Iterable[str]) -> tuple[FeatureEntry, ...]:
    """The entries of `names`, in order; raises MissingFromCatalogueError naming every feature without one."""
    names = tuple(names)
    entries = [entry(name) for name in names]
    missing = [name for name, found in zip(names, entries, strict=True) if found is None]
    if missing:
        raise MissingFromCatalogueError(missing)
    return tuple(e for e in entries if e is not None)
