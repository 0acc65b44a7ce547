"""How well synthetic clients stand in for real ones: train on synthetic, rank real clients.

The check trains a small, standard pipeline (median imputation, scaling, logistic regression) on the
project's own application features (`credit_scoring.features.application`) of synthetic clients and
measures its AUC on real clients. A synthetic world whose risk factors weigh what they weigh in the
real data gives a model that ranks real clients about as well as one trained on them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

REGULARISATION = 0.1
"""Inverse L2 strength of the check's logistic regression (on standardised features)."""


def application_matrix(applications: pd.DataFrame) -> np.ndarray:
    """The project's application features of each row (CODE_GENDER protected, as in training)."""
    from credit_scoring.features.application import ApplicationFeatures

    features = ApplicationFeatures()
    columns = {name: applications[name].to_numpy() for name in features.input_columns if name in applications}
    return features.transform(columns)


def transfer_auc(synthetic: pd.DataFrame, real: pd.DataFrame, seed: int = 0) -> float:
    """AUC on `real` of a logistic regression trained on `synthetic` (both application_train tables)."""
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(
        # keep_empty_features: a feature missing in every synthetic row still has its column.
        SimpleImputer(strategy="median", keep_empty_features=True),
        StandardScaler(),
        LogisticRegression(C=REGULARISATION, max_iter=2000, random_state=seed),
    )
    model.fit(application_matrix(synthetic), synthetic["TARGET"].to_numpy())
    scores = model.predict_proba(application_matrix(real))[:, 1]
    return float(roc_auc_score(real["TARGET"].to_numpy(), scores))
