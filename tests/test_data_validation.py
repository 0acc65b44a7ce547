"""Loading and validating a data directory: every bad input is found, located and said clearly."""

from __future__ import annotations

import gzip
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from credit_scoring import cli, schema
from credit_scoring.data import DataError, Problem, inspect_tables, load_tables, table_paths, validate_tables
from credit_scoring.data.links import Unlinked
from credit_scoring.data.validation import application_problems

APP_FILE = "application_train.csv"
CLIENTS = 6


def _valid_tables() -> dict[str, pd.DataFrame]:
    """A small, valid data set: every schema column, values inside the plausible ranges, linked keys."""
    ids = np.arange(100_001, 100_001 + CLIENTS)
    application: dict[str, object] = {}
    for name, kind in schema.TABLES[schema.APPLICATION].items():
        if kind == schema.CATEGORY:
            vocabulary = schema.APPLICATION_CATEGORIES[name]
            application[name] = [vocabulary[i % len(vocabulary)] for i in range(CLIENTS)]
        else:
            low, high = schema.APPLICATION_RANGES[name]
            application[name] = [low + (high - low) * (i % 2) for i in range(CLIENTS)]
    application["SK_ID_CURR"] = ids
    tables = {schema.APPLICATION: pd.DataFrame(application)}
    for table in schema.HISTORY_TABLES:
        columns = schema.TABLES[table]
        rows = {
            name: ["some value"] * CLIENTS if kind == schema.CATEGORY else [1] * CLIENTS
            for name, kind in columns.items()
        }
        if "SK_ID_CURR" in columns:
            rows["SK_ID_CURR"] = ids
        if "SK_ID_PREV" in columns:
            rows["SK_ID_PREV"] = ids * 10
        if "SK_ID_BUREAU" in columns:
            rows["SK_ID_BUREAU"] = ids * 100
        tables[table] = pd.DataFrame(rows)
    return tables


def _write(tables: dict[str, pd.DataFrame], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for table, frame in tables.items():
        frame.to_csv(directory / f"{table}.csv", index=False)
    return directory


@pytest.fixture
def tables() -> dict[str, pd.DataFrame]:
    return _valid_tables()


@pytest.fixture
def data_dir(tmp_path: Path, tables: dict[str, pd.DataFrame]) -> Path:
    return _write(tables, tmp_path / "data")


def _only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [str(problem) for problem in problems]
    return problems[0]


def _only_item(items: list[Unlinked]) -> Unlinked:
    assert len(items) == 1, [str(item) for item in items]
    return items[0]


# --- clean data ----------------------------------------------------------------------------------


def test_clean_data_has_no_problem_and_loads_with_the_schema_dtypes(data_dir: Path) -> None:
    assert validate_tables(data_dir) == []
    loaded = load_tables(data_dir)
    assert set(loaded) == {schema.APPLICATION, *schema.HISTORY_TABLES}
    for table, frame in loaded.items():
        assert list(frame.columns) == list(schema.TABLES[table])
        for name, kind in schema.TABLES[table].items():
            expected = {schema.INT: "int64", schema.FLOAT: "float64", schema.CATEGORY: "category"}[kind]
            assert frame[name].dtype.name == expected, (table, name)
        assert len(frame) == CLIENTS


def test_gzip_files_load_like_plain_ones(data_dir: Path, tmp_path: Path) -> None:
    zipped = tmp_path / "zipped"
    zipped.mkdir()
    for path in data_dir.iterdir():
        with path.open("rb") as plain, gzip.open(zipped / f"{path.name}.gz", "wb") as compressed:
            shutil.copyfileobj(plain, compressed)
    assert validate_tables(zipped) == []
    plain_tables, zipped_tables = load_tables(data_dir), load_tables(zipped)
    for table, frame in plain_tables.items():
        pd.testing.assert_frame_equal(frame, zipped_tables[table])
    assert table_paths(zipped)[schema.APPLICATION].name == f"{APP_FILE}.gz"


def test_history_tables_are_optional_and_can_be_ignored(
    tmp_path: Path, tables: dict[str, pd.DataFrame]
) -> None:
    only_applications = _write({schema.APPLICATION: tables[schema.APPLICATION]}, tmp_path / "only")
    assert validate_tables(only_applications) == []
    assert set(load_tables(only_applications)) == {schema.APPLICATION}
    tables["bureau"].loc[0, "SK_ID_CURR"] = 999
    with_orphans = _write(tables, tmp_path / "orphans")
    assert set(load_tables(with_orphans, history=False)) == {schema.APPLICATION}


def test_unlabelled_applications(tmp_path: Path, tables: dict[str, pd.DataFrame]) -> None:
    applications = tables[schema.APPLICATION].drop(columns="TARGET")
    directory = _write({schema.APPLICATION_TEST: applications}, tmp_path / "test")
    assert validate_tables(directory, application=schema.APPLICATION_TEST) == []
    loaded = load_tables(directory, application=schema.APPLICATION_TEST)
    assert "TARGET" not in loaded[schema.APPLICATION_TEST]
    problem = _only(validate_tables(directory))
    assert problem.file == "application_train.csv or application_train.csv.gz"
    assert "required file missing" in problem.message


# --- each kind of bad input ----------------------------------------------------------------------


def test_missing_required_column(tmp_path: Path, tables: dict[str, pd.DataFrame]) -> None:
    tables[schema.APPLICATION] = tables[schema.APPLICATION].drop(columns="AMT_CREDIT")
    problem = _only(validate_tables(_write(tables, tmp_path)))
    assert (problem.file, problem.column, problem.row) == (APP_FILE, "AMT_CREDIT", None)
    assert str(problem) == "application_train.csv, column AMT_CREDIT: missing column"


def test_non_numeric_amount_names_file_column_line_and_value(
    tmp_path: Path, tables: dict[str, pd.DataFrame]
) -> None:
    amounts = tables[schema.APPLICATION]["AMT_CREDIT"].astype(object)
    amounts[2], amounts[4] = "12 000", "abc"
    tables[schema.APPLICATION]["AMT_CREDIT"] = amounts
    problem = _only(validate_tables(_write(tables, tmp_path)))
    assert (problem.file, problem.column, problem.row, problem.count) == (APP_FILE, "AMT_CREDIT", 4, 2)
    assert str(problem) == (
        "application_train.csv line 4, column AMT_CREDIT: '12 000' is not a number"
        " (2 rows like this, first shown)"
    )


def test_a_bad_column_of_many_rows_is_one_problem(tmp_path: Path, tables: dict[str, pd.DataFrame]) -> None:
    bureau = pd.concat([tables["bureau"]] * 200, ignore_index=True)
    bureau["SK_ID_BUREAU"] = np.arange(len(bureau))
    bureau["AMT_CREDIT_SUM"] = "unknown"
    tables["bureau"] = bureau
    tables["bureau_balance"]["SK_ID_BUREAU"] = np.arange(CLIENTS)
    problem = _only(validate_tables(_write(tables, tmp_path)))
    assert (problem.file, problem.column, problem.row, problem.count) == (
        "bureau.csv",
        "AMT_CREDIT_SUM",
        2,
        1200,
    )


def test_empty_file(data_dir: Path) -> None:
    (data_dir / APP_FILE).write_bytes(b"")
    problem = _only(validate_tables(data_dir))
    assert problem.file == APP_FILE
    assert problem.message.startswith("empty file")


def test_application_file_without_rows(data_dir: Path, tables: dict[str, pd.DataFrame]) -> None:
    tables[schema.APPLICATION].head(0).to_csv(data_dir / APP_FILE, index=False)
    tables["bureau"].head(0).to_csv(data_dir / "bureau.csv", index=False)
    inspection = inspect_tables(data_dir)
    assert [(p.file, p.message) for p in inspection.problems] == [
        (APP_FILE, "no rows: expected one line per application")
    ]
    # History rows now point at no application (counted); a history table without rows is fine.
    assert {item.file for item in inspection.unlinked} == {
        "previous_application.csv",
        "POS_CASH_balance.csv",
        "installments_payments.csv",
        "credit_card_balance.csv",
        "bureau_balance.csv",
    }


def test_target_outside_zero_one_and_missing(tmp_path: Path, tables: dict[str, pd.DataFrame]) -> None:
    target = tables[schema.APPLICATION]["TARGET"].astype(object)
    target[1], target[3] = 2, None
    tables[schema.APPLICATION]["TARGET"] = target
    problems = {p.message: p for p in validate_tables(_write(tables, tmp_path))}
    assert set(problems) == {"TARGET must be 0 or 1, got 2", "missing value: every row needs one"}
    assert problems["TARGET must be 0 or 1, got 2"].row == 3
    assert problems["missing value: every row needs one"].row == 5
    assert all(p.column == "TARGET" and p.file == APP_FILE for p in problems.values())


def test_history_of_other_clients_is_counted_not_a_fault(
    tmp_path: Path, tables: dict[str, pd.DataFrame]
) -> None:
    # Kaggle's history tables hold every client of the bank: application_test's and others.
    applicants = tables[schema.APPLICATION].drop(columns="TARGET").iloc[:2].copy()
    applicants["SK_ID_CURR"] = [200_001, 200_002]
    tables[schema.APPLICATION_TEST] = applicants
    tables["installments_payments"].loc[3, "SK_ID_CURR"] = 200_002
    tables["installments_payments"].loc[4, "SK_ID_CURR"] = 999_999
    inspection = inspect_tables(_write(tables, tmp_path))
    assert inspection.problems == []
    unlinked = _only_item(inspection.unlinked)
    assert (unlinked.file, unlinked.key, unlinked.linked_to) == (
        "installments_payments.csv",
        "SK_ID_CURR",
        APP_FILE,
    )
    assert (unlinked.rows, unlinked.of_rows, unlinked.applicants) == (2, CLIENTS, 1)
    assert inspection.notices() == [
        "installments_payments.csv: 2 of 6 rows (33.3%) have a SK_ID_CURR that is not in "
        "application_train.csv (1 of them belong to application_test clients)"
    ]


def test_orphan_monthly_rows_are_counted(tmp_path: Path, tables: dict[str, pd.DataFrame]) -> None:
    tables["bureau_balance"].loc[0, "SK_ID_BUREAU"] = 42
    tables["credit_card_balance"].loc[[1, 2], "SK_ID_PREV"] = 7
    inspection = inspect_tables(_write(tables, tmp_path / "unknown"))
    assert inspection.problems == []
    counted = {(item.file, item.key, item.linked_to): item.rows for item in inspection.unlinked}
    assert counted == {
        ("bureau_balance.csv", "SK_ID_BUREAU", "bureau.csv"): 1,
        ("credit_card_balance.csv", "SK_ID_PREV", "previous_application.csv"): 2,
    }


def test_extra_files_are_listed_and_ignored(data_dir: Path) -> None:
    (data_dir / "HomeCredit_columns_description.csv").write_bytes(b"\xe9 not UTF-8, never read\n")
    (data_dir / "sample_submission.csv").write_text("SK_ID_CURR,TARGET\n100001,0.5\n")
    inspection = inspect_tables(data_dir)
    assert inspection.problems == []
    assert inspection.ignored == ("HomeCredit_columns_description.csv", "sample_submission.csv")
    assert inspection.notices()[-1] == (
        "files ignored (not a table read here): HomeCredit_columns_description.csv, sample_submission.csv"
    )


def test_a_client_cannot_be_in_both_application_tables(
    tmp_path: Path, tables: dict[str, pd.DataFrame]
) -> None:
    tables[schema.APPLICATION_TEST] = tables[schema.APPLICATION].drop(columns="TARGET").iloc[2:4]
    problem = _only(validate_tables(_write(tables, tmp_path)))
    assert (problem.file, problem.column, problem.row, problem.count) == (
        "application_test.csv",
        "SK_ID_CURR",
        2,
        2,
    )
    assert problem.message.startswith("SK_ID_CURR 100003 is also in application_train.csv")


def test_bureau_balance_needs_bureau(tmp_path: Path, tables: dict[str, pd.DataFrame]) -> None:
    del tables["bureau"]
    problem = _only(validate_tables(_write(tables, tmp_path / "no-bureau")))
    assert problem.file == "bureau_balance.csv"
    assert "needs bureau.csv" in problem.message


def test_duplicate_keys(tmp_path: Path, tables: dict[str, pd.DataFrame]) -> None:
    tables[schema.APPLICATION].loc[4, "SK_ID_CURR"] = tables[schema.APPLICATION].loc[1, "SK_ID_CURR"]
    tables["previous_application"].loc[5, "SK_ID_PREV"] = tables["previous_application"].loc[0, "SK_ID_PREV"]
    problems = validate_tables(_write(tables, tmp_path))
    located = {(p.file, p.column, p.row): p.message for p in problems}
    assert (
        located[(APP_FILE, "SK_ID_CURR", 6)] == "SK_ID_CURR 100002 appears more than once (first at line 3)"
    )
    assert located[("previous_application.csv", "SK_ID_PREV", 7)].startswith(
        "SK_ID_PREV 1000010 appears more"
    )


def test_values_outside_plausible_ranges_and_vocabularies(
    tmp_path: Path, tables: dict[str, pd.DataFrame]
) -> None:
    application = tables[schema.APPLICATION]
    application.loc[2, "AMT_CREDIT"] = -5
    application.loc[1, "NAME_INCOME_TYPE"] = "Astronaut"
    application.loc[3, "CNT_CHILDREN"] = 1.5
    application.loc[0, "EXT_SOURCE_2"] = np.inf
    located = {(p.column, p.row): p.message for p in validate_tables(_write(tables, tmp_path))}
    assert located == {
        ("AMT_CREDIT", 4): "AMT_CREDIT must be a number between 0 and 100,000,000, got -5.0",
        ("NAME_INCOME_TYPE", 3): schema.check_application_value("NAME_INCOME_TYPE", "Astronaut"),
        ("CNT_CHILDREN", 5): "1.5 is not a whole number",
        ("EXT_SOURCE_2", 2): "inf is not a finite number",
    }


def test_several_faults_are_all_reported(tmp_path: Path, tables: dict[str, pd.DataFrame]) -> None:
    tables[schema.APPLICATION] = tables[schema.APPLICATION].drop(columns="DAYS_BIRTH")
    tables["bureau"].loc[0, "SK_ID_BUREAU"] = tables["bureau"].loc[1, "SK_ID_BUREAU"]
    tables["credit_card_balance"]["AMT_BALANCE"] = "x"
    problems = validate_tables(_write(tables, tmp_path))
    assert {(p.file, p.column) for p in problems} == {
        (APP_FILE, "DAYS_BIRTH"),
        ("bureau.csv", "SK_ID_BUREAU"),
        ("credit_card_balance.csv", "AMT_BALANCE"),
    }


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"SK_ID_CURR,TARGET\n1,0\n\xff\xfe\x00garbage\n", "not UTF-8 text"),
        (b"SK_ID_CURR,TARGET\n1,0\n2,0,1,5\n", "not a well-formed CSV file"),
    ],
)
def test_files_that_are_not_csv_text(data_dir: Path, content: bytes, expected: str) -> None:
    (data_dir / APP_FILE).write_bytes(content)
    problems = validate_tables(data_dir, history=False)
    assert any(p.file == APP_FILE and p.column is None and p.message.startswith(expected) for p in problems)


def test_unreadable_files(data_dir: Path) -> None:
    (data_dir / "bureau.csv.gz").write_bytes(b"not gzip at all")
    (data_dir / APP_FILE).unlink()
    (data_dir / APP_FILE).mkdir()
    problems = {p.file: p.message for p in validate_tables(data_dir)}
    assert problems[APP_FILE].startswith("cannot read the file")
    assert problems["bureau.csv.gz"] == "both bureau.csv and bureau.csv.gz are present: keep one"
    (data_dir / "bureau.csv").unlink()
    problems = {p.file: p.message for p in validate_tables(data_dir)}
    assert problems["bureau.csv.gz"].startswith("cannot read the file")


def test_unusable_directory(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such directory") as missing:
        validate_tables(tmp_path / "nowhere")
    assert missing.value.problems[0].file == str(tmp_path / "nowhere")
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(DataError, match="not a directory"):
        validate_tables(tmp_path / "a-file")


def test_directory_that_cannot_be_listed(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root, for whom permission bits do not stop listing: the refusal is simulated.
    def refuse(self: Path) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "iterdir", refuse)
    with pytest.raises(DataError, match="cannot read the directory: Permission denied") as error:
        validate_tables(data_dir)
    assert error.value.problems[0].file == str(data_dir)


def test_load_tables_refuses_data_with_problems(tmp_path: Path, tables: dict[str, pd.DataFrame]) -> None:
    tables["bureau"].loc[0, "SK_ID_BUREAU"] = tables["bureau"].loc[1, "SK_ID_BUREAU"]
    tables[schema.APPLICATION].loc[0, "TARGET"] = 7
    data_dir = _write(tables, tmp_path)
    with pytest.raises(DataError) as error:
        load_tables(data_dir)
    assert list(error.value.problems) == validate_tables(data_dir)
    assert len(error.value.problems) == 2
    assert str(error.value).splitlines() == [str(p) for p in error.value.problems]


def test_the_validation_range_rule_is_check_application_value() -> None:
    for column, (low, high) in schema.APPLICATION_RANGES.items():
        for value in (low, high, low - 1.0, high + 1.0, low + 0.5, (low + high) / 2, np.nan, 365243.0):
            flagged = bool(application_problems(APP_FILE, pd.DataFrame({column: [value]})))
            assert flagged == (schema.check_application_value(column, value) is not None), (column, value)


def test_importing_the_package_does_not_load_pandas() -> None:
    code = (
        "import sys; from credit_scoring.data import DataError, Problem, table_paths; "
        "assert 'pandas' not in sys.modules; "
        "from credit_scoring.data import load_tables; assert 'pandas' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parent.parent)


# --- the command ---------------------------------------------------------------------------------


@pytest.fixture
def validate_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI with the validate command alone, so that these tests do not depend on the other commands."""
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("validate",))


@pytest.mark.usefixtures("validate_command")
def test_command_exit_codes(
    data_dir: Path, tmp_path: Path, tables: dict[str, pd.DataFrame], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["validate", "--data", str(data_dir)]) == 0
    assert "no problem found" in capsys.readouterr().out

    tables["bureau"].loc[0, "SK_ID_CURR"] = 1
    orphans = _write(tables, tmp_path / "orphans")
    assert cli.main(["validate", "--data", str(orphans)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "notice: bureau.csv: 1 of 6 rows (16.7%) have a SK_ID_CURR that is not in application_train.csv",
        f"{orphans}: no problem found",
    ]

    tables["bureau"].loc[1, "SK_ID_BUREAU"] = tables["bureau"].loc[2, "SK_ID_BUREAU"]
    tables[schema.APPLICATION] = tables[schema.APPLICATION].drop(columns="AMT_ANNUITY")
    bad = _write(tables, tmp_path / "bad")
    assert cli.main(["validate", "--data", str(bad)]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        *(f"notice: {notice}" for notice in inspect_tables(bad).notices()),
        *(str(p) for p in validate_tables(bad)),
    ]
    assert "2 problem(s) found" in captured.err
    assert cli.main(["validate", "--data", str(bad), "--application-only"]) == 1

    assert cli.main(["validate", "--data", str(tmp_path / "nowhere")]) == 2
    assert "no such directory" in capsys.readouterr().err


# --- the real sample -----------------------------------------------------------------------------


@pytest.mark.real_data
def test_the_real_application_table_has_no_problem(real_sample_dir: Path) -> None:
    assert validate_tables(real_sample_dir, history=False) == []


@pytest.mark.real_data
def test_the_real_history_tables_only_lack_links(real_sample_dir: Path) -> None:
    # The sample's history rows were drawn independently of its applications (see its README).
    inspection = inspect_tables(real_sample_dir)
    assert inspection.problems == []
    keyed = {item.file for item in inspection.unlinked if item.key == schema.CLIENT_ID}
    assert keyed == {
        f"{table}.csv" for table in schema.HISTORY_TABLES if schema.TABLE_KEYS[table][1] == schema.CLIENT_ID
    }
    assert all(0 < item.rows <= item.of_rows for item in inspection.unlinked)
