"""`GET /model-health`: the latest drift of the decisions served and the realised performance, for the
dashboard's model-health view.

It reads the two latest summaries (`monitoring.summaries`: a local directory, or the bucket on Lambda)
and answers only what the view shows: the score's distribution now and at training, the inputs that
drift most, and the realised AUC by month with its sample sizes. `status` is "no_data" until a summary
exists. A summary that exists but cannot be read is a 503 naming it. No client data is involved: the
summaries hold counts and figures only.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter

from credit_scoring.api.errors import ApiError
from credit_scoring.api.models import ApiModel, ErrorResponse
from credit_scoring.monitoring.summaries import (
    PERFORMANCE_LATEST,
    REQUESTS_DRIFT_LATEST,
    SummaryStore,
    SummaryUnavailableError,
)

MOST_DRIFTING = 5


class ScoreDistribution(ApiModel):
    """The score's share in each training decile bin (then missing, then outside), now and at training."""

    psi: float
    critical_psi: float
    drifting: bool
    proportions: list[float]
    reference_proportions: list[float]


class InputDrift(ApiModel):
    name: str
    psi: float
    critical_psi: float
    drifting: bool
    missing_rate: float
    reference_missing_rate: float


class DriftNow(ApiModel):
    """The latest drift summary of the decisions served (or of the files `credit-scoring monitor` read)."""

    computed_at: str
    model_version: str
    decisions: int
    applications: int
    score: ScoreDistribution | None
    inputs_observed: int
    inputs_drifting: int
    most_drifting: list[InputDrift]


class MonthFigures(ApiModel):
    month: str | None
    """YYYY-MM of the decisions' dates; null for the whole period."""
    n: int
    defaults: int
    default_rate: float | None
    auc: float | None
    gini: float | None
    ece: float | None


class RealisedPerformance(ApiModel):
    computed_at: str
    outcomes: int
    joined: int
    without_decision: int
    by_month: list[MonthFigures]
    overall: MonthFigures


class ModelHealthResponse(ApiModel):
    status: Literal["no_data", "available"]
    source: Literal["directory", "s3", "none"]
    """Where the summaries were read from: MONITORING_SUMMARY_DIR, MONITORING_BUCKET, or nowhere."""
    drift: DriftNow | None
    performance: RealisedPerformance | None


def _drift(summary: dict[str, Any] | None) -> dict[str, Any] | None:
    if summary is None:
        return None
    drift = summary["drift"]
    score = drift.get("score")
    return {
        "computed_at": summary["computed_at"],
        "model_version": summary["model_version"],
        "decisions": summary["decisions"],
        "applications": summary["applications"],
        "score": None if score is None else {name: score[name] for name in ScoreDistribution.model_fields},
        "inputs_observed": drift["inputs_observed"],
        "inputs_drifting": drift["inputs_drifting"],
        "most_drifting": [
            {name: item[name] for name in InputDrift.model_fields}
            for item in drift["top_inputs"][:MOST_DRIFTING]
        ],
    }


def _month(figures: dict[str, Any], month: str | None) -> dict[str, Any]:
    return {**{name: figures[name] for name in MonthFigures.model_fields if name != "month"}, "month": month}


def _performance(report: dict[str, Any] | None) -> dict[str, Any] | None:
    if report is None or report.get("performance") is None:
        return None
    performance = report["performance"]
    return {
        "computed_at": report["computed_at"],
        "outcomes": performance["outcomes"],
        "joined": performance["joined"],
        "without_decision": performance["without_decision"],
        "by_month": [_month(row, row["month"]) for row in performance["by_month"]],
        "overall": _month(performance["overall"], None),
    }


def model_health(store: SummaryStore) -> dict[str, Any]:
    """The response body; raises ApiError 503 naming a summary that cannot be read."""
    try:
        drift, performance = store.latest(REQUESTS_DRIFT_LATEST), store.latest(PERFORMANCE_LATEST)
        body = {"drift": _drift(drift), "performance": _performance(performance)}
    except SummaryUnavailableError as error:
        raise ApiError(503, f"monitoring summary unavailable: {error}") from None
    except (KeyError, TypeError) as error:  # a summary of another shape: written by another version
        raise ApiError(503, f"monitoring summary unavailable: a field is missing ({error})") from None
    available = body["drift"] is not None or body["performance"] is not None
    return {"status": "available" if available else "no_data", "source": store.source, **body}


def add_model_health_route(router: APIRouter, store: SummaryStore) -> None:
    """GET /model-health over `store`."""

    @router.get(
        "/model-health",
        response_model=ModelHealthResponse,
        responses={503: {"model": ErrorResponse, "description": "A summary exists but cannot be read."}},
        summary="The latest drift and realised performance",
        tags=["monitoring"],
    )
    def get_model_health() -> dict[str, Any]:  # a thread: S3 is read synchronously
        """The score's distribution now and at training, the inputs that drift most, and the realised
        AUC by month with its sample sizes, from the latest monitoring summaries (`status: no_data`
        until one exists)."""
        return model_health(store)
