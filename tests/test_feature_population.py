"""Per-feature population summaries for comparing a decision's reason with the training population:
every feature, on the scale the reason states the client's value on, under the population's privacy
rules."""

from __future__ import annotations

import json

import numpy as np
import pytest

from credit_scoring.bundle.population import CENTILES, DAYS_PER_YEAR
from credit_scoring.reasons import catalogue, values
from credit_scoring.reasons.catalogue import MissingFromCatalogueError
from credit_scoring.training.feature_population import build_feature_population

EDUCATION = "NAME_EDUCATION_TYPE=Higher education"
NAMES = ("DAYS_BIRTH", "PAYMENT_RATE", "AMT_CREDIT", EDUCATION, "BUREAU_DAYS_CREDIT_MEAN")


def _matrix(n: int = 3_000, seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Defaulters younger, paying a larger share of their credit each year, less often graduates."""
    rng = np.random.default_rng(seed)
    target = (rng.random(n) < 0.12).astype(int)
    age = np.where(target == 1, rng.uniform(20, 45, n), rng.uniform(30, 65, n))
    X = np.column_stack(
        [
            -age * DAYS_PER_YEAR,
            np.where(target == 1, rng.uniform(0.06, 0.10, n), rng.uniform(0.03, 0.07, n)),
            rng.lognormal(13, 0.6, n),
            (rng.random(n) < np.where(target == 1, 0.1, 0.3)).astype(float),
            np.where(rng.random(n) < 0.2, np.nan, -rng.uniform(100, 2_000, n)),
        ]
    )
    return X, target


@pytest.fixture(scope="module")
def summaries() -> dict:
    X, target = _matrix()
    return build_feature_population(X, NAMES, target, bins=20, min_group=20)


def test_every_feature_is_summarised_with_the_outcome_sizes(summaries: dict) -> None:
    _, target = _matrix()
    assert list(summaries["features"]) == list(NAMES)
    assert summaries["clients"] == len(target)
    assert summaries["outcomes"] == {"repaid": int((target == 0).sum()), "defaulted": int(target.sum())}
    assert summaries["centiles"] == list(CENTILES)
    for name, summary in summaries["features"].items():
        assert summary["unit"] == values.SCALES[catalogue.entry(name).unit][0]


def test_every_unit_of_the_catalogue_has_a_chart_scale() -> None:
    assert set(values.SCALES) == catalogue.UNITS


def test_a_duration_is_summarised_in_years_as_the_reason_states_it(summaries: dict) -> None:
    X, target = _matrix()
    age = summaries["features"]["DAYS_BIRTH"]
    assert age["unit"] == "years"
    assert 20 < age["edges"][0] < age["edges"][-1] < 65
    expected = np.percentile(-X[target == 1, 0] / DAYS_PER_YEAR, CENTILES)
    assert age["quantiles"]["defaulted"] == pytest.approx(expected, rel=1e-5)
    # The reason's words and the chart's scale give one client the same number of years.
    client = -41.25 * DAYS_PER_YEAR
    stated = values.state(client, catalogue.entry("DAYS_BIRTH").unit, "en")
    assert stated == f"{values.measured(client, 'age_days'):.1f} years"


def test_a_share_is_summarised_in_percent(summaries: dict) -> None:
    X, target = _matrix()
    rate = summaries["features"]["PAYMENT_RATE"]
    assert rate["unit"] == "percent"
    assert rate["quantiles"]["repaid"][2] == pytest.approx(np.median(X[target == 0, 1]) * 100, rel=1e-5)
    stated = values.state(0.0512, "share", "en")
    assert stated == f"{values.measured(0.0512, 'share'):.1f}%"


def test_a_relative_date_keeps_its_sign_and_counts_missing_values(summaries: dict) -> None:
    X, target = _matrix()
    bureau = summaries["features"]["BUREAU_DAYS_CREDIT_MEAN"]
    assert bureau["unit"] == "relative_years"
    assert bureau["edges"][-1] < 0
    for k, outcome in enumerate(("repaid", "defaulted")):
        group = target == k
        assert bureau["missing"][outcome] == int(np.isnan(X[group, 4]).sum())
        assert sum(bureau["counts"][outcome]) + bureau["missing"][outcome] == int(group.sum())


def test_a_one_hot_category_is_summarised_as_how_many_said_yes(summaries: dict) -> None:
    X, target = _matrix()
    education = summaries["features"][EDUCATION]
    assert education["unit"] == "yes_no"
    assert "edges" not in education
    assert education["yes"] == {
        "repaid": int(X[target == 0, 3].sum()),
        "defaulted": int(X[target == 1, 3].sum()),
    }


def test_extremes_are_never_published() -> None:
    X, target = _matrix()
    X[0, 2] = 5e9  # one client's credit far above everyone else's
    credit = build_feature_population(X, NAMES, target)["features"]["AMT_CREDIT"]
    assert credit["edges"][-1] < 5e9
    assert credit["edges"][0] > float(np.min(X[:, 2]))
    assert set(credit) == {"unit", "missing", "edges", "counts", "quantiles"}


def test_a_group_too_small_publishes_no_figures() -> None:
    X, target = _matrix(n=500)
    target[:] = 0
    target[:5] = 1
    features = build_feature_population(X, NAMES, target, min_group=20)["features"]
    for summary in features.values():
        published = summary.get("counts") or summary["yes"]
        assert published["defaulted"] is None
        assert published["repaid"] is not None
    assert features["DAYS_BIRTH"]["quantiles"]["defaulted"] is None


def test_a_feature_nobody_has_is_published_without_bins_as_strict_json() -> None:
    X, target = _matrix()
    X[:, 4] = np.nan
    summaries = build_feature_population(X, NAMES, target)
    bureau = json.loads(json.dumps(summaries, allow_nan=False))["features"]["BUREAU_DAYS_CREDIT_MEAN"]
    assert bureau["edges"] is None
    assert bureau["counts"] == {"repaid": None, "defaulted": None}
    assert bureau["missing"] == summaries["outcomes"]


def test_a_feature_outside_the_catalogue_is_refused_by_name() -> None:
    X, target = _matrix()
    with pytest.raises(MissingFromCatalogueError, match="MYSTERY_FEATURE"):
        build_feature_population(X, (*NAMES[:-1], "MYSTERY_FEATURE"), target)


def test_bad_input_is_refused_naming_the_argument() -> None:
    X, target = _matrix()
    with pytest.raises(ValueError, match="target"):
        build_feature_population(X, NAMES, target[:-1])
    with pytest.raises(ValueError, match="min_group"):
        build_feature_population(X, NAMES, target, min_group=0)
