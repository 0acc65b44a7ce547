"""`DecisionRecorder`: the one place where a decision is written to the audit log and shaped as the
API's answer, for the HTTP routes and for the scoring requests that arrive through SQS alike."""

from __future__ import annotations

import time
from typing import Any

from credit_scoring.api.audit import DecisionAudit
from credit_scoring.api.decisions import DecisionService
from credit_scoring.scoring.scorer import Decision


class DecisionRecorder:
    """Audits each decision of one loaded bundle and returns its body, shaped as PredictionResponse."""

    def __init__(self, service: DecisionService) -> None:
        self.service = service
        self._audit = DecisionAudit(service.model_version)

    def record(
        self,
        route: str,
        decision_id: str,
        subject: str,
        client_id: int | None,
        decision: Decision,
        started: float,
        history_joined: bool,
    ) -> dict[str, Any]:
        """Audit one decision (`subject` says what was scored, never who) and return its response body;
        `started` is the request's perf_counter, for the audit line's latency; `history_joined`, whether
        a stored credit history was part of the input."""
        self._audit.record(
            decision_id=decision_id,
            route=route,
            subject=subject,
            probability=decision.probability,
            decision=decision.decision,
            reasons=[reason.feature for reason in decision.reasons],
            latency_ms=(time.perf_counter() - started) * 1000.0,
        )
        return {
            "client_id": client_id,
            "prediction": decision.prediction,
            "probability": decision.probability,
            "decision": decision.decision,
            "threshold": self.service.threshold,
            "model_version": self.service.model_version,
            "reasons": [
                {"feature": r.feature, "value": r.value, "contribution": r.contribution}
                for r in decision.reasons
            ],
            "decision_id": decision_id,
            "history_joined": history_joined,
        }
