"""MLflow tracking: one parent run per training, one nested run per candidate.

The tracking URI is `MLFLOW_TRACKING_URI` when set, else the file store `./mlruns`. MLflow 3 keeps the
file store only behind `MLFLOW_ALLOW_FILE_STORE`, and `mlflow-skinny` has no database backend, so that
opt-in is set (unless the user set it) when the URI is a local directory.

A training that fails or is interrupted ends its parent run as FAILED or KILLED: the store never holds
a run left RUNNING, and the next training starts cleanly. Only parameters, scores and the comparison
table are logged, never client data.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlparse

from credit_scoring.training.errors import TrainingError
from credit_scoring.training.search import CandidateResult

EXPERIMENT: Final = "credit-scoring"
DEFAULT_TRACKING_DIR: Final = "mlruns"


def resolve_tracking_uri() -> str:
    """`MLFLOW_TRACKING_URI`, else `./mlruns` as a file URI; enables MLflow's file store when local."""
    uri = os.environ.get("MLFLOW_TRACKING_URI") or Path(DEFAULT_TRACKING_DIR).resolve().as_uri()
    if urlparse(uri).scheme in ("", "file"):
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    return uri


def _params(values: Mapping[str, Any]) -> list[Any]:
    from mlflow.entities import Param

    return [Param(key, str(value)) for key, value in values.items()]


def _metrics(values: Mapping[str, float | None]) -> list[Any]:
    from mlflow.entities import Metric

    now = int(time.time() * 1000)
    return [Metric(key, float(value), now, 0) for key, value in values.items() if value is not None]


class TrainingRun:
    """The parent run of one training, to which candidates and the final outcome are logged."""

    def __init__(self, client: Any, experiment_id: str, run_id: str) -> None:
        self._client = client
        self._experiment_id = experiment_id
        self.run_id = run_id
        self.candidate_runs: dict[str, str] = {}

    def log_candidate(self, result: CandidateResult, folds: int) -> None:
        """A nested run with the candidate's retained parameters, AUCs, gap, threshold and cost."""
        from mlflow.utils.mlflow_tags import MLFLOW_PARENT_RUN_ID

        candidate = result.candidate
        run = self._client.create_run(
            self._experiment_id,
            run_name=candidate.name,
            tags={
                MLFLOW_PARENT_RUN_ID: self.run_id,
                "eligible": str(result.eligible).lower(),
                "ineligible_reason": result.reason,
            },
        )
        run_id = run.info.run_id
        best = result.best
        self._client.log_batch(
            run_id,
            params=_params(
                {
                    "estimator": candidate.estimator,
                    "imbalance": candidate.imbalance,
                    "configs_tried": result.configs_tried,
                    "folds": folds,
                    "calibration": result.calibration.method,
                    **best.params,
                }
            ),
            metrics=_metrics(
                {
                    "cv_auc": best.cv_auc,
                    "cv_auc_std": best.cv_auc_std,
                    "train_auc": best.train_auc,
                    "auc_gap": best.auc_gap,
                    **{
                        f"oof_{method}_{score}": value
                        for method, scores in result.calibration.scores.items()
                        for score, value in scores.items()
                    },
                    "business_cost": result.threshold.cost_per_client,
                    "threshold": result.threshold.threshold,
                    "search_seconds": result.seconds,
                }
            ),
        )
        self._client.set_terminated(run_id, "FINISHED")
        self.candidate_runs[candidate.name] = run_id

    def log_outcome(
        self,
        champion: str,
        metrics: Mapping[str, float | None],
        tags: Mapping[str, str],
        artifacts: Mapping[str, str],
    ) -> None:
        """The champion (tagged on its candidate run too), final metrics, tags and text reports."""
        self._client.set_tag(self.candidate_runs[champion], "champion", "true")
        self._client.log_batch(
            self.run_id,
            metrics=_metrics(metrics),
            tags=[_tag("champion", champion), *(_tag(key, value) for key, value in tags.items())],
        )
        for name, text in artifacts.items():
            self._client.log_text(self.run_id, text, name)


def _tag(key: str, value: str) -> Any:
    from mlflow.entities import RunTag

    return RunTag(key, value)


@contextmanager
def training_run(
    run_name: str, params: Mapping[str, Any], experiment: str = EXPERIMENT
) -> Iterator[TrainingRun]:
    """Open the parent run, yield it, and end it FINISHED, FAILED (an error) or KILLED (interrupted)."""
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    uri = resolve_tracking_uri()
    try:
        client = MlflowClient(tracking_uri=uri)
        found = client.get_experiment_by_name(experiment)
        experiment_id = found.experiment_id if found else client.create_experiment(experiment)
        run_id = client.create_run(experiment_id, run_name=run_name).info.run_id
        client.log_batch(run_id, params=_params(params))
    except MlflowException as error:
        raise TrainingError(f"MLflow tracking store {uri} cannot be used: {error.message}") from error
    status = "FAILED"
    try:
        yield TrainingRun(client, experiment_id, run_id)
        status = "FINISHED"
    except KeyboardInterrupt:
        status = "KILLED"
        raise
    finally:
        client.set_terminated(run_id, status)
