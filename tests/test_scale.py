"""What lets training run at Kaggle's volume: the Kaggle-shaped synthetic set, and a search that compares
the candidates on a sample, then cross-validates and refits the champion on every training client."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_training_units import TINY_PLAN as UNITS_PLAN

from credit_scoring import cli, schema
from credit_scoring.bundle.loader import load_bundle
from credit_scoring.data import inspect_tables
from credit_scoring.synth import generate_tables, write_tables
from credit_scoring.synth.tables import _split_payments, kaggle_shapes
from credit_scoring.synth.volume import KAGGLE, KAGGLE_ROWS, LIGHT
from credit_scoring.training import candidates as cands
from credit_scoring.training.eta import SearchEta
from credit_scoring.training.search import draw_configs
from credit_scoring.training.train import TrainingOptions, search_sample, train

CLIENTS = 3000


@pytest.fixture(scope="module")
def kaggle_tables() -> dict[str, pd.DataFrame]:
    return generate_tables(CLIENTS, seed=2, volume=KAGGLE)


def test_the_kaggle_volume_has_the_downloads_rows_per_client(kaggle_tables: dict[str, pd.DataFrame]) -> None:
    train, test = kaggle_tables[schema.APPLICATION], kaggle_tables[schema.APPLICATION_TEST]
    assert len(train) == CLIENTS
    assert len(test) == round(CLIENTS * KAGGLE_ROWS["application_test"] / KAGGLE_ROWS["application_train"])
    assert schema.TARGET not in test
    kaggle_clients = KAGGLE_ROWS["application_train"] + KAGGLE_ROWS["application_test"]
    for table in (
        "bureau",
        "bureau_balance",
        "previous_application",
        "POS_CASH_balance",
        "installments_payments",
    ):
        per_client = len(kaggle_tables[table]) / (len(train) + len(test))
        assert per_client == pytest.approx(KAGGLE_ROWS[table] / kaggle_clients, rel=0.15), table
    assert (train["DAYS_EMPLOYED"] == schema.DAYS_EMPLOYED_ANOMALY).any()


def test_the_kaggle_volume_is_shaped_like_the_download(
    kaggle_tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    inspection = inspect_tables(write_tables(kaggle_tables, tmp_path / "data"))
    assert inspection.problems == []
    unlinked = {(item.file, item.key): item for item in inspection.unlinked}
    # The history of clients outside application_train is application_test's, as in Kaggle's download.
    by_client = [item for item in inspection.unlinked if item.key == schema.CLIENT_ID]
    assert {item.file for item in by_client} == {
        f"{table}.csv" for table in schema.HISTORY_TABLES if schema.TABLE_KEYS[table][1] == schema.CLIENT_ID
    }
    assert all(item.applicants == item.rows for item in by_client)
    assert unlinked[("bureau_balance.csv", "SK_ID_BUREAU")].rows > 0
    for file, share in (("POS_CASH_balance.csv", 0.034), ("credit_card_balance.csv", 0.33)):
        item = unlinked[(file, "SK_ID_PREV")]
        assert item.rows / item.of_rows == pytest.approx(share, abs=0.05)


def test_the_light_volume_is_left_as_it_was() -> None:
    tables = generate_tables(400, seed=4)
    shaped = kaggle_shapes(tables, 0, LIGHT, np.random.default_rng(0))
    assert set(shaped) == set(tables)
    for name, frame in tables.items():
        pd.testing.assert_frame_equal(shaped[name], frame)


def test_a_split_payment_pays_the_instalment_in_full() -> None:
    payments = generate_tables(400, seed=5)["installments_payments"]
    split = _split_payments(payments, 0.5, np.random.default_rng(1))
    paid = payments["AMT_PAYMENT"].notna().sum()
    assert len(split) - len(payments) == pytest.approx(0.5 * paid, rel=0.1)
    keys = ["SK_ID_PREV", "NUM_INSTALMENT_NUMBER", "NUM_INSTALMENT_VERSION"]
    before = payments.groupby(keys)["AMT_PAYMENT"].sum()
    after = split.groupby(keys)["AMT_PAYMENT"].sum()
    np.testing.assert_allclose(after.to_numpy(), before.to_numpy(), atol=0.011)
    assert (split["DAYS_ENTRY_PAYMENT"].dropna() <= -1).all()


def test_the_search_sample_is_stratified_seeded_and_within_the_split() -> None:
    y = (np.random.default_rng(0).random(10_000) < 0.08).astype(np.int64)
    sample = search_sample(y, 2_000, seed=3)
    assert sample.size == 2_000
    assert np.all(np.diff(sample) > 0)
    assert y[sample].mean() == pytest.approx(y.mean(), abs=0.002)
    np.testing.assert_array_equal(sample, search_sample(y, 2_000, seed=3))
    np.testing.assert_array_equal(search_sample(y, None, seed=3), np.arange(y.size))
    np.testing.assert_array_equal(search_sample(y, 20_000, seed=3), np.arange(y.size))


# The units' tiny plan, with a stronger L1 penalty: 500 clients of 413 features overfit at C = 0.1.
TINY_PLAN = dataclasses.replace(
    UNITS_PLAN, spaces={**UNITS_PLAN.spaces, cands.LOGISTIC_REGRESSION: ({"model__C": [0.002]},)}
)


def test_the_champion_is_cross_validated_and_refitted_on_every_training_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", (tmp_path / "mlruns").as_uri())
    data = write_tables(generate_tables(1500, seed=6), tmp_path / "data")
    lines: list[str] = []
    plan = dataclasses.replace(TINY_PLAN, search_clients=500)
    options = TrainingOptions(plan=plan, seed=6, max_auc_gap=1.0, store_clients=50)
    outcome = train(data, tmp_path / "bundle", options, progress=lines.append)
    manifest = load_bundle(tmp_path / "bundle").manifest
    assert manifest.model.provenance["training"]["search_clients"] == 500
    assert manifest.metrics["cv"]["n"] == 1200  # every training client, not the sample
    assert "comparing the candidates on a stratified sample of 500 training clients" in lines
    assert any(
        line.startswith(f"champion: {outcome.champion.candidate.name}; cross-validating it on all 1,200")
        for line in lines
    )
    assert manifest.threshold == outcome.champion.threshold.threshold
    assert manifest.metrics["cv"]["auc"] == outcome.champion.best.cv_auc
    assert outcome.champion.best.oof.size == 1200
    searched = [line for line in lines if line.startswith("[")]
    assert searched[0].endswith("; time left unknown")  # the baseline comes first and times no fit
    assert all(re.search(r"; (about|at least) [0-9]+ s left$", line) for line in searched[1:])
    assert searched[-1].endswith("; about 0 s left")
    assert sum(line.startswith("read ") for line in lines) == len(schema.HISTORY_TABLES) + 1
    loaded = next(line for line in lines if line.startswith("loaded "))
    assert all(table in loaded for table in schema.HISTORY_TABLES), loaded


@pytest.mark.parametrize("value", ["0", "-3", "many"])
def test_a_bad_search_sample_size_is_refused_naming_the_option(
    value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit:
        cli.main(["train", "--data", str(tmp_path), "--out", str(tmp_path / "b"), "--search-clients", value])
    assert exit.value.code == 2
    assert "--search-clients" in capsys.readouterr().err


def test_the_time_left_weighs_configurations_and_is_a_lower_bound_until_every_kind_was_timed() -> None:
    pool = cands.candidates(cands.SEARCH_PLANS["full"], seed=0, class_ratio=11.0)
    eta = SearchEta(pool, seed=0)
    assert eta.left() == "time left unknown"
    configs = {c.name: len(draw_configs(c.space, c.configs, 0)) for c in pool}

    def of(estimator: str, smote: bool) -> list[cands.Candidate]:
        return [
            c
            for c in pool
            if not c.baseline and c.estimator == estimator and (c.imbalance in cands.SMOTE_SAMPLERS) == smote
        ]

    linear, trees = cands.LOGISTIC_REGRESSION, cands.LIGHTGBM
    for candidate in pool:
        if candidate.baseline:
            eta.finished(candidate, 1, 4.0)  # a baseline's seconds say nothing about a fit
    assert eta.left() == "time left unknown"

    def finish(candidates: list[cands.Candidate], per_config: float) -> None:
        for candidate in candidates:
            eta.finished(candidate, configs[candidate.name], per_config * configs[candidate.name])

    def configs_of(*groups: list[cands.Candidate]) -> int:
        return sum(configs[c.name] for group in groups for c in group)

    first, *rest = of(linear, False)
    finish([first], 20.0)
    others = (rest, of(linear, True), of(trees, False), of(trees, True))
    assert eta.left() == f"at least {20.0 * configs_of(*others):.0f} s left"  # one kind timed
    finish(rest, 20.0)
    finish(of(linear, True)[:1], 300.0)
    # An untimed kind takes the rate of the timed kinds with its sampling: 20 s plain, 300 s with SMOTE.
    left = 300.0 * configs_of(of(linear, True)[1:], of(trees, True)) + 20.0 * configs_of(of(trees, False))
    assert eta.left() == f"at least {left:.0f} s left"
    finish(of(trees, False)[:1], 50.0)
    finish(of(trees, True)[:1], 500.0)
    left = (
        300.0 * configs_of(of(linear, True)[1:])
        + 50.0 * configs_of(of(trees, False)[1:])
        + 500.0 * configs_of(of(trees, True)[1:])
    )
    assert eta.left() == f"about {left:.0f} s left"  # every kind timed, each at its own rate
    for candidate in pool:
        eta.finished(candidate, configs[candidate.name], 1.0)
    assert eta.left() == "about 0 s left"
