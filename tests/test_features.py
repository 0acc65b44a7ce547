"""The feature definition: one application alone gives exactly its batch row; history aggregates are right."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from credit_scoring import schema
from credit_scoring.features.application import ApplicationFeatures
from credit_scoring.training.feature_frame import build_features
from credit_scoring.training.history_features import (
    HISTORY_FEATURE_GROUPS,
    HISTORY_FEATURE_NAMES,
    history_features,
)

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def synthetic() -> dict[str, pd.DataFrame]:
    from credit_scoring.synth import generate_tables

    return generate_tables(2_000, seed=7)


@pytest.fixture(scope="module")
def features() -> ApplicationFeatures:
    return ApplicationFeatures()


def _columns(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    return {name: frame[name].to_numpy() for name in frame.columns}


def _one(**values: object) -> dict[str, list[object]]:
    return {name: [value] for name, value in values.items()}


def _feature(features: ApplicationFeatures, x: np.ndarray, name: str) -> float:
    return float(x[0, features.names.index(name)])


# --- application features: one definition for one application and for many ---------------------------


def test_one_application_gives_exactly_its_batch_row_on_every_synthetic_row(
    synthetic: dict[str, pd.DataFrame], features: ApplicationFeatures
) -> None:
    applications = synthetic[schema.APPLICATION]
    batch = features.transform(_columns(applications))
    assert batch.shape == (len(applications), len(features.names))
    assert batch.dtype == np.float64
    for row, record in enumerate(applications.to_dict("records")):
        single = features.transform({name: [value] for name, value in record.items()})
        np.testing.assert_array_equal(single[0], batch[row], err_msg=f"row {row}")


def test_batch_is_the_same_from_text_columns_and_from_categoricals(
    synthetic: dict[str, pd.DataFrame], features: ApplicationFeatures
) -> None:
    applications = synthetic[schema.APPLICATION]
    categories = [name for name in schema.APPLICATION_CATEGORIES if name in applications]
    as_text = applications.astype({name: "str" for name in categories})
    as_categoricals = applications.astype({name: "category" for name in categories})
    np.testing.assert_array_equal(
        features.transform(_columns(as_text)), features.transform(_columns(as_categoricals))
    )


@pytest.mark.real_data
def test_one_application_gives_exactly_its_batch_row_on_the_real_sample(
    real_sample_dir: Path, features: ApplicationFeatures
) -> None:
    applications = pd.read_csv(real_sample_dir / "application_train.csv")
    batch = features.transform(_columns(applications))
    for row, record in enumerate(applications.to_dict("records")):
        single = features.transform({name: [value] for name, value in record.items()})
        np.testing.assert_array_equal(single[0], batch[row], err_msg=f"row {row}")
    assert not np.isinf(batch).any()


def test_names_are_unique_and_cover_every_documented_category(features: ApplicationFeatures) -> None:
    assert len(set(features.names)) == len(features.names)
    for column, vocabulary in schema.APPLICATION_CATEGORIES.items():
        if column in ("CODE_GENDER", "FLAG_OWN_CAR", "FLAG_OWN_REALTY"):
            continue
        assert [f"{column}={value}" for value in vocabulary] == [
            name for name in features.names if name.startswith(f"{column}=")
        ]
    assert {"FLAG_OWN_CAR", "FLAG_OWN_REALTY", "DAYS_EMPLOYED_ANOMALY", "PAYMENT_RATE"} <= set(features.names)


class _RecordingColumns(Mapping[str, object]):
    """Application columns that remember which ones were read."""

    def __init__(self, columns: Mapping[str, object]) -> None:
        self._columns = dict(columns)
        self.read: set[str] = set()

    def __getitem__(self, name: str) -> object:
        self.read.add(name)
        return self._columns[name]

    def get(self, name: str, default: object = None) -> object:
        if name in self._columns:
            return self[name]
        return default

    def __contains__(self, name: object) -> bool:
        return name in self._columns

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)


def test_protected_columns_are_never_read_nor_present(synthetic: dict[str, pd.DataFrame]) -> None:
    features = ApplicationFeatures(protected=("CODE_GENDER", "DAYS_BIRTH"))
    columns = _RecordingColumns(_columns(synthetic[schema.APPLICATION]))
    features.transform(columns)
    assert "CODE_GENDER" not in columns.read
    assert "DAYS_BIRTH" not in columns.read
    assert not any(name.startswith("CODE_GENDER") for name in features.names)
    # Derived from a protected column is protected too.
    assert not {"DAYS_BIRTH", "AGE_YEARS", "EMPLOYED_BIRTH_RATIO"} & set(features.names)
    assert {"AGE_YEARS", "EMPLOYED_BIRTH_RATIO"} <= set(ApplicationFeatures().names)


def test_the_protected_value_changes_nothing(features: ApplicationFeatures) -> None:
    application = _one(AMT_CREDIT=500_000.0, AMT_INCOME_TOTAL=100_000.0, CODE_GENDER="F")
    other = {**application, "CODE_GENDER": ["M"]}
    np.testing.assert_array_equal(features.transform(application), features.transform(other))


def test_an_unknown_protected_column_is_refused() -> None:
    with pytest.raises(ValueError, match="GENDER"):
        ApplicationFeatures(protected=("GENDER",))


def test_a_value_outside_the_vocabulary_names_column_and_value(features: ApplicationFeatures) -> None:
    with pytest.raises(ValueError, match=r"NAME_EDUCATION_TYPE: 'Doctorate' is not a documented value"):
        features.transform(_one(NAME_EDUCATION_TYPE="Doctorate"))
    with pytest.raises(ValueError, match=r"FLAG_OWN_CAR: 'yes'"):
        features.transform(_one(FLAG_OWN_CAR="yes"))
    with pytest.raises(ValueError, match=r"OCCUPATION_TYPE: 3 "):
        features.transform(_one(OCCUPATION_TYPE=3))


def test_a_value_that_is_not_a_finite_number_names_column_and_row(features: ApplicationFeatures) -> None:
    with pytest.raises(ValueError, match=r"AMT_CREDIT: row 1 must be a number, got 'a lot'"):
        features.transform({"AMT_CREDIT": [1.0, "a lot"]})
    with pytest.raises(ValueError, match=r"AMT_ANNUITY: row 0 must be a finite number, got inf"):
        features.transform(_one(AMT_ANNUITY=float("inf")))


def test_columns_of_unequal_length_are_refused(features: ApplicationFeatures) -> None:
    with pytest.raises(ValueError, match="AMT_ANNUITY: 1 values where the other columns have 2"):
        features.transform({"AMT_CREDIT": [1.0, 2.0], "AMT_ANNUITY": [1.0]})
    with pytest.raises(ValueError, match="none of the application columns"):
        features.transform({"CODE_GENDER": ["F"]})


def test_missing_values_are_nan_and_missing_categories_all_zero(features: ApplicationFeatures) -> None:
    x = features.transform(_one(AMT_CREDIT=None, NAME_CONTRACT_TYPE=None, FLAG_OWN_CAR=float("nan")))
    assert np.isnan(_feature(features, x, "AMT_CREDIT"))
    assert np.isnan(_feature(features, x, "FLAG_OWN_CAR"))
    assert _feature(features, x, "NAME_CONTRACT_TYPE=Cash loans") == 0.0
    assert _feature(features, x, "NAME_CONTRACT_TYPE=Revolving loans") == 0.0
    assert np.isnan(_feature(features, x, "PAYMENT_RATE"))


def test_pandas_missing_marker_is_missing(features: ApplicationFeatures) -> None:
    x = features.transform(
        {"AMT_CREDIT": pd.array([pd.NA, 5.0], dtype="Float64"), "OCCUPATION_TYPE": [pd.NA, "Drivers"]}
    )
    assert np.isnan(x[0, features.names.index("AMT_CREDIT")])
    assert x[1, features.names.index("AMT_CREDIT")] == 5.0
    assert x[:, features.names.index("OCCUPATION_TYPE=Drivers")].tolist() == [0.0, 1.0]


def test_one_hot_and_flags(features: ApplicationFeatures) -> None:
    x = features.transform(_one(NAME_CONTRACT_TYPE="Revolving loans", FLAG_OWN_CAR="Y", FLAG_OWN_REALTY="N"))
    assert _feature(features, x, "NAME_CONTRACT_TYPE=Revolving loans") == 1.0
    assert _feature(features, x, "NAME_CONTRACT_TYPE=Cash loans") == 0.0
    assert _feature(features, x, "FLAG_OWN_CAR") == 1.0
    assert _feature(features, x, "FLAG_OWN_REALTY") == 0.0
    one_hot = [i for i, name in enumerate(features.names) if "=" in name]
    assert x[0, one_hot].sum() == 1.0


def test_ratios_match_their_definition(features: ApplicationFeatures) -> None:
    credit, annuity, income, goods, family, children = 406_597.5, 24_700.5, 202_500.0, 351_000.0, 3.0, 1
    days_birth, days_employed = -9_461, -637
    x = features.transform(
        _one(
            AMT_CREDIT=credit,
            AMT_ANNUITY=annuity,
            AMT_INCOME_TOTAL=income,
            AMT_GOODS_PRICE=goods,
            CNT_FAM_MEMBERS=family,
            CNT_CHILDREN=children,
            DAYS_BIRTH=days_birth,
            DAYS_EMPLOYED=days_employed,
            OBS_60_CNT_SOCIAL_CIRCLE=4.0,
            DEF_60_CNT_SOCIAL_CIRCLE=1.0,
        )
    )
    expected = {
        "CREDIT_INCOME_RATIO": credit / income,
        "ANNUITY_INCOME_RATIO": annuity / income,
        "PAYMENT_RATE": annuity / credit,
        "CREDIT_GOODS_RATIO": credit / goods,
        "INCOME_PER_PERSON": income / family,
        "CHILDREN_RATIO": children / family,
        "EMPLOYED_BIRTH_RATIO": days_employed / days_birth,
        "SOCIAL_CIRCLE_DEFAULT_RATIO": 0.25,
        "AGE_YEARS": 9_461 / 365.25,
        "DAYS_EMPLOYED_ANOMALY": 0.0,
    }
    assert {name: _feature(features, x, name) for name in expected} == pytest.approx(expected, rel=1e-15)


def test_division_by_zero_or_missing_is_nan_never_inf(features: ApplicationFeatures) -> None:
    x = features.transform(
        {
            "AMT_CREDIT": [0.0, 100.0, None],
            "AMT_ANNUITY": [10.0, 5.0, 5.0],
            "AMT_INCOME_TOTAL": [0.0, 0.0, 1.0],
            "CNT_FAM_MEMBERS": [0.0, None, 1.0],
        }
    )
    assert not np.isinf(x).any()
    for name in ("PAYMENT_RATE", "CREDIT_INCOME_RATIO", "INCOME_PER_PERSON"):
        assert np.isnan(x[0, features.names.index(name)])
    assert x[1, features.names.index("PAYMENT_RATE")] == 0.05
    assert np.isnan(x[1, features.names.index("ANNUITY_INCOME_RATIO")])
    assert np.isnan(x[2, features.names.index("PAYMENT_RATE")])


def test_days_employed_placeholder_becomes_missing_with_a_flag(features: ApplicationFeatures) -> None:
    x = features.transform(
        {"DAYS_EMPLOYED": [schema.DAYS_EMPLOYED_ANOMALY, -100, None], "DAYS_BIRTH": [-20_000] * 3}
    )
    employed = x[:, features.names.index("DAYS_EMPLOYED")]
    flag = x[:, features.names.index("DAYS_EMPLOYED_ANOMALY")]
    ratio = x[:, features.names.index("EMPLOYED_BIRTH_RATIO")]
    assert np.isnan(employed[0])
    assert employed[1] == -100
    assert flag[:2].tolist() == [1.0, 0.0]
    assert np.isnan(flag[2])
    assert np.isnan(ratio[0])
    assert ratio[1] == 100 / 20_000


def test_external_score_summary_matches_numpy(features: ApplicationFeatures) -> None:
    scores = np.array([[0.2, 0.5, 0.8], [0.3, np.nan, 0.6], [np.nan, np.nan, 0.4], [np.nan, np.nan, np.nan]])
    x = features.transform({f"EXT_SOURCE_{i + 1}": scores[:, i] for i in range(3)})
    known = scores[:3]
    expected = {
        "MEAN": np.nanmean(known, axis=1),
        "MIN": np.nanmin(known, axis=1),
        "MAX": np.nanmax(known, axis=1),
        "STD": np.nanstd(known, axis=1),
    }
    for name, values in expected.items():
        column = x[:, features.names.index(f"EXT_SOURCE_{name}")]
        np.testing.assert_allclose(column[:3], values, rtol=1e-12, err_msg=name)
        assert np.isnan(column[3]), name
    assert x[:, features.names.index("EXT_SOURCE_NAN_COUNT")].tolist() == [0.0, 1.0, 2.0, 3.0]


def test_document_count(features: ApplicationFeatures) -> None:
    documents = {
        name: [0, 0] for name in schema.TABLES[schema.APPLICATION] if name.startswith("FLAG_DOCUMENT_")
    }
    documents["FLAG_DOCUMENT_3"] = [1, 0]
    documents["FLAG_DOCUMENT_8"] = [1, 0]
    x = features.transform(documents)
    assert x[:, features.names.index("DOCUMENT_COUNT")].tolist() == [2.0, 0.0]
    assert np.isnan(_feature(features, features.transform(_one(AMT_CREDIT=1.0)), "DOCUMENT_COUNT"))


def test_the_application_module_does_not_import_pandas() -> None:
    code = (
        "import sys; from credit_scoring.features.application import ApplicationFeatures; "
        "ApplicationFeatures().transform({'AMT_CREDIT': [1.0], 'NAME_CONTRACT_TYPE': ['Cash loans']}); "
        "assert 'pandas' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT)


# --- history aggregates, against values computed by hand ------------------------------------------


def _frame(table: str, columns: tuple[str, ...], rows: list[tuple[object, ...]]) -> pd.DataFrame:
    """A history table with every schema column: `columns` as given by `rows`, the others missing."""
    given = pd.DataFrame(rows, columns=list(columns))
    frame = given.reindex(columns=list(schema.TABLES[table]))
    numeric = [name for name, kind in schema.TABLES[table].items() if kind != schema.CATEGORY]
    return frame.astype(dict.fromkeys(numeric, "float64"))


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    bureau = _frame(
        "bureau",
        ("SK_ID_CURR", "SK_ID_BUREAU", "CREDIT_ACTIVE", "CREDIT_TYPE", "DAYS_CREDIT", "AMT_CREDIT_SUM",
         "AMT_CREDIT_SUM_DEBT", "CREDIT_DAY_OVERDUE"),
        [
            (1, 10, "Active", "Credit card", -100, 1000.0, 400.0, 0),
            (1, 11, "Active", "Consumer credit", -300, 3000.0, 600.0, 12),
            (1, 12, "Closed", "Consumer credit", -2000, 6000.0, 0.0, 0),
            (3, 30, "Closed", "Microloan", -50, 0.0, 0.0, 0),
        ],
    )  # fmt: skip
    statuses = {10: ["0", "1", "2", "C"], 11: ["X", "0"], 12: ["C"]}
    bureau_balance = _frame(
        "bureau_balance",
        ("SK_ID_BUREAU", "MONTHS_BALANCE", "STATUS"),
        [
            (credit, -month, status)
            for credit, months in statuses.items()
            for month, status in enumerate(months)
        ],
    )
    previous = _frame(
        "previous_application",
        ("SK_ID_CURR", "SK_ID_PREV", "NAME_CONTRACT_STATUS", "AMT_APPLICATION", "AMT_CREDIT", "DAYS_DECISION",
         "DAYS_TERMINATION"),
        [
            (1, 100, "Approved", 900.0, 1000.0, -10, 365243.0),
            (1, 101, "Refused", 500.0, 0.0, -40, -5.0),
            (1, 102, "Refused", 300.0, 600.0, -70, None),
            (2, 200, "Canceled", 0.0, 0.0, -5, None),
        ],
    )  # fmt: skip
    installments = _frame(
        "installments_payments",
        (
            "SK_ID_CURR",
            "SK_ID_PREV",
            "DAYS_INSTALMENT",
            "DAYS_ENTRY_PAYMENT",
            "AMT_INSTALMENT",
            "AMT_PAYMENT",
        ),
        [
            (1, 100, -60.0, -65.0, 100.0, 100.0),
            (1, 100, -30.0, -20.0, 100.0, 50.0),
            (1, 101, -10.0, None, 0.0, None),
        ],
    )
    pos = _frame(
        "POS_CASH_balance",
        ("SK_ID_CURR", "SK_ID_PREV", "MONTHS_BALANCE", "SK_DPD", "NAME_CONTRACT_STATUS"),
        [(2, 200, -2, 0, "Active"), (2, 200, -1, 9, "Completed"), (2, 201, -1, 3, "Active")],
    )
    card = _frame(
        "credit_card_balance",
        ("SK_ID_CURR", "SK_ID_PREV", "AMT_BALANCE", "AMT_CREDIT_LIMIT_ACTUAL", "SK_DPD"),
        [(3, 300, 500.0, 1000, 0), (3, 300, 100.0, 0, 4)],
    )
    tables = {
        schema.APPLICATION: pd.DataFrame({"SK_ID_CURR": [1, 2, 3, 4]}),
        "bureau": bureau,
        "bureau_balance": bureau_balance,
        "previous_application": previous,
        "installments_payments": installments,
        "POS_CASH_balance": pos,
        "credit_card_balance": card,
    }
    return history_features(tables)


def test_history_has_every_feature_for_every_application_client(history: pd.DataFrame) -> None:
    assert list(history.columns) == list(HISTORY_FEATURE_NAMES)
    assert history.index.tolist() == [1, 2, 3, 4]
    assert (history.dtypes == np.float64).all()
    assert not np.isinf(history.to_numpy()).any()


def test_bureau_aggregates(history: pd.DataFrame) -> None:
    client = history.loc[1]
    assert client["BUREAU_COUNT"] == 3
    assert client["BUREAU_ACTIVE_COUNT"] == 2
    assert client["BUREAU_CLOSED_COUNT"] == 1
    assert client["BUREAU_CREDIT_CARD_COUNT"] == 1
    assert client["BUREAU_OVERDUE_COUNT"] == 1
    assert client["BUREAU_AMT_CREDIT_SUM_SUM"] == 10_000
    assert client["BUREAU_AMT_CREDIT_SUM_DEBT_SUM"] == 1_000
    assert client["BUREAU_ACTIVE_AMT_CREDIT_SUM_DEBT_SUM"] == 1_000
    assert client["BUREAU_DEBT_CREDIT_RATIO"] == pytest.approx(1_000 / 10_000)
    assert client["BUREAU_ACTIVE_DEBT_CREDIT_RATIO"] == pytest.approx(1_000 / 4_000)
    assert client["BUREAU_ACTIVE_SHARE"] == pytest.approx(2 / 3)
    assert client["BUREAU_DAYS_CREDIT_MIN"] == -2000
    assert client["BUREAU_DAYS_CREDIT_MEAN"] == pytest.approx((-100 - 300 - 2000) / 3)
    assert client["BUREAU_ACTIVE_DAYS_CREDIT_MAX"] == -100
    assert client["BUREAU_CLOSED_DAYS_CREDIT_MEAN"] == -2000
    # A client with no bureau credit has none: counts and sums 0, means unknown.
    nobody = history.loc[2]
    assert nobody["BUREAU_COUNT"] == 0
    assert nobody["BUREAU_AMT_CREDIT_SUM_DEBT_SUM"] == 0
    assert np.isnan(nobody["BUREAU_DAYS_CREDIT_MEAN"])
    assert np.isnan(nobody["BUREAU_ACTIVE_SHARE"])
    # Zero total credit: the debt ratio is unknown, not infinite.
    assert history.loc[3, "BUREAU_MICROLOAN_COUNT"] == 1
    assert np.isnan(history.loc[3, "BUREAU_DEBT_CREDIT_RATIO"])


def test_bureau_balance_aggregates(history: pd.DataFrame) -> None:
    client = history.loc[1]
    assert client["BUREAU_BALANCE_CREDIT_COUNT"] == 3
    assert client["BUREAU_BALANCE_MONTHS_SUM"] == 4 + 2 + 1
    assert client["BUREAU_BALANCE_LATE_MONTHS_SUM"] == 2
    assert client["BUREAU_BALANCE_LATE_SHARE_MAX"] == pytest.approx(2 / 4)
    assert client["BUREAU_BALANCE_LATE_SHARE_MEAN"] == pytest.approx((2 / 4 + 0 + 0) / 3)
    assert client["BUREAU_BALANCE_WORST_STATUS_MAX"] == 2
    assert client["BUREAU_BALANCE_OLDEST_MONTH_MIN"] == -3
    # Client 3's credit has no monthly balance.
    assert history.loc[3, "BUREAU_BALANCE_CREDIT_COUNT"] == 0
    assert np.isnan(history.loc[3, "BUREAU_BALANCE_WORST_STATUS_MAX"])


def test_previous_application_aggregates(history: pd.DataFrame) -> None:
    client = history.loc[1]
    assert client["PREV_COUNT"] == 3
    assert client["PREV_APPROVED_COUNT"] == 1
    assert client["PREV_REFUSED_COUNT"] == 2
    assert client["PREV_REFUSED_SHARE"] == pytest.approx(2 / 3)
    assert client["PREV_REFUSED_APPROVED_RATIO"] == 2
    # 500 / 0 is unknown: the ratio's mean is over the two known ratios.
    assert client["PREV_APPLICATION_CREDIT_RATIO_MEAN"] == pytest.approx((900 / 1000 + 300 / 600) / 2)
    assert client["PREV_REFUSED_APPLICATION_CREDIT_RATIO_MEAN"] == pytest.approx(300 / 600)
    assert client["PREV_REFUSED_DAYS_DECISION_MAX"] == -40
    assert client["PREV_APPROVED_AMT_CREDIT_SUM"] == 1000
    # 365243 means "no date": the latest real termination is -5.
    assert client["PREV_DAYS_TERMINATION_MAX"] == -5
    canceled_only = history.loc[2]
    assert canceled_only["PREV_COUNT"] == 1
    assert canceled_only["PREV_REFUSED_COUNT"] == 0
    assert np.isnan(canceled_only["PREV_REFUSED_APPROVED_RATIO"])


def test_installment_aggregates(history: pd.DataFrame) -> None:
    client = history.loc[1]
    assert client["INST_COUNT"] == 3
    assert client["INST_LOAN_COUNT"] == 2
    # Paid 5 days early, then 10 days late; the third instalment is unpaid (unknown delay).
    assert client["INST_DAYS_PAST_DUE_MAX"] == 10
    assert client["INST_DAYS_PAST_DUE_MEAN"] == pytest.approx(5)
    assert client["INST_DAYS_BEFORE_DUE_SUM"] == 5
    assert client["INST_LATE_COUNT"] == 1
    assert client["INST_LATE_SHARE"] == pytest.approx(1 / 2)
    assert client["INST_PAYMENT_RATIO_MIN"] == pytest.approx(0.5)
    assert client["INST_PAYMENT_RATIO_MEAN"] == pytest.approx(0.75)
    assert client["INST_PAYMENT_DIFFERENCE_SUM"] == 50
    assert history.loc[4, "INST_COUNT"] == 0


def test_pos_and_credit_card_aggregates(history: pd.DataFrame) -> None:
    pos = history.loc[2]
    assert pos["POS_MONTHS_COUNT"] == 3
    assert pos["POS_LOAN_COUNT"] == 2
    assert pos["POS_SK_DPD_MAX"] == 9
    assert pos["POS_SK_DPD_MEAN"] == pytest.approx(4)
    assert pos["POS_LATE_SHARE"] == pytest.approx(2 / 3)
    assert pos["POS_COMPLETED_SHARE"] == pytest.approx(1 / 3)
    card = history.loc[3]
    assert card["CC_MONTHS_COUNT"] == 2
    # The second month's limit is 0: its balance/limit ratio is unknown.
    assert card["CC_BALANCE_LIMIT_RATIO_MAX"] == pytest.approx(0.5)
    assert card["CC_BALANCE_LIMIT_RATIO_MEAN"] == pytest.approx(0.5)
    assert card["CC_SK_DPD_MAX"] == 4
    assert card["CC_LATE_MONTHS"] == 1


def test_absent_tables_give_missing_columns(history: pd.DataFrame) -> None:
    only_applications = history_features({schema.APPLICATION: pd.DataFrame({"SK_ID_CURR": [1, 2]})})
    assert list(only_applications.columns) == list(HISTORY_FEATURE_NAMES)
    assert only_applications.isna().all().all()
    bureau_without_balance = history_features(
        {
            schema.APPLICATION: pd.DataFrame({"SK_ID_CURR": [1]}),
            "bureau": _frame("bureau", ("SK_ID_CURR", "SK_ID_BUREAU", "CREDIT_ACTIVE"), [(1, 10, "Active")]),
        }
    )
    groups = pd.Series(HISTORY_FEATURE_GROUPS)
    assert bureau_without_balance.loc[1, "BUREAU_COUNT"] == 1
    assert bureau_without_balance.loc[1, groups.index[groups == "bureau_balance"]].isna().all()
    assert bureau_without_balance.loc[1, groups.index[groups == "previous_application"]].isna().all()


def test_without_application_table_the_clients_are_those_of_the_history() -> None:
    previous = _frame("previous_application", ("SK_ID_CURR", "SK_ID_PREV"), [(7, 70), (5, 50), (7, 71)])
    pos = _frame("POS_CASH_balance", ("SK_ID_CURR", "SK_ID_PREV", "SK_DPD"), [(6, 60, 0)])
    features = history_features({"previous_application": previous, "POS_CASH_balance": pos})
    assert features.index.tolist() == [5, 6, 7]
    assert features["PREV_COUNT"].tolist() == [1, 0, 2]


def test_history_names_carry_their_table_prefix() -> None:
    prefixes = {
        "bureau": "BUREAU_",
        "bureau_balance": "BUREAU_BALANCE_",
        "previous_application": "PREV_",
        "POS_CASH_balance": "POS_",
        "installments_payments": "INST_",
        "credit_card_balance": "CC_",
    }
    assert set(HISTORY_FEATURE_GROUPS.values()) == set(schema.HISTORY_TABLES)
    for name, group in HISTORY_FEATURE_GROUPS.items():
        assert name.startswith(prefixes[group]), name
    assert 100 <= len(HISTORY_FEATURE_NAMES) <= 200


# --- the training matrix -------------------------------------------------------------------------


def test_build_features_on_synthetic_tables(synthetic: dict[str, pd.DataFrame]) -> None:
    frame = build_features(synthetic)
    applications = synthetic[schema.APPLICATION]
    application_names = ApplicationFeatures().names
    assert frame.names == (*application_names, *HISTORY_FEATURE_NAMES)
    assert frame.groups == (*(["application"] * len(application_names)), *HISTORY_FEATURE_GROUPS.values())
    assert frame.X.shape == (len(applications), len(frame.names))
    assert frame.X.dtype == np.float64
    assert frame.ids.dtype == np.int64
    assert frame.ids.tolist() == applications["SK_ID_CURR"].tolist()
    assert frame.target is not None
    assert frame.target.tolist() == applications["TARGET"].tolist()
    assert "TARGET" not in frame.applications
    assert "CODE_GENDER" in frame.applications
    assert not np.isinf(frame.X).any()
    # The synthetic clients have history: most history features are known for someone.
    history = frame.X[:, len(application_names) :]
    assert (~np.isnan(history)).any(axis=0).mean() > 0.9


def test_build_features_without_target_or_history() -> None:
    applications = pd.DataFrame({"SK_ID_CURR": [5, 6], "AMT_CREDIT": [1.0, 2.0]})
    frame = build_features({schema.APPLICATION_TEST: applications})
    assert frame.target is None
    assert frame.ids.tolist() == [5, 6]
    assert np.isnan(frame.X[:, len(ApplicationFeatures().names) :]).all()


def test_build_features_refuses_duplicate_clients() -> None:
    with pytest.raises(ValueError, match="SK_ID_CURR 5 appears more than once"):
        build_features({schema.APPLICATION: pd.DataFrame({"SK_ID_CURR": [5, 5], "AMT_CREDIT": [1.0, 2.0]})})
