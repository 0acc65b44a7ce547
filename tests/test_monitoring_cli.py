"""`credit-scoring monitor`: drift and realised performance from files of applications and an outcomes
file, checked against scikit-learn's AUC and the decisions the batch command serves; bad outcomes are
refused naming their line and field."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from bundle_factory import build_test_bundle, random_applications
from sklearn.metrics import roc_auc_score

from credit_scoring import schema
from credit_scoring.cli import main
from credit_scoring.monitoring.outcomes import OutcomesError, read_outcomes


@pytest.fixture(scope="module")
def bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_test_bundle(tmp_path_factory.mktemp("cli") / "bundle", n_clients=600, calibrated=False)


def test_the_report_joins_outcomes_with_the_decisions_served_month_by_month(
    bundle_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    frames = [random_applications(400, seed=seed) for seed in (31, 32)]
    for i, frame in enumerate(frames):
        frame.drop(columns=schema.TARGET).to_csv(data / f"part{i}.csv", index=False)
    outcomes = tmp_path / "outcomes.csv"
    with outcomes.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(("SK_ID_CURR", "outcome", "date"))
        for i, frame in enumerate(frames):
            for client, target in zip(frame[schema.CLIENT_ID], frame[schema.TARGET], strict=True):
                writer.writerow((client, target, f"2027-0{i + 1}-15"))
        writer.writerow((999999, 1, "2027-01-03"))  # an outcome without a served decision
    report = tmp_path / "report.md"
    code = main(
        [
            "monitor",
            "--bundle",
            str(bundle_dir),
            "--data",
            str(data),
            "--outcomes",
            str(outcomes),
            "--report",
            str(report),
        ]
    )
    assert code == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["rows_scored"] == 800
    assert result["drift"]["n"] == 800
    performance = result["performance"]
    assert (performance["outcomes"], performance["joined"], performance["without_decision"]) == (801, 800, 1)
    months = performance["by_month"]
    assert [m["month"] for m in months] == ["2027-01", "2027-02"]

    # The same decisions as `credit-scoring batch` serves, and scikit-learn's AUC on them.
    for i, (frame, month) in enumerate(zip(frames, months, strict=True)):
        out = tmp_path / f"batch{i}"
        assert (
            main(
                [
                    "batch",
                    "--bundle",
                    str(bundle_dir),
                    "--input",
                    str(data / f"part{i}.csv"),
                    "--out",
                    str(out),
                ]
            )
            == 0
        )
        scored = list(csv.DictReader(io.StringIO((out / "scored" / f"part{i}.csv").read_text())))
        probability = np.array([float(row["probability"]) for row in scored])
        target = frame.set_index(schema.CLIENT_ID).loc[[int(r["SK_ID_CURR"]) for r in scored], schema.TARGET]
        refused = np.array([row["prediction"] == "1" for row in scored])
        assert month["n"] == len(scored)
        assert month["auc"] == pytest.approx(roc_auc_score(target, probability), abs=1e-12)
        assert month["gini"] == pytest.approx(2 * month["auc"] - 1)
        assert month["default_rate"] == pytest.approx(target.mean())
        missed, wrongly = np.sum((target == 1) & ~refused), np.sum((target == 0) & refused)
        assert month["business_cost"] == pytest.approx((10 * missed + wrongly) / len(scored))
    text = report.read_text()
    assert "## Drift from the training population" in text
    assert "| 2027-02 |" in text


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("100002,2,2027-01-01\n", "line 2: outcome must be 0"),
        ("12345,1,2027-01-01\n", f"line 2: SK_ID_CURR must be {schema.CLIENT_ID_EXPECTED}, got '12345'"),
        ("100002,1,2027-13-01\n", "line 2: date must be a date"),
        (
            "100002,1,2027-01-01\n100002,0,2027-01-02\n",
            "line 3: SK_ID_CURR 100002 already has an outcome on line 2",
        ),
        ("100002,1\n", "line 2: expected 3 fields"),
    ],
)
def test_a_bad_outcome_is_refused_naming_its_line_and_field(body: str, named: str) -> None:
    with pytest.raises(OutcomesError) as refused:
        read_outcomes("SK_ID_CURR,outcome,date\n" + body, "outcomes.csv")
    assert named in str(refused.value)
    assert str(refused.value).startswith("outcomes.csv:")


def test_the_command_refuses_an_outcomes_file_with_status_2(
    bundle_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "a.csv"
    random_applications(20, seed=3).drop(columns=schema.TARGET).to_csv(data, index=False)
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text("SK_ID_CURR,outcome,when\n100002,1,2027-01-01\n")
    assert (
        main(["monitor", "--bundle", str(bundle_dir), "--data", str(data), "--outcomes", str(outcomes)]) == 2
    )
    assert "line 1: the header must be SK_ID_CURR,outcome,date" in capsys.readouterr().err
