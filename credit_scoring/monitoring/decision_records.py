"""The decisions served one at a time for a client id, kept so that the outcomes known later can be
joined with them (`batch.outcomes`).

Each execution environment keeps, in its request window (`monitoring.windows`), every decision the API
or an SQS request served for a client id, and writes them when the window closes, beside its counts:

    s3://<MONITORING_BUCKET>/monitoring/decisions/<window start, UTC>/<environment id>.csv
    decision_id,SK_ID_CURR,probability,prediction,model_version,decided_at
    7c0f9700-fb62-4421-9c44-aa41641b2169,100002,0.2436499739892149,0,20261124T040150Z-88f5ca12,2026-11-24T04:02:03.999Z

These columns only: what the join needs (the client, the probability and prediction answered, when)
and what ties a row to its audit line (the decision id, the model version); no feature, field or
reason. An application sent without SK_ID_CURR is not kept: no outcome could be joined with it. The
bucket's lifecycle deletes the objects after DecisionRetentionDays, as it does the batch files'.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime
from typing import Final

import numpy as np

from credit_scoring import schema
from credit_scoring.monitoring.performance import Decisions

DECISIONS_PREFIX: Final = "monitoring/decisions/"
COLUMNS: Final = ("decision_id", schema.CLIENT_ID, "probability", "prediction", "model_version", "decided_at")

KeptDecision = tuple[str, int, float, int, str]
"""decision_id, client id, probability, prediction and decided_at: a plain tuple, the cheapest thing to
keep on the hot path (the model version is the window's, added when written)."""


def decisions_csv(kept: Iterable[KeptDecision], model_version: str) -> bytes:
    """The object of the decisions kept over a window."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(
        (decision_id, client_id, probability, prediction, model_version, decided_at)
        for decision_id, client_id, probability, prediction, decided_at in kept
    )
    return out.getvalue().encode()


def read_decisions(lines: Iterable[str], source: str) -> tuple[Decisions, np.ndarray]:
    """The decisions of one object's lines, and when each was made (seconds since the epoch); raises
    ValueError naming `source`, the line and the column, never the value (it may be personal data)."""
    rows = csv.reader(lines)
    if tuple(next(rows, ())) != COLUMNS:
        raise ValueError(f"{source}: line 1: the header must be {','.join(COLUMNS)}")
    ids: list[int] = []
    probabilities: list[float] = []
    predictions: list[int] = []
    times: list[float] = []
    for line, row in enumerate(rows, start=2):
        where = f"{source}: line {line}"
        if len(row) != len(COLUMNS):
            raise ValueError(f"{where}: expected {len(COLUMNS)} fields")
        _, client_text, probability_text, prediction_text, _, decided_text = row
        ids.append(_client_id(client_text, where))
        probabilities.append(_probability(probability_text, where))
        predictions.append(_prediction(prediction_text, where))
        times.append(_seconds(decided_text, where))
    decisions = Decisions(np.array(ids, dtype=np.int64), np.array(probabilities), np.array(predictions))
    return decisions, np.array(times)


def _client_id(text: str, where: str) -> int:
    client_id = schema.parse_client_id(text)
    if client_id is None:
        raise ValueError(f"{where}: {schema.CLIENT_ID} must be {schema.CLIENT_ID_EXPECTED}")
    return client_id


def _probability(text: str, where: str) -> float:
    try:
        probability = float(text)
        if not 0.0 <= probability <= 1.0:
            raise ValueError
    except ValueError:
        raise ValueError(f"{where}: probability must be a number from 0 to 1") from None
    return probability


def _prediction(text: str, where: str) -> int:
    if text not in ("0", "1"):
        raise ValueError(f"{where}: prediction must be 0 or 1")
    return int(text)


def _seconds(text: str, where: str) -> float:
    try:
        decided_at = datetime.fromisoformat(text)
        if decided_at.tzinfo is None:
            raise ValueError
    except ValueError:
        raise ValueError(f"{where}: decided_at must be a date and time with its UTC offset") from None
    return decided_at.timestamp()
