"""Kaggle's download as it is, on real rows: it validates with its unlinked rows counted, trains without
a flag, serves the applicants of application_test, and writes Kaggle's submission format."""

from __future__ import annotations

import csv
import json
import math
import shutil
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from credit_scoring import cli, schema
from credit_scoring.api.app import create_app
from credit_scoring.bundle.loader import load_bundle
from credit_scoring.data import inspect_tables, load_tables
from credit_scoring.training.feature_frame import build_applicant_features

pytestmark = pytest.mark.real_data

UNLINKED_IN_README = {
    # ../shared/data/home-credit-linked/README.md: rows of application_test clients, and monthly rows
    # whose SK_ID_PREV is not in previous_application.csv.
    ("bureau.csv", "SK_ID_CURR"): 25_817,
    ("previous_application.csv", "SK_ID_CURR"): 25_975,
    ("POS_CASH_balance.csv", "SK_ID_PREV"): 9_901,
    ("credit_card_balance.csv", "SK_ID_PREV"): 36_977,
}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as file:
        return list(csv.DictReader(file))


def test_the_linked_data_validates_with_its_unlinked_rows_counted(
    linked_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inspection = inspect_tables(linked_data_dir)
    assert inspection.problems == []
    counted = {(item.file, item.key): item for item in inspection.unlinked}
    for key, rows in UNLINKED_IN_README.items():
        assert counted[key].rows == rows
    # Every history row of a client outside application_train is an application_test client's here.
    assert all(item.applicants == item.rows for item in inspection.unlinked if item.key == schema.CLIENT_ID)
    assert cli.main(["validate", "--data", str(linked_data_dir)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1].endswith("no problem found")
    assert sum(line.startswith("notice: ") for line in out) == len(inspection.notices())


def test_history_features_equal_a_hand_computation_from_the_raw_rows(linked_data_dir: Path) -> None:
    bureau = _rows(linked_data_dir / "bureau.csv")
    previous = _rows(linked_data_dir / "previous_application.csv")
    cards = _rows(linked_data_dir / "credit_card_balance.csv")
    train, applicants = build_applicant_features(load_tables(linked_data_dir))
    assert applicants is not None
    by_client: dict[int, dict[str, list[dict[str, str]]]] = defaultdict(lambda: defaultdict(list))
    for table, rows in (("bureau", bureau), ("previous", previous), ("cards", cards)):
        for row in rows:
            by_client[int(row["SK_ID_CURR"])][table].append(row)
    busy = sorted(by_client, key=lambda client: -sum(map(len, by_client[client].values())))
    training_ids, applicant_ids = set(train.ids.tolist()), set(applicants.ids.tolist())
    chosen = [c for c in busy if c in training_ids][:2] + [c for c in busy if c in applicant_ids][:2]
    assert len(chosen) == 4
    for client in chosen:
        frame = train if client in training_ids else applicants
        features = dict(zip(frame.names, frame.X[int(np.flatnonzero(frame.ids == client)[0])], strict=True))
        rows = by_client[client]
        active = [row for row in rows["bureau"] if row["CREDIT_ACTIVE"] == "Active"]
        debts = [float(row["AMT_CREDIT_SUM_DEBT"]) for row in rows["bureau"] if row["AMT_CREDIT_SUM_DEBT"]]
        refused = sum(row["NAME_CONTRACT_STATUS"] == "Refused" for row in rows["previous"])
        late = [int(row["SK_DPD"]) > 0 for row in rows["cards"] if row["SK_DPD"]]
        assert features["BUREAU_COUNT"] == len(rows["bureau"])
        assert features["BUREAU_ACTIVE_COUNT"] == len(active)
        assert math.isclose(features["BUREAU_AMT_CREDIT_SUM_DEBT_SUM"], sum(debts), rel_tol=1e-12)
        assert features["PREV_COUNT"] == len(rows["previous"])
        assert features["PREV_REFUSED_SHARE"] == pytest.approx(refused / len(rows["previous"]))
        assert features["CC_MONTHS_COUNT"] == len(rows["cards"])
        if late:
            assert features["CC_LATE_SHARE"] == pytest.approx(sum(late) / len(late))


@pytest.fixture(scope="module")
def linked_bundle(tmp_path_factory: pytest.TempPathFactory, linked_data_dir: Path) -> Path:
    """A bundle trained on the linked data as a user would: `train --data DIR --out DIR`, no flag."""
    data = tmp_path_factory.mktemp("kaggle") / "download"
    shutil.copytree(linked_data_dir, data)
    (data / "HomeCredit_columns_description.csv").write_bytes(b"Table,Row,Description\n\xe9\n")
    (data / "sample_submission.csv").write_text("SK_ID_CURR,TARGET\n100001,0.5\n")
    out = data.parent / "bundle"
    assert cli.main(["train", "--data", str(data), "--out", str(out)]) == 0
    return out


def test_training_on_the_download_serves_the_applicants_and_records_the_counts(
    linked_bundle: Path, linked_data_dir: Path
) -> None:
    manifest = json.loads((linked_bundle / "manifest.json").read_text())
    notes = manifest["model"]["provenance"]["data"]
    counted = {(item["file"], item["key"]): item["rows"] for item in notes["unlinked_rows"]}
    assert {key: counted[key] for key in UNLINKED_IN_README} == UNLINKED_IN_README
    assert notes["ignored_files"] == [
        "HomeCredit_columns_description.csv",
        "README.md",
        "sample_submission.csv",
    ]
    assert notes["store"] == {"training_clients": 5000, "applicants": 5000}
    report = (linked_bundle / "reports" / "data.md").read_text()
    assert "| bureau.csv | SK_ID_CURR | application_train.csv | 25,817 |" in report
    assert "5,000 applicants" in report

    applicant = int(_rows(linked_data_dir / "application_test.csv")[0]["SK_ID_CURR"])
    client = TestClient(create_app(load_bundle(linked_bundle)))
    answer = client.get(f"/predict/{applicant}")
    assert answer.status_code == 200
    assert 0.0 < answer.json()["probability"] < 1.0


def test_evaluate_reads_the_download_as_it_is(
    linked_bundle: Path, linked_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["evaluate", "--bundle", str(linked_bundle), "--data", str(linked_data_dir)]) == 0
    result = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert result["n"] == 5000  # the labelled clients; the applicants have no outcome to measure


def test_batch_writes_kaggles_submission_format(
    linked_bundle: Path, linked_data_dir: Path, tmp_path: Path
) -> None:
    submission = tmp_path / "submission.csv"
    source = linked_data_dir / "application_test.csv"
    argv = ["batch", "--bundle", str(linked_bundle), "--input", str(source), "--out", str(tmp_path / "out")]
    assert cli.main([*argv, "--submission", str(submission)]) == 0
    rows = _rows(submission)
    assert list(rows[0]) == ["SK_ID_CURR", "TARGET"]
    assert [row["SK_ID_CURR"] for row in rows] == [row["SK_ID_CURR"] for row in _rows(source)]
    scored = {
        row["SK_ID_CURR"]: float(row["probability"])
        for row in _rows(tmp_path / "out" / "scored" / source.name)
    }
    assert all(float(row["TARGET"]) == scored[row["SK_ID_CURR"]] for row in rows)
    assert not list(tmp_path.glob(".submission.csv.*"))


def test_no_submission_when_a_row_is_rejected(
    linked_bundle: Path, linked_data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = (linked_data_dir / "application_test.csv").read_text().splitlines()
    header = lines[0].split(",")
    bad = lines[2].split(",")
    bad[header.index("AMT_CREDIT")] = "-5"
    source = tmp_path / "applicants.csv"
    source.write_text("\n".join([lines[0], lines[1], ",".join(bad)]) + "\n")
    submission = tmp_path / "submission.csv"
    argv = ["batch", "--bundle", str(linked_bundle), "--input", str(source), "--out", str(tmp_path / "out")]
    assert cli.main([*argv, "--submission", str(submission)]) == 2
    assert "1 rows were rejected" in capsys.readouterr().err
    assert not submission.exists()


def test_the_sample_with_unlinked_history_trains_with_its_history(
    real_sample_dir: Path, tmp_path: Path
) -> None:
    inspection = inspect_tables(real_sample_dir)
    assert inspection.problems == []
    # Not --application-only: the history that links nothing is read. A small comparison sample
    # keeps the suite short; the champion is still fitted on every client.
    argv = ["train", "--data", str(real_sample_dir), "--out", str(tmp_path / "bundle")]
    assert cli.main([*argv, "--store-clients", "100", "--search-clients", "2000"]) == 0
    notes = json.loads((tmp_path / "bundle" / "manifest.json").read_text())["model"]["provenance"]["data"]
    assert [item["rows"] for item in notes["unlinked_rows"]] == [item.rows for item in inspection.unlinked]
    assert notes["store"] == {"training_clients": 100, "applicants": 0}
