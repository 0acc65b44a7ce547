"""The training matrix: application features then history aggregates, one row per client."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from credit_scoring import schema
from credit_scoring.features.application import ApplicationFeatures
from credit_scoring.training.history_features import (
    HISTORY_FEATURE_GROUPS,
    HISTORY_FEATURE_NAMES,
    history_features,
)

APPLICATION_GROUP = "application"


@dataclass(frozen=True)
class FeatureFrame:
    """Features of every client of an application table, with what training and the store need beside."""

    ids: np.ndarray
    """SK_ID_CURR per row, int64, in the application table's order."""
    names: tuple[str, ...]
    """Feature names: ApplicationFeatures.names then HISTORY_FEATURE_NAMES."""
    groups: tuple[str, ...]
    """Per feature, where it comes from: "application" or the history table's name."""
    X: np.ndarray
    """(clients, features) float64; NaN where a value is missing."""
    target: np.ndarray | None
    """TARGET per row (int64, 1 = default) when the application table is labelled."""
    applications: pd.DataFrame
    """The raw application rows less TARGET, aligned with ids (for the feature store's what-if records)."""


def application_table(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The application table among `tables`: application_train, else application_test."""
    for name in (schema.APPLICATION, schema.APPLICATION_TEST):
        if name in tables:
            return tables[name]
    raise ValueError(f"no application table: expected {schema.APPLICATION} or {schema.APPLICATION_TEST}")


def _client_ids(applications: pd.DataFrame) -> np.ndarray:
    ids = applications[schema.CLIENT_ID].to_numpy(dtype=np.int64)
    duplicated = pd.Index(ids).duplicated()
    if duplicated.any():
        raise ValueError(
            f"{schema.CLIENT_ID} {ids[duplicated][0]} appears more than once in the application table"
        )
    return ids


def _frame(applications: pd.DataFrame, history: pd.DataFrame, protected: Sequence[str]) -> FeatureFrame:
    applications = applications.reset_index(drop=True)
    ids = _client_ids(applications)
    application = ApplicationFeatures(protected)
    columns = {
        name: applications[name].to_numpy() for name in application.input_columns if name in applications
    }
    X = np.concatenate(
        [application.transform(columns), history.reindex(ids).to_numpy(dtype=np.float64)], axis=1
    )
    target = None
    if schema.TARGET in applications:
        target = applications[schema.TARGET].to_numpy(dtype=np.int64)
    return FeatureFrame(
        ids=ids,
        names=(*application.names, *HISTORY_FEATURE_NAMES),
        groups=(*(APPLICATION_GROUP for _ in application.names), *HISTORY_FEATURE_GROUPS.values()),
        X=X,
        target=target,
        applications=applications.drop(columns=schema.TARGET, errors="ignore"),
    )


def build_features(
    tables: Mapping[str, pd.DataFrame], protected: Sequence[str] = ("CODE_GENDER",)
) -> FeatureFrame:
    """Features of every client of the application table in `tables` (history tables optional).

    Protected columns never reach X; they stay in `applications` so that fairness can be reported.
    """
    applications = application_table(tables)
    history = history_features(tables, clients=pd.Index(_client_ids(applications)))
    return _frame(applications, history, protected)


def build_applicant_features(
    tables: Mapping[str, pd.DataFrame], protected: Sequence[str] = ("CODE_GENDER",)
) -> tuple[FeatureFrame, FeatureFrame | None]:
    """Features of the training clients (application_train) and of the applicants to decide
    (application_test, None when absent), their history aggregated in one pass by the same definition."""
    train = tables[schema.APPLICATION]
    test = tables.get(schema.APPLICATION_TEST)
    ids = _client_ids(train) if test is None else np.concatenate([_client_ids(train), _client_ids(test)])
    history = history_features(tables, clients=pd.Index(ids))
    applicants = None if test is None else _frame(test, history, protected)
    return _frame(train, history, protected), applicants
