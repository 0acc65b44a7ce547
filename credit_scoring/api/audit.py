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

import json
import logging
import sys
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Final

AUDIT_LOGGER_NAME: Final = "credit_scoring.audit"


def new_decision_id() -> str:
    """A fresh random decision id (uuid4), unique across execution environments."""
    return str(uuid.uuid4())


def _audit_logger() -> logging.Logger:
    logger = logging.getLogger(AUDIT_LOGGER_NAME)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


class DecisionAudit:
    """Writes the audit line of each decision made with one model version."""

    def __init__(self, model_version: str) -> None:
        self._model_version = model_version
        self._logger = _audit_logger()

    def record(
        self,
        *,
        decision_id: str,
        route: str,
        subject: str,
        probability: float,
        decision: str,
        reasons: Sequence[str],
        latency_ms: float,
    ) -> None:
        """Log one decision. `subject` says what was scored ("stored_client" or "application"), never who;
        `reasons` are feature names only."""
        self._logger.info(
            json.dumps(
                {
                    "event": "credit_decision",
                    "decision_id": decision_id,
                    "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                    "route": route,
                    "subject": subject,
                    "model_version": self._model_version,
                    "probability": probability,
                    "decision": decision,
                    "reasons": list(reasons),
                    "latency_ms": round(latency_ms, 3),
                },
                separators=(",", ":"),
            )
        )
