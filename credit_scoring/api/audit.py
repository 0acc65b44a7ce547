"""The decision audit log: one JSON line per credit decision, on a logger of its own.

Credit scoring of people is a high-risk use (EU AI Act art. 12 asks for automatic event logs) and a
person may contest a decision (GDPR art. 22): each decision is logged with the id the caller receives,
the model version, the probability, the decision and the names of its reasons. The line holds no
feature value, no application field and no client id: the caller keeps the decision id with its own
client record, which is what links a logged decision to a person. The logger writes to stdout (Lambda
sends stdout to CloudWatch) and does not propagate, so that a log-level setting meant for diagnostics
can never silence the audit trail.
"""

from __future__ import annotations

import logging
import sys
import time
import uuid
from collections.abc import Sequence
from contextvars import ContextVar
from typing import Final

from pydantic_core import to_json

AUDIT_LOGGER_NAME: Final = "credit_scoring.audit"

current_decision_id: ContextVar[str | None] = ContextVar("current_decision_id", default=None)
"""The decision being made by the request handled in this context, for the log of an unexpected error.
Each request runs in its own asyncio task, whose context is a copy: the id never leaks to another."""


def new_decision_id() -> str:
    """A fresh random decision id (uuid4, from the OS's random source: unique across execution
    environments, even ones restored from one snapshot)."""
    return str(uuid.uuid4())


def begin_decision() -> str:
    """A new decision id, remembered as this request's current decision."""
    decision_id = new_decision_id()
    current_decision_id.set(decision_id)
    return decision_id


def _audit_logger() -> logging.Logger:
    logger = logging.getLogger(AUDIT_LOGGER_NAME)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


class _UtcClock:
    """The current UTC time as ISO 8601 with milliseconds ("2026-11-24T03:15:00.123Z").

    The date and time to the second are formatted once per second: on the hot path, datetime's own
    formatting costs as much as the rest of the audit line.
    """

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def now(self) -> str:
        milliseconds = time.time_ns() // 1_000_000
        second, millisecond = divmod(milliseconds, 1000)
        if second != self._second:
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = second
        return f"{self._prefix}.{millisecond:03d}Z"


class DecisionAudit:
    """Writes the audit line of each decision made with one model version."""

    def __init__(self, model_version: str) -> None:
        self._model_version = model_version
        self._logger = _audit_logger()
        self._clock = _UtcClock()

    def now(self) -> str:
        """The current UTC time as the audit line writes it: a decision's date and time."""
        return self._clock.now()

    def record(
        self,
        *,
        decided_at: str,
        decision_id: str,
        route: str,
        subject: str,
        probability: float,
        decision: str,
        reasons: Sequence[str],
        latency_ms: float,
    ) -> None:
        """Log one decision made at `decided_at` (`now()`). `subject` says what was scored
        ("stored_client" or "application"), never who; `reasons` are feature names only."""
        if not self._logger.isEnabledFor(logging.INFO):
            return
        line = to_json(
            {
                "event": "credit_decision",
                "decision_id": decision_id,
                "time": decided_at,
                "route": route,
                "subject": subject,
                "model_version": self._model_version,
                "probability": probability,
                "decision": decision,
                "reasons": list(reasons),
                "latency_ms": round(latency_ms, 3),
            }
        ).decode()
        # makeRecord + handle is logger.info without its search of the call stack for the caller's
        # file and line, which the audit line does not need and which costs more than the rest.
        record = self._logger.makeRecord(self._logger.name, logging.INFO, __file__, 0, line, None, None)
        self._logger.handle(record)
