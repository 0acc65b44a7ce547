"""The synthetic Home Credit generator: schema, keys, links, quirks, risk, determinism, writing, CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from credit_scoring import schema
from credit_scoring.cli import main
from credit_scoring.synth import generate_tables, layout, write_tables
from credit_scoring.synth.fit_stats import MIN_GROUP_ROWS, ROWS_PER_QUANTILE, fit_all
from credit_scoring.synth.marginals import GroupedMarginals, RowGroups, load_stats
from credit_scoring.synth.rows import cumulative_count, expand, run_lengths
from credit_scoring.synth.tables import MAX_CLIENTS

CLIENTS = 3000
STATS_PATH = Path(__file__).resolve().parent.parent / "credit_scoring" / "synth" / "stats.json"


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return generate_tables(CLIENTS, seed=11)


@pytest.fixture(scope="module")
def application(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return tables[schema.APPLICATION]


# --- schema and keys ------------------------------------------------------------------------------


def test_every_table_has_the_schema_columns_in_order_with_their_kinds(tables):
    assert set(tables) == {schema.APPLICATION, *schema.HISTORY_TABLES}
    for table, frame in tables.items():
        assert list(frame.columns) == list(schema.TABLES[table]), table
        assert len(frame) > 0, table
        for column, kind in schema.TABLES[table].items():
            dtype = frame[column].dtype
            where = f"{table}.{column}"
            if kind == schema.INT:
                assert dtype == np.int64, where
            elif kind == schema.FLOAT:
                assert dtype == np.float64, where
                assert np.isfinite(frame[column].dropna()).all(), where
            else:
                assert pd.api.types.is_string_dtype(dtype), where
                assert frame[column].dropna().map(type).eq(str).all(), where


def test_application_categories_stay_within_the_documented_vocabularies(application):
    for column, vocabulary in schema.APPLICATION_CATEGORIES.items():
        values = set(application[column].dropna())
        assert values <= set(vocabulary), column
        assert values, column


def test_history_categories_stay_within_the_real_vocabularies(tables):
    stats = load_stats()
    for table in schema.HISTORY_TABLES:
        pooled = stats[table]["marginals"]["groups"][""]["columns"]
        for column, kind in schema.TABLES[table].items():
            if kind == schema.CATEGORY:
                assert set(tables[table][column].dropna()) <= set(pooled[column]["values"]), (
                    f"{table}.{column}"
                )


def test_client_ids_are_unique_six_digit_numbers(application):
    ids = application[schema.CLIENT_ID]
    assert ids.is_unique
    assert ids.between(100_000, 999_999).all()
    assert ids.is_monotonic_increasing


@pytest.mark.parametrize(
    ("table", "key"), [("bureau", "SK_ID_BUREAU"), ("previous_application", "SK_ID_PREV")]
)
def test_record_ids_are_unique_seven_digit_numbers(tables, table, key):
    ids = tables[table][key]
    assert ids.is_unique
    assert ids.between(1_000_000, 9_999_999).all()


def test_bureau_and_previous_ids_never_collide(tables):
    bureau = set(tables["bureau"]["SK_ID_BUREAU"])
    assert bureau.isdisjoint(tables["previous_application"]["SK_ID_PREV"])


def test_every_history_row_belongs_to_a_known_client_and_record(tables, application):
    clients = set(application[schema.CLIENT_ID])
    for table in (
        "bureau",
        "previous_application",
        "POS_CASH_balance",
        "installments_payments",
        "credit_card_balance",
    ):
        assert set(tables[table][schema.CLIENT_ID]) <= clients, table
    assert set(tables["bureau_balance"]["SK_ID_BUREAU"]) <= set(tables["bureau"]["SK_ID_BUREAU"])
    previous = tables["previous_application"].set_index("SK_ID_PREV")[schema.CLIENT_ID]
    for table in ("POS_CASH_balance", "installments_payments", "credit_card_balance"):
        rows = tables[table]
        # The loan is a previous application of the same client.
        assert (previous.reindex(rows["SK_ID_PREV"]).to_numpy() == rows[schema.CLIENT_ID].to_numpy()).all(), (
            table
        )


def test_repayment_tables_follow_approved_loans_only(tables):
    previous = tables["previous_application"].set_index("SK_ID_PREV")
    for table, contracts in (
        ("installments_payments", {"Cash loans", "Consumer loans"}),
        ("POS_CASH_balance", {"Cash loans", "Consumer loans"}),
        ("credit_card_balance", {"Revolving loans"}),
    ):
        loans = previous.loc[tables[table]["SK_ID_PREV"].unique()]
        assert (loans["NAME_CONTRACT_STATUS"] == "Approved").all(), table
        assert set(loans["NAME_CONTRACT_TYPE"]) <= contracts, table


@pytest.mark.parametrize(
    ("table", "record"),
    [
        ("bureau_balance", "SK_ID_BUREAU"),
        ("POS_CASH_balance", "SK_ID_PREV"),
        ("credit_card_balance", "SK_ID_PREV"),
        ("installments_payments", "SK_ID_PREV"),
    ],
)
def test_monthly_tables_hold_one_row_per_record_and_month(tables, table, record):
    period = "NUM_INSTALMENT_NUMBER" if table == "installments_payments" else "MONTHS_BALANCE"
    assert not tables[table].duplicated([record, period]).any()


def test_many_clients_have_history_and_some_have_none(tables, application):
    for table in ("bureau", "previous_application"):
        share = application[schema.CLIENT_ID].isin(tables[table][schema.CLIENT_ID]).mean()
        assert 0.6 < share < 0.97, table


# --- the data's quirks and relations --------------------------------------------------------------


def test_pensioners_and_unemployed_have_the_employment_placeholder_and_no_employer(application):
    not_employed = application["NAME_INCOME_TYPE"].isin(layout.NOT_EMPLOYED_INCOME_TYPES)
    placeholder = application["DAYS_EMPLOYED"] == schema.DAYS_EMPLOYED_ANOMALY
    assert not_employed.any()
    assert (placeholder == not_employed).all()
    assert (application.loc[not_employed, "ORGANIZATION_TYPE"] == "XNA").all()
    assert (application.loc[~not_employed, "ORGANIZATION_TYPE"] != "XNA").all()
    assert application.loc[not_employed, "OCCUPATION_TYPE"].isna().all()
    assert (application.loc[not_employed, "FLAG_EMP_PHONE"] == 0).all()
    assert (
        application.loc[not_employed, "DAYS_BIRTH"].median()
        < application.loc[~not_employed, "DAYS_BIRTH"].median()
    )


def test_life_events_come_after_adulthood(application):
    employed = application[application["DAYS_EMPLOYED"] != schema.DAYS_EMPLOYED_ANOMALY]
    years_before_job = (employed["DAYS_EMPLOYED"] - employed["DAYS_BIRTH"]) / 365.25
    assert years_before_job.min() >= 17.5
    assert ((application["DAYS_ID_PUBLISH"] - application["DAYS_BIRTH"]) / 365.25).min() >= 19.5
    assert (
        (application[["DAYS_BIRTH", "DAYS_EMPLOYED", "DAYS_ID_PUBLISH"]].loc[employed.index] <= 0).all().all()
    )


def test_loan_amounts_hang_together(application):
    cash = application[application["NAME_CONTRACT_TYPE"] == "Cash loans"]
    ratio = cash["AMT_CREDIT"] / cash["AMT_GOODS_PRICE"]
    assert ratio.between(0.5, 2.5).all()
    assert ratio.median() > 1.0
    term = cash["AMT_CREDIT"] / cash["AMT_ANNUITY"]
    assert term.between(5, 60).all()
    revolving = application[application["NAME_CONTRACT_TYPE"] == "Revolving loans"]
    assert np.allclose(revolving["AMT_ANNUITY"] * 20, revolving["AMT_CREDIT"], atol=10)
    assert (application["AMT_GOODS_PRICE"].dropna() % 4500 == 0).all()
    assert np.corrcoef(np.log(application["AMT_INCOME_TOTAL"]), np.log(application["AMT_CREDIT"]))[0, 1] > 0.2


def test_family_size_car_age_and_building_block_follow_their_rules(application):
    partner = application["NAME_FAMILY_STATUS"].isin(layout.PARTNER_FAMILY_STATUSES)
    expected = application["CNT_CHILDREN"] + np.where(partner, 2, 1)
    assert (application["CNT_FAM_MEMBERS"] == expected).all()
    assert (application["OWN_CAR_AGE"].isna() == (application["FLAG_OWN_CAR"] == "N")).all()
    for measure in layout.BUILDING_MEASURES:
        missing = application[[f"{measure}_AVG", f"{measure}_MODE", f"{measure}_MEDI"]].isna()
        assert (missing.nunique(axis=1) == 1).all(), measure
    building = application[list(layout.BUILDING_COLUMNS)].isna()
    assert 0.3 < building.all(axis=1).mean() < 0.65
    # Known buildings are described in more or less detail, as in the real data.
    assert (building.any(axis=1) & ~building.all(axis=1)).mean() > 0.2


def test_missingness_follows_the_real_rates(application):
    stats = load_stats()[schema.APPLICATION]["marginals"]["REGIME"]["groups"][""]["columns"]
    for column in ("EXT_SOURCE_1", "EXT_SOURCE_3", "OCCUPATION_TYPE", "NAME_TYPE_SUITE"):
        assert application[column].isna().mean() == pytest.approx(stats[column]["missing"], abs=0.04), column


def test_rare_documented_categories_such_as_gender_xna_occur():
    marginals = GroupedMarginals(load_stats()[schema.APPLICATION]["marginals"]["REGIME"])
    genders = marginals.draw("CODE_GENDER", np.random.default_rng(0), RowGroups.pooled(300_000))
    xna = (genders == "XNA").mean()
    assert 0 < xna < 0.001


def test_history_quirks_are_present(tables):
    previous = tables["previous_application"]
    assert set(previous["NAME_CONTRACT_STATUS"]) == {"Approved", "Canceled", "Refused", "Unused offer"}
    assert "XNA" in set(previous["NAME_CASH_LOAN_PURPOSE"])
    assert "XAP" in set(previous["CODE_REJECT_REASON"])
    assert (previous["DAYS_FIRST_DRAWING"] == schema.DAYS_EMPLOYED_ANOMALY).any()
    assert (previous["DAYS_LAST_DUE"] == schema.DAYS_EMPLOYED_ANOMALY).any()
    refused = previous[previous["NAME_CONTRACT_STATUS"] == "Refused"]
    assert (refused["CODE_REJECT_REASON"] != "XAP").all()
    assert refused["DAYS_FIRST_DUE"].isna().all()
    assert set(tables["bureau_balance"]["STATUS"]) == {"0", "1", "2", "3", "4", "5", "C", "X"}
    bureau = tables["bureau"]
    assert set(bureau["CREDIT_ACTIVE"]) >= {"Active", "Closed"}
    assert bureau.loc[bureau["CREDIT_ACTIVE"] == "Active", "DAYS_ENDDATE_FACT"].isna().mean() > 0.95
    closed = bureau[bureau["CREDIT_ACTIVE"] == "Closed"]
    assert (closed["DAYS_ENDDATE_FACT"] >= closed["DAYS_CREDIT"]).all()


def test_instalments_and_pos_months_tell_the_same_story(tables):
    installments = tables["installments_payments"]
    late = installments["DAYS_ENTRY_PAYMENT"] > installments["DAYS_INSTALMENT"]
    short = installments["AMT_PAYMENT"] < installments["AMT_INSTALMENT"]
    assert 0.02 < late.mean() < 0.3
    assert 0.02 < short.mean() < 0.3
    assert (installments["DAYS_INSTALMENT"] < 0).all()
    pos = tables["POS_CASH_balance"]
    assert (pos["MONTHS_BALANCE"] <= -1).all()
    assert (pos["SK_DPD_DEF"] <= pos["SK_DPD"]).all()
    assert (pos["SK_DPD"] > 0).any()
    assert set(pos["NAME_CONTRACT_STATUS"]) == {"Active", "Completed"}


# --- who defaults ---------------------------------------------------------------------------------


def test_default_rate_is_about_eight_percent(application):
    assert 0.055 < application[schema.TARGET].mean() < 0.10


def _auc(target: pd.Series, score: pd.Series) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(target, score))


def test_external_scores_drive_default_the_most_but_do_not_give_it_away(application):
    target = application[schema.TARGET]
    ext3 = application["EXT_SOURCE_3"].fillna(application["EXT_SOURCE_3"].median())
    ext = _auc(target, -ext3)
    assert 0.6 < ext < 0.8
    for weaker in ("AMT_INCOME_TOTAL", "DAYS_REGISTRATION", "HOUR_APPR_PROCESS_START"):
        assert abs(_auc(target, application[weaker]) - 0.5) < abs(ext - 0.5), weaker


def test_payment_history_signals_default(tables, application):
    clients = application.set_index(schema.CLIENT_ID)
    installments = tables["installments_payments"]
    late = (
        (installments["DAYS_ENTRY_PAYMENT"] > installments["DAYS_INSTALMENT"])
        .groupby(installments[schema.CLIENT_ID])
        .mean()
    )
    with_history = clients.loc[late.index, schema.TARGET]
    assert _auc(with_history, late) > 0.55
    previous = tables["previous_application"]
    refused = (previous["NAME_CONTRACT_STATUS"] == "Refused").groupby(previous[schema.CLIENT_ID]).mean()
    assert _auc(clients.loc[refused.index, schema.TARGET], refused) > 0.55


# --- determinism ----------------------------------------------------------------------------------


def _file_bytes(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def test_the_same_seed_writes_the_same_bytes_and_another_seed_does_not(tmp_path):
    write_tables(generate_tables(300, seed=5), tmp_path / "a")
    write_tables(generate_tables(300, seed=5), tmp_path / "b")
    write_tables(generate_tables(300, seed=6), tmp_path / "c")
    first, again, other = (_file_bytes(tmp_path / name) for name in "abc")
    assert set(first) == {f"{table}.csv" for table in (schema.APPLICATION, *schema.HISTORY_TABLES)}
    assert first == again
    assert all(first[name] != other[name] for name in first)


def test_gzip_output_is_deterministic_and_reads_back_identical(tmp_path, tables):
    small = generate_tables(200, seed=1)
    write_tables(small, tmp_path / "a", compress=True)
    write_tables(small, tmp_path / "b", compress=True)
    assert _file_bytes(tmp_path / "a") == _file_bytes(tmp_path / "b")
    back = pd.read_csv(tmp_path / "a" / "bureau.csv.gz")
    pd.testing.assert_frame_equal(back, small["bureau"], check_dtype=False)


def test_bad_arguments_are_refused_by_the_generator():
    with pytest.raises(ValueError, match="n_clients"):
        generate_tables(0, seed=1)
    with pytest.raises(ValueError, match="n_clients"):
        generate_tables(MAX_CLIENTS + 1, seed=1)
    with pytest.raises(ValueError, match="seed"):
        generate_tables(10, seed=-1)


# --- atomic writing -------------------------------------------------------------------------------


def test_a_failed_write_leaves_no_directory_behind(tmp_path, tables):
    # The second table's file cannot be created (its name points into a directory that does not exist).
    broken = {schema.APPLICATION: tables[schema.APPLICATION], "absent/bureau": tables["bureau"]}
    with pytest.raises(OSError, match="absent"):
        write_tables(broken, tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_a_non_empty_directory_is_kept_unless_overwrite_is_asked(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    small = generate_tables(50, seed=2)
    with pytest.raises(FileExistsError):
        write_tables(small, out)
    assert [path.name for path in out.iterdir()] == ["keep.txt"]
    write_tables(small, out, overwrite=True)
    assert not (out / "keep.txt").exists()
    assert (out / "application_train.csv").is_file()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]


def test_an_existing_empty_directory_is_filled(tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    write_tables(generate_tables(50, seed=2), out)
    assert len(list(out.iterdir())) == 7


def test_a_written_synthetic_directory_passes_validation(tmp_path):
    from credit_scoring.data import load_tables, validate_tables

    out = write_tables(generate_tables(500, seed=4), tmp_path / "synthetic")
    assert validate_tables(out) == []
    loaded = load_tables(out)
    assert set(loaded) == {schema.APPLICATION, *schema.HISTORY_TABLES}


# --- command line ---------------------------------------------------------------------------------


def test_cli_writes_the_tables_and_reports_them(tmp_path, capsys):
    out = tmp_path / "synthetic"
    assert main(["synth", "--clients", "120", "--seed", "3", "--out", str(out), "--gzip"]) == 0
    assert sorted(path.name for path in out.iterdir()) == sorted(
        f"{table}.csv.gz" for table in (schema.APPLICATION, *schema.HISTORY_TABLES)
    )
    printed = capsys.readouterr().out
    assert "120 training clients" in printed
    assert "bureau:" in printed


def test_cli_writes_kaggles_layout_with_the_kaggle_volume(tmp_path, capsys):
    out = tmp_path / "kaggle"
    assert main(["synth", "--clients", "120", "--seed", "3", "--out", str(out), "--volume", "kaggle"]) == 0
    assert sorted(path.name for path in out.iterdir()) == sorted(
        f"{table}.csv" for table in (schema.APPLICATION, schema.APPLICATION_TEST, *schema.HISTORY_TABLES)
    )
    assert "application_test: 19 rows" in capsys.readouterr().out
    assert main(["synth", "--clients", "450000", "--out", str(tmp_path / "big"), "--volume", "kaggle"]) == 2
    assert "between 1 and 431,588 with --volume kaggle" in capsys.readouterr().err  # 431,588 + 68,411


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--clients", "0"], "--clients"),
        (["--clients", str(MAX_CLIENTS + 1)], "--clients"),
        (["--clients", "10", "--seed", "-4"], "--seed"),
    ],
)
def test_cli_refuses_bad_numbers(tmp_path, capsys, arguments, message):
    out = tmp_path / "out"
    assert main(["synth", *arguments, "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_cli_refuses_an_unwritable_or_occupied_output(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    assert main(["synth", "--clients", "10", "--out", str(blocker / "out")]) == 2
    assert "not a writable directory" in capsys.readouterr().err
    assert main(["synth", "--clients", "10", "--out", str(blocker)]) == 2
    assert "not a directory" in capsys.readouterr().err
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "data.csv").write_text("x")
    assert main(["synth", "--clients", "10", "--out", str(occupied)]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert main(["synth", "--clients", "10", "--out", str(occupied), "--overwrite"]) == 0
    assert not (occupied / "data.csv").exists()


# --- the statistics -------------------------------------------------------------------------------


def _grouped_sets(node):
    """Every grouped set of marginals in the stats ({"keys", "groups"}), wherever it sits."""
    if isinstance(node, dict):
        if "keys" in node and "groups" in node:
            yield node
        for value in node.values():
            yield from _grouped_sets(value)


def test_stats_describe_only_groups_large_enough_and_coarse_quantiles():
    stats = json.loads(STATS_PATH.read_text(encoding="utf-8"))
    sets = list(_grouped_sets(stats))
    assert sets
    for grouped in sets:
        assert "" in grouped["groups"]
        # A small group's quantiles may be borrowed from an enclosing group, at most the pooled one.
        most_quantiles = grouped["groups"][""]["rows"] // ROWS_PER_QUANTILE
        for group in grouped["groups"].values():
            assert group["rows"] >= MIN_GROUP_ROWS
            for spec in group.get("columns", {}).values():
                assert len(spec.get("quantiles", ())) <= most_quantiles


@pytest.fixture(scope="module")
def synthetic_sample(tmp_path_factory) -> Path:
    return write_tables(generate_tables(4000, seed=8), tmp_path_factory.mktemp("sample") / "synthetic")


def test_statistics_refitted_on_synthetic_clients_match_the_committed_ones(synthetic_sample):
    committed, refitted = load_stats(), fit_all(synthetic_sample)
    before, after = committed[schema.APPLICATION], refitted[schema.APPLICATION]
    assert after["default_rate"] == pytest.approx(before["default_rate"], abs=0.015)
    pooled_before = before["marginals"]["REGIME"]["groups"][""]["columns"]
    pooled_after = after["marginals"]["REGIME"]["groups"][""]["columns"]
    for column, spec in pooled_before.items():
        assert pooled_after[column]["missing"] == pytest.approx(spec["missing"], abs=0.03), column
    coefficients = dict(zip(after["risk"]["factors"], after["risk"]["coef"], strict=True))
    assert all(coefficients[name] < 0 for name in ("EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"))
    for table, column in (("bureau", "CREDIT_ACTIVE"), ("previous_application", "NAME_CONTRACT_TYPE")):
        spec_before = committed[table]["marginals"]["groups"][""]["columns"][column]
        spec_after = refitted[table]["marginals"]["groups"][""]["columns"][column]
        frequencies = dict(zip(spec_after["values"], spec_after["p"], strict=True))
        for value, share in zip(spec_before["values"], spec_before["p"], strict=True):
            assert frequencies.get(value, 0.0) == pytest.approx(share, abs=0.03), (table, value)


def test_the_fitter_names_a_missing_file_or_an_unknown_category(synthetic_sample, tmp_path):
    from credit_scoring.synth.fit_stats import SampleError

    incomplete = tmp_path / "incomplete"
    shutil.copytree(synthetic_sample, incomplete)
    (incomplete / "bureau.csv").unlink()
    with pytest.raises(SampleError, match=r"bureau\.csv: missing"):
        fit_all(incomplete)
    odd = tmp_path / "odd"
    shutil.copytree(synthetic_sample, odd)
    application = pd.read_csv(odd / "application_train.csv")
    application.loc[3, "NAME_HOUSING_TYPE"] = "Castle"
    application.to_csv(odd / "application_train.csv", index=False)
    with pytest.raises(SampleError, match=r"NAME_HOUSING_TYPE holds \['Castle'\]"):
        fit_all(odd)


@pytest.mark.real_data
def test_committed_stats_are_exactly_what_the_fitter_computes_from_the_sample(real_sample_dir):
    from credit_scoring.synth.fit_stats import compact

    assert compact(fit_all(real_sample_dir)) == json.loads(STATS_PATH.read_text(encoding="utf-8"))


@pytest.mark.slow
@pytest.mark.real_data
def test_a_model_trained_on_synthetic_clients_ranks_real_clients(real_sample_dir):
    from credit_scoring.synth.fidelity import transfer_auc

    real = pd.read_csv(real_sample_dir / "application_train.csv")
    auc = transfer_auc(generate_tables(20_000, seed=2026)[schema.APPLICATION], real)
    assert auc >= 0.68


# --- row helpers ----------------------------------------------------------------------------------


def test_expand_gives_parent_and_position_of_each_child():
    parents, positions = expand(np.array([2, 0, 3, 1]))
    assert parents.tolist() == [0, 0, 2, 2, 2, 3]
    assert positions.tolist() == [0, 1, 0, 1, 2, 0]
    empty_parents, empty_positions = expand(np.array([0, 0]))
    assert len(empty_parents) == len(empty_positions) == 0


def test_run_lengths_restart_at_unflagged_rows_and_new_parents():
    flags = np.array([1, 1, 0, 1, 1, 1, 1], bool)
    parents = np.array([0, 0, 0, 0, 0, 1, 1])
    assert run_lengths(flags, parents).tolist() == [1, 2, 0, 1, 2, 1, 2]
    assert run_lengths(np.zeros(0, bool), np.zeros(0, int)).tolist() == []


def test_cumulative_count_restarts_at_new_parents():
    flags = np.array([1, 0, 1, 0, 1, 1], bool)
    parents = np.array([0, 0, 0, 1, 1, 2])
    assert cumulative_count(flags, parents).tolist() == [1, 1, 2, 0, 1, 1]
