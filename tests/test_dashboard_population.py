"""Population summaries for the dashboard: right figures, nothing dropped, nothing identifying published."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from credit_scoring.bundle.population import (
    CENTILES,
    DAYS_PER_YEAR,
    MAIN_VARIABLES,
    SAMPLE_GRID_STEPS,
    build_population,
    derive_variables,
)

NAMES = ("DAYS_BIRTH", "DAYS_EMPLOYED", "AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY", "EXT_SOURCE_2")


def _population_matrix(n: int = 2_000, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Clients whose defaulters are younger and have lower external scores, some values missing."""
    rng = np.random.default_rng(seed)
    target = (rng.random(n) < 0.1).astype(int)
    age = np.where(target == 1, rng.uniform(20, 45, n), rng.uniform(30, 65, n))
    X = np.column_stack(
        [
            -age * DAYS_PER_YEAR,
            np.where(rng.random(n) < 0.15, 365243.0, -rng.uniform(0, 20, n) * DAYS_PER_YEAR),
            rng.lognormal(12, 0.5, n),
            rng.lognormal(13, 0.6, n),
            rng.lognormal(10, 0.4, n),
            np.where(rng.random(n) < 0.05, np.nan, np.clip(rng.normal(0.5 - 0.2 * target, 0.15), 0, 1)),
        ]
    )
    return X, target


@pytest.fixture(scope="module")
def population() -> dict:
    X, target = _population_matrix()
    return build_population(X, NAMES, target, bins=20, sample_size=300, seed=1)


def _variable(population: dict, key: str) -> dict:
    return next(v for v in population["variables"] if v["key"] == key)


def test_variables_are_those_whose_sources_are_present(population: dict) -> None:
    keys = [v["key"] for v in population["variables"]]
    expected = [v.key for v in MAIN_VARIABLES if set(v.sources) <= set(NAMES)]
    assert keys == expected
    assert "EXT_SOURCE_1" not in keys
    assert "AMT_GOODS_PRICE" not in keys
    assert {"PAYMENT_RATE", "CREDIT_INCOME_RATIO", "ANNUITY_INCOME_RATIO"} <= set(keys)


def test_every_client_is_counted_in_a_bin_or_as_missing(population: dict) -> None:
    for variable in population["variables"]:
        assert len(variable["edges"]) == 21
        assert np.all(np.diff(variable["edges"]) > 0)
        for outcome, size in population["outcomes"].items():
            counts = variable["counts"][outcome]
            assert len(counts) == 20
            assert sum(counts) + variable["missing"][outcome] == size


def test_outcome_sizes_and_missing_values_match_the_data(population: dict) -> None:
    X, target = _population_matrix()
    assert population["clients"] == len(target)
    assert population["outcomes"] == {"repaid": int((target == 0).sum()), "defaulted": int(target.sum())}
    employment = _variable(population, "EMPLOYMENT_YEARS")
    anomaly = X[:, 1] == 365243.0
    assert employment["missing"]["defaulted"] == int((anomaly & (target == 1)).sum())
    assert employment["missing"]["repaid"] == int((anomaly & (target == 0)).sum())


def test_centiles_describe_each_outcome_group(population: dict) -> None:
    age = _variable(population, "AGE_YEARS")
    repaid, defaulted = age["quantiles"]["repaid"], age["quantiles"]["defaulted"]
    assert len(repaid) == len(CENTILES) == len(defaulted)
    assert repaid == sorted(repaid)
    assert defaulted == sorted(defaulted)
    # Repaid ages are uniform on [30, 65], median 47.5; defaulters' on [20, 45], median 32.5.
    assert repaid[2] == pytest.approx(47.5, abs=1.5)
    assert defaulted[2] == pytest.approx(32.5, abs=2.5)
    assert repaid[0] >= 30
    assert defaulted[-1] <= 45


def test_extremes_are_never_published_as_bin_edges() -> None:
    X, target = _population_matrix()
    X[0, 2] = 5e8  # one client with an income far above everyone else's
    population = build_population(X, NAMES, target)
    income = _variable(population, "AMT_INCOME_TOTAL")
    assert income["edges"][-1] < 5e8
    assert income["edges"][0] > float(np.min(X[:, 2]))
    assert sum(income["counts"]["repaid"]) + sum(income["counts"]["defaulted"]) == len(target)


def test_a_group_too_small_publishes_no_histogram_centiles_or_sample_points() -> None:
    X, target = _population_matrix(n=400)
    target[:] = 0
    target[:5] = 1
    population = build_population(X, NAMES, target, min_group=20)
    for variable in population["variables"]:
        assert variable["counts"]["defaulted"] is None
        assert variable["quantiles"]["defaulted"] is None
        assert variable["counts"]["repaid"] is not None
    assert population["sample"]["outcome"] == [0] * 395


def test_sample_has_no_ids_and_blurred_values_on_a_grid(population: dict) -> None:
    sample = population["sample"]
    assert set(sample) == {"outcome", "values"}
    assert len(sample["outcome"]) == 300
    assert set(sample["outcome"]) <= {0, 1}
    for key, values in sample["values"].items():
        edges = _variable(population, key)["edges"]
        low, high = edges[0], edges[-1]
        step = (high - low) / SAMPLE_GRID_STEPS
        known = np.array([v for v in values if v is not None])
        assert len(values) == 300
        assert np.all((known >= low) & (known <= high))
        positions = (known - low) / step
        assert np.allclose(positions, np.round(positions), atol=1e-3)


def test_sample_values_are_blurred_not_copied() -> None:
    X, target = _population_matrix()
    population = build_population(X, NAMES, target, sample_size=300, seed=4)
    published = np.array([v for v in population["sample"]["values"]["EXT_SOURCE_2"] if v is not None])
    recorded = X[:, 5][np.isfinite(X[:, 5])]
    exact = np.isin(published, np.round(recorded, 6))
    assert exact.mean() < 0.05


def test_sample_never_exceeds_the_population_size() -> None:
    X, target = _population_matrix(n=50)
    population = build_population(X, NAMES, target, sample_size=500, min_group=1)
    assert len(population["sample"]["outcome"]) == 50


def test_same_seed_same_summaries_other_seed_other_sample() -> None:
    X, target = _population_matrix()
    first = build_population(X, NAMES, target, seed=5)
    assert build_population(X, NAMES, target, seed=5) == first
    other = build_population(X, NAMES, target, seed=6)
    assert other["variables"] == first["variables"]
    assert other["sample"] != first["sample"]


def test_population_is_strict_json(population: dict) -> None:
    text = json.dumps(population, allow_nan=False)
    assert json.loads(text) == population


def test_a_variable_missing_for_everyone_is_published_without_bins() -> None:
    X, target = _population_matrix()
    X[:, 5] = np.nan
    population = build_population(X, NAMES, target)
    score = _variable(population, "EXT_SOURCE_2")
    assert score["edges"] is None
    assert score["counts"] == {"repaid": None, "defaulted": None}
    assert score["missing"] == population["outcomes"]
    assert "EXT_SOURCE_2" not in population["sample"]["values"]


def test_derive_variables_for_one_application_record() -> None:
    derived = derive_variables(
        {
            "DAYS_BIRTH": [-20 * DAYS_PER_YEAR],
            "DAYS_EMPLOYED": [365243],
            "AMT_INCOME_TOTAL": [0.0],
            "AMT_CREDIT": [400_000.0],
            "AMT_ANNUITY": [20_000.0],
            "EXT_SOURCE_1": [None],
        }
    )
    assert derived["AGE_YEARS"][0] == pytest.approx(20.0)
    assert np.isnan(derived["EMPLOYMENT_YEARS"][0])  # pensioners' placeholder is not a duration
    assert derived["PAYMENT_RATE"][0] == pytest.approx(0.05)
    assert np.isnan(derived["CREDIT_INCOME_RATIO"][0])  # a zero income has no ratio
    assert np.isnan(derived["EXT_SOURCE_1"][0])
    assert "AMT_GOODS_PRICE" not in derived
    assert "EXT_SOURCE_3" not in derived


@pytest.mark.parametrize(
    ("X", "names", "target", "message"),
    [
        (np.zeros(3), ("A",), [0, 1, 0], "X: expected a 2-D feature matrix"),
        (np.zeros((3, 2)), ("A",), [0, 1, 0], "names: expected 2 names"),
        (np.zeros((3, 1)), ("A",), [0, 1], r"target: expected shape \(3,\)"),
        (np.zeros((3, 1)), ("A",), [0, 2, 1], "target: expected 0 or 1, got 2 at row 1"),
        (np.zeros((3, 1)), ("A",), [0, np.nan, 1], "target: expected 0 or 1, got nan at row 1"),
    ],
)
def test_bad_input_is_refused_naming_the_argument(X, names, target, message) -> None:
    with pytest.raises(ValueError, match=message):
        build_population(X, names, target)


@pytest.mark.parametrize("argument", ["bins", "sample_size", "min_group"])
def test_non_positive_settings_are_refused(argument: str) -> None:
    X, target = _population_matrix(n=100)
    with pytest.raises(ValueError, match=f"{argument}: expected a positive integer, got 0"):
        build_population(X, NAMES, target, **{argument: 0})


@pytest.mark.real_data
def test_real_sample_defaulters_are_younger_with_lower_external_scores(real_sample_dir: Path) -> None:
    import pandas as pd

    from credit_scoring.features.application import ApplicationFeatures

    table = pd.read_csv(real_sample_dir / "application_train.csv")
    features = ApplicationFeatures()
    X = features.transform({column: table[column].to_numpy() for column in table.columns})
    population = build_population(X, features.names, table["TARGET"].to_numpy())
    assert [v["key"] for v in population["variables"]] == [v.key for v in MAIN_VARIABLES]
    for key in ("AGE_YEARS", "EXT_SOURCE_2", "EXT_SOURCE_3"):
        medians = _variable(population, key)["quantiles"]
        assert medians["defaulted"][2] < medians["repaid"][2], key
