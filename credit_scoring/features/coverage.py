"""How much of an application the model had to go on: of the application fields the model uses, how
many the client gave, read from the row of features the score was computed from.

A field is used when a model feature encodes it directly (a numeric column, a Y/N flag, a one-hot
indicator, DAYS_EMPLOYED's placeholder flag); it was given when one of those features has a value (an
indicator set to 1, for a categorical field). numpy only: serving imports it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from credit_scoring import schema
from credit_scoring.features.application import EMPLOYED_ANOMALY_FLAG

LITTLE_INFORMATION_SHARE: Final = 0.1
"""Below a tenth of the fields the model uses, a decision rests mostly on the population's averages:
it is answered, but flagged."""


@dataclass(frozen=True)
class Coverage:
    """Application fields given, of those the model uses."""

    given: int
    used: int

    @property
    def little_information(self) -> bool:
        return self.given < LITTLE_INFORMATION_SHARE * self.used


class InputCoverage:
    """Counts the application fields given in rows of one model's features (`names`)."""

    def __init__(self, names: Sequence[str]) -> None:
        known = schema.application_columns()
        direct: list[tuple[int, str]] = []
        indicators: list[tuple[int, str]] = []
        for j, name in enumerate(names):
            column, _, value = name.partition("=")
            if value and column in known:
                indicators.append((j, column))
            elif name == EMPLOYED_ANOMALY_FLAG:
                direct.append((j, "DAYS_EMPLOYED"))
            elif name in known and name != schema.CLIENT_ID:
                direct.append((j, name))
        self.columns = tuple(dict.fromkeys(column for _, column in (*direct, *indicators)))
        position = {column: i for i, column in enumerate(self.columns)}
        self._direct = np.array([j for j, _ in direct], dtype=np.intp)
        self._direct_column = np.array([position[c] for _, c in direct], dtype=np.intp)
        self._indicator = np.array([j for j, _ in indicators], dtype=np.intp)
        self._indicator_column = np.array([position[c] for _, c in indicators], dtype=np.intp)

    @property
    def used(self) -> int:
        """The application fields the model uses."""
        return len(self.columns)

    def given(self, X: np.ndarray) -> np.ndarray:
        """How many of the fields the model uses each row of features (n, p) gave, as int16."""
        given = np.zeros((len(X), len(self.columns)), dtype=bool)
        rows, at = np.nonzero(~np.isnan(X[:, self._direct]))
        given[rows, self._direct_column[at]] = True
        rows, at = np.nonzero(X[:, self._indicator] == 1.0)
        given[rows, self._indicator_column[at]] = True
        return given.sum(axis=1).astype(np.int16)
