"""Who defaults in the synthetic world, and how a client's risk shows in their credit history.

The default of a synthetic client is drawn from a latent logit with two parts:

- the application part: a logistic regression of TARGET on a few plausible risk factors (external
  scores, age, employment, education, income type, debt burden, region rating, document and phone
  recency...), fitted on the real sample by `fit_stats` with standardised factors and mild L2
  shrinkage, so each factor weighs what it weighs in the real data. Sex is deliberately not a factor;
- a hidden payment-behaviour part `h`, which the application does not show but the generated history
  does (late instalments, refused applications, days past due, bureau statuses): a model that reads
  the history tables can rank clients better than one that reads the application alone, as in the
  real competition, without the target becoming trivially predictable.

The history generators draw each risky quantity at uniform levels coupled to the client's behaviour
score `b` (a mix of the application risk and `h`), which keeps every history marginal as fitted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from scipy.special import expit, ndtr

from credit_scoring.schema import DAYS_EMPLOYED_ANOMALY
from credit_scoring.synth.layout import ratio

Columns = Mapping[str, np.ndarray]
DAYS_PER_YEAR = 365.25

HIDDEN_RISK_WEIGHT = 0.9
"""Logit units per standard deviation of the hidden behaviour `h` (the history's own signal)."""
BEHAVIOUR_FROM_APPLICATION = 0.5
"""Correlation between the behaviour score `b` and the standardised application logit: risky
applicants also pay worse, but a good part of `b` is `h`, visible only in the history."""


def _years(days: np.ndarray) -> np.ndarray:
    return -np.asarray(days, dtype=float) / DAYS_PER_YEAR


def _is(values: np.ndarray, *accepted: str) -> np.ndarray:
    return np.isin(np.asarray(values, dtype=object), accepted).astype(float)


def _is_missing(values: np.ndarray) -> np.ndarray:
    return np.isnan(np.asarray(values, dtype=float)).astype(float)


def _employed_years(days_employed: np.ndarray) -> np.ndarray:
    days = np.asarray(days_employed, dtype=float)
    return np.where(days == DAYS_EMPLOYED_ANOMALY, 0.0, -days / DAYS_PER_YEAR)


RISK_FACTORS: dict[str, Callable[[Columns], np.ndarray]] = {
    "EXT_SOURCE_1": lambda c: np.asarray(c["EXT_SOURCE_1"], dtype=float),
    "EXT_SOURCE_1_MISSING": lambda c: _is_missing(c["EXT_SOURCE_1"]),
    "EXT_SOURCE_2": lambda c: np.asarray(c["EXT_SOURCE_2"], dtype=float),
    "EXT_SOURCE_3": lambda c: np.asarray(c["EXT_SOURCE_3"], dtype=float),
    "EXT_SOURCE_3_MISSING": lambda c: _is_missing(c["EXT_SOURCE_3"]),
    "AGE_YEARS": lambda c: _years(c["DAYS_BIRTH"]),
    "EMPLOYED_YEARS": lambda c: _employed_years(c["DAYS_EMPLOYED"]),
    "NOT_EMPLOYED": lambda c: (np.asarray(c["DAYS_EMPLOYED"]) == DAYS_EMPLOYED_ANOMALY).astype(float),
    "HIGHER_EDUCATION": lambda c: _is(c["NAME_EDUCATION_TYPE"], "Higher education", "Academic degree"),
    "LOWER_SECONDARY": lambda c: _is(c["NAME_EDUCATION_TYPE"], "Lower secondary"),
    "STATE_SERVANT": lambda c: _is(c["NAME_INCOME_TYPE"], "State servant"),
    "COMMERCIAL_ASSOCIATE": lambda c: _is(c["NAME_INCOME_TYPE"], "Commercial associate"),
    "ANNUITY_TO_INCOME": lambda c: ratio(c["AMT_ANNUITY"], c["AMT_INCOME_TOTAL"]),
    "CREDIT_TO_GOODS": lambda c: ratio(c["AMT_CREDIT"], c["AMT_GOODS_PRICE"]),
    "PAYMENT_RATE": lambda c: ratio(c["AMT_ANNUITY"], c["AMT_CREDIT"]),
    "REGION_RATING": lambda c: np.asarray(c["REGION_RATING_CLIENT_W_CITY"], dtype=float),
    "ID_PUBLISH_YEARS": lambda c: _years(c["DAYS_ID_PUBLISH"]),
    "REGISTRATION_YEARS": lambda c: _years(c["DAYS_REGISTRATION"]),
    "PHONE_CHANGE_YEARS": lambda c: _years(c["DAYS_LAST_PHONE_CHANGE"]),
    "REVOLVING_LOAN": lambda c: _is(c["NAME_CONTRACT_TYPE"], "Revolving loans"),
    "OWN_CAR": lambda c: _is(c["FLAG_OWN_CAR"], "Y"),
    "SOCIAL_CIRCLE_DEFAULTS": lambda c: np.asarray(c["DEF_30_CNT_SOCIAL_CIRCLE"], dtype=float),
}
"""The application's risk factors, raw (NaN where a source value is missing)."""


def risk_factor_matrix(columns: Columns) -> np.ndarray:
    """(n, len(RISK_FACTORS)) raw factor values of the clients in `columns`."""
    return np.column_stack([factor(columns) for factor in RISK_FACTORS.values()])


def standardised_factors(raw: np.ndarray, risk: Mapping[str, Any]) -> np.ndarray:
    """Factors imputed with the fitted medians and standardised with the fitted means and scales."""
    imputed = np.where(np.isnan(raw), np.asarray(risk["median"], dtype=float), raw)
    return (imputed - np.asarray(risk["mean"], dtype=float)) / np.asarray(risk["scale"], dtype=float)


def application_logit(columns: Columns, risk: Mapping[str, Any]) -> np.ndarray:
    """The fitted logistic regression's log-odds of default for each client in `columns`."""
    z = standardised_factors(risk_factor_matrix(columns), risk)
    return float(risk["intercept"]) + z @ np.asarray(risk["coef"], dtype=float)


def behaviour_score(app_logit: np.ndarray, hidden: np.ndarray, risk: Mapping[str, Any]) -> np.ndarray:
    """The payment-behaviour score `b` (about standard normal; high = pays badly)."""
    standardised = (app_logit - float(risk["logit_mean"])) / float(risk["logit_std"])
    weight = BEHAVIOUR_FROM_APPLICATION
    return weight * standardised + np.sqrt(1.0 - weight**2) * hidden


def coupled_levels(behaviour: np.ndarray, strength: float, rng: np.random.Generator) -> np.ndarray:
    """Uniform levels whose normal scores correlate with `behaviour` at `strength` (0: independent).

    Drawing a history quantity from its fitted marginal at these levels keeps the marginal (for a
    standard normal `behaviour`) while riskier clients land higher in it.
    """
    noise = rng.standard_normal(len(behaviour))
    return ndtr(strength * behaviour + np.sqrt(1.0 - strength**2) * noise)


def draw_target(
    app_logit: np.ndarray, hidden: np.ndarray, default_rate: float, rng: np.random.Generator
) -> np.ndarray:
    """TARGET (int64 0/1): Bernoulli of the full latent logit, shifted so defaults average `default_rate`."""
    logit = app_logit + HIDDEN_RISK_WEIGHT * hidden
    probability = expit(logit + _calibration_shift(logit, default_rate))
    return (rng.random(len(logit)) < probability).astype(np.int64)


def _calibration_shift(logit: np.ndarray, rate: float) -> float:
    """The constant that brings the mean probability of default to `rate` (bisection; monotone)."""
    low, high = -20.0, 20.0
    for _ in range(60):
        middle = (low + high) / 2.0
        if expit(logit + middle).mean() < rate:
            low = middle
        else:
            high = middle
    return (low + high) / 2.0
