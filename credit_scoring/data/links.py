"""History rows that link to no labelled application: normal in Kaggle's download, counted, not faults.

Kaggle's history tables describe every client of the bank: the applicants of `application_test` and
others besides those of `application_train`; `bureau_balance` holds months of credits that `bureau`
does not list, and the monthly tables hold rows whose previous application is not in
`previous_application`. Training uses the rows that link; `validate` prints these counts as notices and
the bundle records them (docs/training.md, "Kaggle's download").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from credit_scoring import schema


@dataclass(frozen=True)
class Unlinked:
    """Rows of one table whose key is not in the table it links to."""

    file: str
    key: str
    """The linking column: SK_ID_CURR, SK_ID_BUREAU or SK_ID_PREV."""
    linked_to: str
    """The file the key was looked up in."""
    rows: int
    of_rows: int
    """Rows of the table."""
    applicants: int | None = None
    """Of `rows`, those of application_test clients (None when application_test is not read)."""

    def __str__(self) -> str:
        share = self.rows / self.of_rows if self.of_rows else 0.0
        line = (
            f"{self.file}: {self.rows:,} of {self.of_rows:,} rows ({share:.1%}) have a {self.key} "
            f"that is not in {self.linked_to}"
        )
        if self.applicants is not None:
            line += f" ({self.applicants:,} of them belong to application_test clients)"
        return line

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _count(
    file: str, key: str, rows: pd.DataFrame, known: pd.Series, known_file: str, applicants: pd.Series | None
) -> Unlinked | None:
    if key not in rows:
        return None
    keys = rows[key]
    outside = keys.notna() & ~keys.isin(known)
    count = int(outside.sum())
    if not count:
        return None
    of_applicants = None if applicants is None else int(keys[outside].isin(applicants).sum())
    return Unlinked(file, key, known_file, count, len(rows), of_applicants)


def unlinked_rows(
    tables: Mapping[str, pd.DataFrame], files: Mapping[str, str], application: str
) -> list[Unlinked]:
    """Per history table, the rows whose client (or credit, or previous application) is not known."""
    found: list[Unlinked | None] = []
    applicants = None
    if application == schema.APPLICATION and schema.APPLICATION_TEST in tables:
        applicants = tables[schema.APPLICATION_TEST].get(schema.CLIENT_ID)
    if application in tables and schema.CLIENT_ID in tables[application]:
        clients = tables[application][schema.CLIENT_ID]
        for table in schema.HISTORY_TABLES:
            if table in tables and schema.TABLE_KEYS[table][1] == schema.CLIENT_ID:
                found.append(
                    _count(
                        files[table], schema.CLIENT_ID, tables[table], clients, files[application], applicants
                    )
                )
    if "bureau_balance" in tables and "SK_ID_BUREAU" in tables.get("bureau", ()):
        credits = tables["bureau"]["SK_ID_BUREAU"]
        found.append(
            _count(
                files["bureau_balance"],
                "SK_ID_BUREAU",
                tables["bureau_balance"],
                credits,
                files["bureau"],
                None,
            )
        )
    if "SK_ID_PREV" in tables.get("previous_application", ()):
        previous = tables["previous_application"]["SK_ID_PREV"]
        for table in ("POS_CASH_balance", "installments_payments", "credit_card_balance"):
            if table in tables:
                found.append(
                    _count(
                        files[table],
                        "SK_ID_PREV",
                        tables[table],
                        previous,
                        files["previous_application"],
                        None,
                    )
                )
    return [item for item in found if item is not None]
