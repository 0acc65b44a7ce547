"""A scored file's drift as CloudWatch metrics, in the embedded metric format (Powertools Metrics).

One EMF record per file (and per summary of the request windows, `batch.request_drift`), printed with
the function's logs, under the namespace POWERTOOLS_METRICS_NAMESPACE (the template sets it) and the
dimension `service` (batch-scoring for a file, scored-requests for the requests):

    ScorePsi              the score's PSI against the training population
    ScoreDrift            1 when the score is flagged drifting (sample-size-aware rule), else 0
    DriftingInputsShare   percent of the observed inputs flagged drifting
    MonitoredRows         rows the drift is measured on

The template's alarms watch ScoreDrift and DriftingInputsShare, of both services.
"""

from __future__ import annotations

import os
from typing import Final

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from credit_scoring.monitoring.drift import DriftSummary

NAMESPACE: Final = "CreditScoring"
"""The namespace when POWERTOOLS_METRICS_NAMESPACE is not set (a local run)."""


def publish_drift_metrics(drift: DriftSummary | None, service: str | None = None) -> None:
    """Print the drift metrics as one EMF record, under `service` (default POWERTOOLS_SERVICE_NAME);
    nothing when no drift was measured."""
    if drift is None or drift.score is None:
        return
    metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", NAMESPACE), service=service)
    metrics.add_metric(name="ScorePsi", unit=MetricUnit.NoUnit, value=drift.score.psi)
    metrics.add_metric(name="ScoreDrift", unit=MetricUnit.Count, value=int(drift.score.drifting))
    share = 100.0 * drift.drifting_share
    metrics.add_metric(name="DriftingInputsShare", unit=MetricUnit.Percent, value=share)
    metrics.add_metric(name="MonitoredRows", unit=MetricUnit.Count, value=drift.n)
    metrics.flush_metrics()
