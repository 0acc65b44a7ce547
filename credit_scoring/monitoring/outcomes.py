"""Outcomes known after the decision, read and checked like every batch input.

An outcomes file is CSV in UTF-8, uploaded under `monitoring/outcomes/` (kept as long as the decisions
it is joined with, DecisionRetentionDays) or given to `credit-scoring monitor --outcomes`:

    SK_ID_CURR,outcome,date
    100002,1,2027-03-14
    100003,0,2027-03-02

`SK_ID_CURR` is the client the decision was served for (6 digits), `outcome` 1 when the client
defaulted (payment incidents, as TARGET) and 0 when they repaid, `date` (YYYY-MM-DD) the date of the
decision the outcome belongs to: performance is reported by its month. Other columns are refused (an
outcomes file carries nothing beyond what the join needs); a client appears once. Every problem is
reported with its line and field, at most MAX_LISTED of them, with their count.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np

from credit_scoring import schema

OUTCOMES_PREFIX: Final = "monitoring/outcomes/"
COLUMNS: Final = (schema.CLIENT_ID, "outcome", "date")
MAX_LISTED: Final = 20
_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class OutcomesError(ValueError):
    """An outcomes file that cannot be used: `problems` lists each, with its line and field."""

    def __init__(self, source: str, problems: list[str], count: int) -> None:
        more = f" (and {count - len(problems)} more)" if count > len(problems) else ""
        super().__init__(f"{source}: {count} problem(s){more}: " + "; ".join(problems))
        self.problems = problems
        self.count = count


@dataclass(frozen=True)
class Outcomes:
    """Checked outcomes, one per client: ids (int64), outcomes (int8, 1 defaulted) and months (YYYY-MM)."""

    client_ids: np.ndarray
    outcomes: np.ndarray
    months: np.ndarray


def read_outcomes(text: str, source: str) -> Outcomes:
    """Parse and check an outcomes file's text; raises OutcomesError naming lines and fields."""
    rows = csv.reader(io.StringIO(text))
    header = next(rows, None)
    if header is None or tuple(column.strip() for column in header) != COLUMNS:
        raise OutcomesError(source, [f"line 1: the header must be {','.join(COLUMNS)}, got {header}"], 1)
    problems: list[str] = []
    ids: list[int] = []
    outcomes: list[int] = []
    months: list[str] = []
    first_line: dict[int, int] = {}
    for line, row in enumerate(rows, start=2):
        if not row:
            continue
        found = _check(row, line, first_line)
        if isinstance(found, list):
            problems += found
            continue
        client, outcome, month = found
        first_line[client] = line
        ids.append(client)
        outcomes.append(outcome)
        months.append(month)
    if problems:
        raise OutcomesError(source, problems[:MAX_LISTED], len(problems))
    if not ids:
        raise OutcomesError(source, ["the file holds no outcome after its header"], 1)
    return Outcomes(np.array(ids, dtype=np.int64), np.array(outcomes, dtype=np.int8), np.array(months))


def _check(row: list[str], line: int, first_line: dict[int, int]) -> tuple[int, int, str] | list[str]:
    if len(row) != len(COLUMNS):
        return [f"line {line}: expected {len(COLUMNS)} fields ({','.join(COLUMNS)}), got {len(row)}"]
    client_text, outcome_text, date_text = (field.strip() for field in row)
    problems = []
    client = schema.parse_client_id(client_text)
    if client is None:
        problems.append(
            f"line {line}: {schema.CLIENT_ID} must be {schema.CLIENT_ID_EXPECTED}, got {client_text!r}"
        )
    elif client in first_line:
        earlier = first_line[client]
        problems.append(f"line {line}: {schema.CLIENT_ID} {client} already has an outcome on line {earlier}")
    if outcome_text not in ("0", "1"):
        problems.append(f"line {line}: outcome must be 0 (repaid) or 1 (defaulted), got {outcome_text!r}")
    try:
        if not _DATE.fullmatch(date_text):
            raise ValueError
        decided = date.fromisoformat(date_text)
    except ValueError:
        problems.append(f"line {line}: date must be a date YYYY-MM-DD, got {date_text!r}")
    if problems or client is None:
        return problems
    return client, int(outcome_text), f"{decided:%Y-%m}"
