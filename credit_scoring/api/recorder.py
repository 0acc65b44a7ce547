"""`DecisionRecorder`: the one place where a decision is written to the audit log, counted for drift
and kept for the outcomes' join when it has a client id (`monitoring.windows`), and shaped as the API's
answer, for the HTTP routes and for the scoring requests that arrive through SQS alike."""

from __future__ import annotations

import time
from typing import Any, Final, Literal

from credit_scoring.api.audit import DecisionAudit
from credit_scoring.api.language import DEFAULT_LANGUAGE
from credit_scoring.decisions.service import DecisionService, ServedDecision
from credit_scoring.features.coverage import Coverage
from credit_scoring.monitoring.windows import request_window

STORED_CLIENT: Final = "stored_client"
APPLICATION: Final = "application"
Subject = Literal["stored_client", "application"]
"""What the audit line says was scored: a stored client, or an application's fields."""

LITTLE_INFORMATION_WARNING: Final = {
    "fr": (
        "Décision prise sur peu d’informations\u00a0: {given} des {used} champs de la demande utilisés par "
        "le modèle ont été fournis\u00a0; elle repose surtout sur les moyennes de la population."
    ),
    "en": (
        "Decision made on little information: {given} of the {used} application fields the model uses "
        "were given; it rests mostly on the population's averages."
    ),
}


def information(coverage: Coverage | None, language: str) -> dict[str, Any] | None:
    """How much of the application the decision had to go on, with a warning when it was little."""
    if coverage is None:
        return None
    warning = (
        LITTLE_INFORMATION_WARNING[language].format(given=coverage.given, used=coverage.used)
        if coverage.little_information
        else None
    )
    return {
        "fields_given": coverage.given,
        "fields_used": coverage.used,
        "little_information": coverage.little_information,
        "warning": warning,
    }


class DecisionRecorder:
    """Audits each decision of one loaded bundle and returns its body, shaped as PredictionResponse."""

    def __init__(self, service: DecisionService) -> None:
        self.service = service
        self._audit = DecisionAudit(service.model_version)
        self._window = request_window(service.bundle_path, service.manifest)

    def record(
        self,
        route: str,
        decision_id: str,
        subject: str,
        client_id: int | None,
        served: ServedDecision,
        started: float,
        language: str = DEFAULT_LANGUAGE,
    ) -> dict[str, Any]:
        """Audit one decision (`subject` says what was scored, never who) and return its response body,
        its reasons stated in `language`; `started` is the request's perf_counter, for the audit line's
        latency."""
        decision = served.decision
        decided_at = self._audit.now()
        if self._window is not None:
            # An application's inputs are counted for drift; a stored client's score only. A decision
            # without a client id is not kept: no outcome could be joined with it.
            inputs = served.features if subject == APPLICATION else None
            kept = (
                None
                if client_id is None
                else (decision_id, client_id, decision.probability, decision.prediction, decided_at)
            )
            self._window.observe(decision.probability, inputs, kept)
        reasons = self.service.principal_reasons(served, language)
        self._audit.record(
            decided_at=decided_at,
            decision_id=decision_id,
            route=route,
            subject=subject,
            probability=decision.probability,
            decision=decision.decision,
            reasons=[reason["feature"] for reason in reasons],
            latency_ms=(time.perf_counter() - started) * 1000.0,
        )
        return {
            "client_id": client_id,
            "prediction": decision.prediction,
            "probability": decision.probability,
            "decision": decision.decision,
            "threshold": self.service.threshold,
            "model_version": self.service.model_version,
            "reasons": reasons,
            "language": language,
            "information": information(served.grounds.coverage, language),
            "decision_id": decision_id,
            "decided_at": decided_at,
            "history_joined": served.history_joined,
        }
