"""Principal reasons in words, for one model's features: the statement of the family's direction, the
leading feature's label and the client's value in its unit, in French or English.

A one-hot indicator is stated on the client's actual value of its column ("Niveau d’études :
secondaire ou professionnel"), read from the row's indicators of that column, never as "X = non". A
value the client did not give is said as not provided, with a statement saying so rather than one
that would describe a value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Final

import numpy as np

from credit_scoring.reasons import catalogue, values
from credit_scoring.reasons.catalogue import FeatureEntry
from credit_scoring.reasons.families import LANGUAGES, Family
from credit_scoring.reasons.principal import PrincipalReason

_NOT_PROVIDED_STATEMENT: Final = {
    "fr": "Information non fournie\u00a0: {label}",
    "en": "Not provided: {label}",
}
_OUTSIDE: Final = Family(
    "imported",
    ("Variable importée", "Imported variable"),
    ("Augmente le risque", "Raises the risk"),
    ("Diminue le risque", "Lowers the risk"),
)


def _outside_catalogue(name: str) -> FeatureEntry:
    """An imported model's own feature (bundles of this code's features never lack an entry)."""
    return FeatureEntry(name, (name, name), "ratio", _OUTSIDE)


class ReasonWording:
    """States the principal reasons of one model, whose features are `names` in order."""

    def __init__(self, names: Sequence[str]) -> None:
        self.entries = tuple(catalogue.entry(name) or _outside_catalogue(name) for name in names)
        # Each feature's label and statement per language, looked up once: a request words four reasons.
        self._texts = {
            language: tuple((found.text(language), found.statement(True, language)) for found in self.entries)
            for language in LANGUAGES
        }
        self._indicators: dict[str, list[tuple[int, str]]] = {}
        for j, found in enumerate(self.entries):
            if found.column is not None and found.category is not None:
                self._indicators.setdefault(found.column, []).append((j, found.category))

    @property
    def families(self) -> tuple[str, ...]:
        """Each feature's family key, in feature order."""
        return tuple(found.family.key for found in self.entries)

    def describe(self, reason: PrincipalReason, x: np.ndarray, language: str) -> dict[str, Any]:
        """One reason as the API answers it: today's fields (`feature`, `value`, `contribution`) and its
        words; `x` is the row of features the score was computed from."""
        found = self.entries[reason.feature]
        raw = x.item(reason.feature)
        value = None if math.isnan(raw) else raw
        label, raises = self._texts[language][reason.feature]
        if found.column is not None:
            category = self._category(found.column, x)
            provided = category is not None
            value_text = (
                catalogue.category_label(found.column, category, language)
                if category is not None
                else values.NOT_PROVIDED[language]
            )
        else:
            provided = value is not None
            value_text = values.state(value, found.unit, language)
        statement = raises if provided else _NOT_PROVIDED_STATEMENT[language].format(label=label)
        return {
            "feature": found.name,
            "value": value,
            "contribution": reason.contribution,
            "family": reason.family,
            "family_contribution": reason.family_contribution,
            "share": reason.share,
            "statement": statement,
            "label": label,
            "value_text": value_text,
            "unit": found.unit,
            "provided": provided,
        }

    def _category(self, column: str, x: np.ndarray) -> str | None:
        """The client's value of a categorical column, from its indicators; None when none is set."""
        for j, category in self._indicators[column]:
            if x.item(j) == 1.0:
                return category
        return None
