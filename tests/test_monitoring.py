"""Drift monitoring: the reference frozen at training, the sample-size-aware flag's false-alarm rate on
unchanged data, and each batch file's drift through the S3 handler (moto) on unchanged, shifted, new-
category and missing inputs, on random and on real clients, without changing a scored row."""

from __future__ import annotations

import dataclasses
import gzip
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from bundle_factory import build_test_bundle, random_applications
from test_batch import Aws, FakeContext, rows, without_ids
from test_batch import aws as batch_aws  # noqa: F401 (test_batch's moto bucket and queue fixture)

from credit_scoring import schema
from credit_scoring.batch.config import SCORED_PREFIX
from credit_scoring.batch.handlers import handle_s3_event
from credit_scoring.bundle.errors import BundleError
from credit_scoring.bundle.loader import LoadedBundle, load_bundle
from credit_scoring.features.application import ApplicationFeatures
from credit_scoring.lambda_events import EventRouter, S3ObjectCreatedEvents
from credit_scoring.monitoring.decision_records import DECISIONS_PREFIX
from credit_scoring.monitoring.drift import ALPHA, DriftMonitor, psi
from credit_scoring.monitoring.reference import REFERENCE_FILE, build_reference, load_reference

LAST_TRAINING_ID = 105849
"""The real sample's first 5,000 clients train the bundle; the 1,999 after them are the new population."""


@pytest.fixture
def moto(batch_aws: Aws) -> Aws:  # noqa: F811 (the fixture imported above, asked for by its name)
    return batch_aws


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> LoadedBundle:
    out = tmp_path_factory.mktemp("monitoring") / "bundle"
    return load_bundle(build_test_bundle(out, n_clients=1000, calibrated=False))


# ---------------------------------------------------------------- the reference


def test_the_bundle_freezes_every_input_the_model_reads_and_verifies_it(
    bundle: LoadedBundle, tmp_path: Path
) -> None:
    reference = load_reference(bundle.path, bundle.manifest)
    assert reference is not None
    assert REFERENCE_FILE in bundle.manifest.files
    assert set(reference.inputs) == set(ApplicationFeatures(bundle.manifest.protected).input_columns)
    assert not set(reference.inputs) & set(bundle.manifest.protected)
    assert reference.clients == bundle.manifest.store.clients == reference.score.total
    for name, binning in reference.inputs.items():
        assert binning.total == reference.clients, name
        if binning.kind == "category":
            assert binning.categories == schema.APPLICATION_CATEGORIES[name]
    # Quantile bins: each of the score's ten bins holds about a tenth of the clients.
    assert np.all(np.abs(reference.score.counts / reference.clients - 0.1) < 0.02)

    copy = tmp_path / "bundle"
    shutil.copytree(bundle.path, copy)
    altered = json.loads((copy / REFERENCE_FILE).read_text())
    altered["clients"] += 1
    (copy / REFERENCE_FILE).write_text(json.dumps(altered))
    with pytest.raises(BundleError) as refused:
        load_bundle(copy)
    assert refused.value.file == REFERENCE_FILE


# ---------------------------------------------------------------- the flag


def _population(rng: np.random.Generator, n: int, shift: float = 0.0) -> dict[str, np.ndarray]:
    amounts = rng.lognormal(11.5 + shift, 0.5, n)
    amounts[rng.random(n) < 0.1] = np.nan
    return {"AMOUNT": amounts, "FLAG": (rng.random(n) < 0.3).astype(np.float64)}


@pytest.mark.parametrize("n", [100, 1_000, 20_000])
def test_unchanged_data_raises_no_more_false_alarms_than_alpha_at_any_size(n: int) -> None:
    """Simulated: a reference of 5,000 clients and new samples of `n` from the same population. The flag
    keeps its rate near alpha whatever n; a fixed PSI > 0.1 rule fires often at 100 rows."""
    rng = np.random.default_rng(n)
    runs = 1500 if n <= 1_000 else 300
    reference = build_reference(rng.random(5000), _population(rng, 5000), {})
    alarms = fixed_rule = 0
    for _ in range(runs):
        monitor = DriftMonitor(reference)
        monitor.observe_score(rng.random(n))
        monitor.observe_inputs(_population(rng, n), n)
        summary = monitor.summary()
        variables = [summary.score, *summary.inputs]
        alarms += sum(v.drifting for v in variables)
        fixed_rule += sum(v.psi > 0.1 for v in variables)
    rate = alarms / (3 * runs)
    # 4,500 trials (900 at 20,000 rows) at alpha = 1%: the binomial's 99.9% bound is about 1.5%
    # (2.0%); the chi-square approximation's own error at 100 rows adds a little.
    assert rate <= 2 * ALPHA
    if n == 100:
        assert fixed_rule / (3 * runs) > 10 * rate


def test_a_shift_is_flagged_and_the_rule_tightens_with_the_sample() -> None:
    rng = np.random.default_rng(3)
    reference = build_reference(rng.random(5000), _population(rng, 5000), {})
    critical = []
    for n in (200, 20_000):
        monitor = DriftMonitor(reference)
        monitor.observe_inputs(_population(rng, n, shift=0.3), n)
        amount = next(v for v in monitor.summary().inputs if v.name == "AMOUNT")
        assert amount.drifting
        critical.append(amount.critical)
    assert critical[1] < critical[0] / 5


def test_psi_is_zero_for_equal_proportions_and_grows_with_the_difference() -> None:
    same, _ = psi(np.array([10, 20, 30]), np.array([20, 40, 60]))
    small, _ = psi(np.array([10, 20, 30]), np.array([12, 20, 28]))
    large, _ = psi(np.array([10, 20, 30]), np.array([30, 20, 10]))
    assert 0 <= same < small / 10  # the half-count smoothing leaves a trace
    assert small < large


# ---------------------------------------------------------------- batch files through the S3 handler


def _csv(frame: pd.DataFrame) -> bytes:
    return (
        frame.drop(columns=schema.TARGET, errors="ignore").to_csv(index=False, lineterminator="\n").encode()
    )


def _score(moto: Aws, bundle: LoadedBundle, name: str, data: bytes) -> dict:
    handle_s3_event(moto.upload(f"batch/incoming/{name}", data), FakeContext(), bundle)
    report = moto.report(name)
    assert report["input_rows"] == report["scored"] + report["rejected"] == data.count(b"\n") - 1
    return report


def test_an_unchanged_population_raises_no_alarm(moto: Aws, bundle: LoadedBundle) -> None:
    drift = _score(moto, bundle, "same.csv", _csv(random_applications(2000, seed=11)))["drift"]
    assert drift["n"] == 2000
    assert drift["score"]["drifting"] is False
    assert drift["inputs_observed"] == len(load_reference(bundle.path, bundle.manifest).inputs)
    assert drift["drifting_share"] <= 0.05


def test_the_batch_function_reads_its_bundle_once_for_every_event_it_answers(
    moto: Aws, bundle: LoadedBundle, tmp_path: Path
) -> None:
    """The S3 handler of `lambda_events` builds its scorer and monitoring reference on its first event:
    a reference file gone after it still gives the next file its drift."""
    copy = tmp_path / "bundle"
    shutil.copytree(bundle.path, copy)
    router = EventRouter([S3ObjectCreatedEvents(load_bundle(copy))])
    data = _csv(random_applications(300, seed=13))
    router(moto.upload("batch/incoming/first.csv", data), FakeContext())
    (copy / REFERENCE_FILE).unlink()
    router(moto.upload("batch/incoming/second.csv", data), FakeContext())
    assert [moto.report(name)["drift"]["n"] for name in ("first.csv", "second.csv")] == [300, 300]


def test_one_shifted_input_is_the_first_drifting_input(moto: Aws, bundle: LoadedBundle) -> None:
    frame = random_applications(2000, seed=12)
    frame["DAYS_BIRTH"] = np.maximum(frame["DAYS_BIRTH"] * 0.6, -25_000)  # a much younger population
    drift = _score(moto, bundle, "younger.csv", _csv(frame))["drift"]
    first = drift["top_inputs"][0]
    assert (first["name"], first["drifting"]) == ("DAYS_BIRTH", True)
    assert first["psi"] > 2 * drift["top_inputs"][1]["psi"]


def test_a_new_category_is_rejected_by_row_and_reported_as_drift(moto: Aws, bundle: LoadedBundle) -> None:
    frame = random_applications(1000, seed=13)
    frame.loc[frame.index[:200], "NAME_CONTRACT_TYPE"] = "Leasing"
    report = _score(moto, bundle, "leasing.csv", _csv(frame))
    rejected = rows(moto.read("batch/rejected/leasing.csv"))
    assert len(rejected) == report["rejected"] == 200
    assert all("NAME_CONTRACT_TYPE" in row["reason"] for row in rejected)
    contract = next(d for d in report["drift"]["inputs"] if d["name"] == "NAME_CONTRACT_TYPE")
    assert contract["outside_vocabulary"] == 200
    assert contract["drifting"] is True
    assert report["drift"]["top_inputs"][0]["name"] == "NAME_CONTRACT_TYPE"


def test_an_input_missing_from_the_file_is_flagged_with_its_missing_rate(
    moto: Aws, bundle: LoadedBundle
) -> None:
    frame = random_applications(1000, seed=14).drop(columns="EXT_SOURCE_2")
    drift = _score(moto, bundle, "no-ext2.csv", _csv(frame))["drift"]
    ext = next(d for d in drift["inputs"] if d["name"] == "EXT_SOURCE_2")
    assert (ext["missing_rate"], ext["drifting"]) == (1.0, True)
    assert ext["reference_missing_rate"] < 0.2
    assert "EXT_SOURCE_2" in [change["name"] for change in drift["missing_rate_changes"]]


def _emf_records(out: str) -> list[dict]:
    """The embedded-metric-format records printed (one JSON object per line with an _aws key)."""
    lines = [line for line in out.splitlines() if line.startswith("{")]
    return [record for record in map(json.loads, lines) if "_aws" in record]


def _fanned_and_whole(
    moto: Aws,
    bundle: LoadedBundle,
    data: bytes,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> tuple[dict, dict, list[dict]]:
    """The reports of `data` fanned out (parts of about a fifth of it) and scored whole, and the EMF
    records the fan-out printed."""
    monkeypatch.setenv("BATCH_BYTES_PER_SECOND", str(len(data) // 5))
    monkeypatch.setenv("BATCH_TIME_RESERVE_SECONDS", "0")
    small = FakeContext(remaining_ms=2_000)
    capsys.readouterr()
    handle_s3_event(moto.upload("batch/incoming/fanned.csv", data), small, bundle)
    assert moto.drain(bundle, small) > 1
    fanned_metrics = _emf_records(capsys.readouterr().out)
    whole = _score(moto, bundle, "whole.csv", data)
    return moto.report("fanned.csv"), whole, fanned_metrics


def test_a_fanned_out_file_has_the_drift_and_metrics_of_the_file_scored_whole(
    moto: Aws, bundle: LoadedBundle, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    frame = random_applications(1500, seed=16)
    frame["DAYS_BIRTH"] = (frame["DAYS_BIRTH"] * 0.6).round().astype(int)  # a much younger population
    fanned, whole, metrics = _fanned_and_whole(moto, bundle, _csv(frame), monkeypatch, capsys)
    assert fanned["parts"] > 1
    assert fanned["drift"] == whole["drift"]
    assert fanned["drift"]["n"] == 1500
    assert fanned["drift"]["top_inputs"][0]["name"] == "DAYS_BIRTH"
    (record,) = metrics  # one record for the file, none per part
    assert record["MonitoredRows"] == [1500]
    assert record["ScorePsi"] == [pytest.approx(whole["drift"]["score"]["psi"], abs=1e-6)]
    assert record["DriftingInputsShare"] == [pytest.approx(100 * whole["drift"]["drifting_share"], abs=1e-4)]
    assert moto.keys("batch/parts/") == []


def test_monitoring_changes_no_scored_row(moto: Aws, bundle: LoadedBundle) -> None:
    data = _csv(random_applications(600, seed=15))
    files = {name: digest for name, digest in bundle.manifest.files.items() if name != REFERENCE_FILE}
    unmonitored = dataclasses.replace(bundle, manifest=dataclasses.replace(bundle.manifest, files=files))
    with_drift = _score(moto, bundle, "a/file.csv", data)
    without = _score(moto, unmonitored, "b/file.csv", data)
    assert with_drift["drift"] is not None
    assert without["drift"] is None
    for output in ("scored", "rejected"):
        assert without_ids(output, moto.read(f"batch/{output}/a/file.csv")) == without_ids(
            output, moto.read(f"batch/{output}/b/file.csv")
        )


# ---------------------------------------------------------------- real clients


@pytest.fixture(scope="module")
def real_split(real_sample_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    applications = pd.read_csv(real_sample_dir / "application_train.csv")
    ids = applications[schema.CLIENT_ID]
    return applications[ids <= LAST_TRAINING_ID], applications[ids > LAST_TRAINING_ID]


@pytest.fixture(scope="module")
def real_bundle(
    tmp_path_factory: pytest.TempPathFactory, real_split: tuple[pd.DataFrame, pd.DataFrame]
) -> LoadedBundle:
    training, _ = real_split
    out = tmp_path_factory.mktemp("real") / "bundle"
    return load_bundle(build_test_bundle(out, applications=training.reset_index(drop=True), calibrated=False))


@pytest.mark.real_data
def test_real_clients_after_the_training_ones_raise_no_alarm(
    moto: Aws, real_bundle: LoadedBundle, real_split: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    _, later = real_split
    drift = _score(moto, real_bundle, "real.csv", _csv(later))["drift"]
    assert drift["n"] == len(later)
    assert drift["score"]["drifting"] is False
    # At 1% per input, a handful of ~120 inputs at most (the binomial's 99.9% bound is 6).
    assert drift["inputs_drifting"] <= 6


@pytest.mark.real_data
def test_real_clients_with_one_input_shifted_flag_that_input_first(
    moto: Aws, real_bundle: LoadedBundle, real_split: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    _, later = real_split
    shifted = later.copy()
    shifted["EXT_SOURCE_2"] = (shifted["EXT_SOURCE_2"] * 0.7).clip(0, 1)
    drift = _score(moto, real_bundle, "shifted.csv", _csv(shifted))["drift"]
    assert drift["top_inputs"][0]["name"] == "EXT_SOURCE_2"
    assert drift["top_inputs"][0]["drifting"] is True
    assert drift["score"]["drifting"] is True  # the model leans on it: its scores move too


@pytest.mark.real_data
def test_real_clients_fanned_out_have_the_drift_of_the_file_scored_whole(
    moto: Aws,
    real_bundle: LoadedBundle,
    real_split: tuple[pd.DataFrame, pd.DataFrame],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> None:
    _, later = real_split
    shifted = later.copy()
    shifted["EXT_SOURCE_2"] = (shifted["EXT_SOURCE_2"] * 0.7).clip(0, 1)
    fanned, whole, _ = _fanned_and_whole(moto, real_bundle, _csv(shifted), monkeypatch, capsys)
    assert fanned["parts"] > 1
    assert (fanned["input_rows"], fanned["scored"]) == (whole["input_rows"], whole["scored"])
    assert fanned["drift"] == whole["drift"]
    assert fanned["drift"]["top_inputs"][0]["name"] == "EXT_SOURCE_2"


# ---------------------------------------------------------------- outcomes uploaded to S3


def _outcomes_csv(frame: pd.DataFrame, extra_ids: list[int]) -> bytes:
    """SK_ID_CURR,outcome,date of `frame` (its TARGET; the first half decided in March, the rest in
    April), and outcomes of `extra_ids`, clients no batch file decided."""
    months = np.where(np.arange(len(frame)) < len(frame) // 2, "2027-03-14", "2027-04-02")
    lines = ["SK_ID_CURR,outcome,date"]
    lines += [
        f"{c},{t},{d}" for c, t, d in zip(frame[schema.CLIENT_ID], frame[schema.TARGET], months, strict=True)
    ]
    lines += [f"{c},0,2027-04-30" for c in extra_ids]
    return ("\n".join(lines) + "\n").encode()


def _join_through_s3(moto: Aws, bundle: LoadedBundle, frame: pd.DataFrame) -> tuple[dict, pd.DataFrame]:
    """Score `frame` as two batch files (one gzip), upload its outcomes; the performance report, and
    the scored rows joined with the outcomes independently (pandas)."""
    half = len(frame) // 2
    _score(moto, bundle, "first.csv", _csv(frame.iloc[:half]))
    handle_s3_event(
        moto.upload("batch/incoming/second.csv.gz", gzip.compress(_csv(frame.iloc[half:]))),
        FakeContext(),
        bundle,
    )
    answer = handle_s3_event(
        moto.upload("monitoring/outcomes/2027-04.csv", _outcomes_csv(frame, [999_998, 999_999])),
        FakeContext(),
        bundle,
    )
    assert answer["files"][0]["status"].startswith("joined")
    report = json.loads(moto.read("monitoring/performance/2027-04.csv.json"))
    assert json.loads(moto.read("monitoring/performance/latest.json")) == report
    scored = pd.concat(
        [
            pd.read_csv(io.BytesIO(moto.read(f"batch/scored/{name}")))
            for name in ("first.csv", "second.csv.gz")
        ]
    )
    joined = scored.merge(frame[[schema.CLIENT_ID, schema.TARGET]], on=schema.CLIENT_ID)
    return report, joined


def _assert_performance_of(report: dict, joined: pd.DataFrame, n_outcomes: int) -> None:
    from sklearn.metrics import roc_auc_score

    performance = report["performance"]
    assert report["status"] == "joined"
    assert report["decisions"] == {
        SCORED_PREFIX: {"objects": 2, "rows": len(joined), "unreadable": 0, "unreadable_objects": []},
        DECISIONS_PREFIX: {"objects": 0, "rows": 0, "unreadable": 0, "unreadable_objects": []},
    }
    assert (performance["outcomes"], performance["joined"], performance["without_decision"]) == (
        n_outcomes,
        len(joined),
        n_outcomes - len(joined),
    )
    assert [month["month"] for month in performance["by_month"]] == ["2027-03", "2027-04"]
    assert sum(month["n"] for month in performance["by_month"]) == len(joined)
    overall = performance["overall"]
    assert overall["auc"] == pytest.approx(roc_auc_score(joined[schema.TARGET], joined["probability"]))
    assert overall["gini"] == pytest.approx(2 * overall["auc"] - 1)
    assert overall["default_rate"] == pytest.approx(joined[schema.TARGET].mean())


def test_outcomes_uploaded_to_s3_are_joined_with_the_decisions_served(
    moto: Aws, bundle: LoadedBundle
) -> None:
    frame = random_applications(800, seed=17)
    report, joined = _join_through_s3(moto, bundle, frame)
    _assert_performance_of(report, joined, len(frame) + 2)


@pytest.mark.real_data
def test_real_outcomes_uploaded_to_s3_give_the_realised_auc_of_the_decisions_served(
    moto: Aws, real_bundle: LoadedBundle, real_split: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    _, later = real_split
    later = later.reset_index(drop=True)
    report, joined = _join_through_s3(moto, real_bundle, later)
    _assert_performance_of(report, joined, len(later) + 2)
    assert report["performance"]["overall"]["auc"] > 0.6  # the model still ranks real clients


def test_an_outcomes_file_with_errors_is_rejected_naming_file_line_and_field(
    moto: Aws, bundle: LoadedBundle
) -> None:
    good = b"SK_ID_CURR,outcome,date\n100002,1,2027-03-14\n"
    handle_s3_event(moto.upload("monitoring/outcomes/good.csv", good), FakeContext(), bundle)
    latest = moto.read("monitoring/performance/latest.json")
    bad = good + b"100003,2,2027-03-02\n12,0,2027-02-30\n100002,0,2027-03-01\n"
    answer = handle_s3_event(moto.upload("monitoring/outcomes/bad.csv", bad), FakeContext(), bundle)
    assert answer["files"][0]["status"].startswith("rejected: 4 problem(s)")
    report = json.loads(moto.read("monitoring/performance/bad.csv.json"))
    assert (report["status"], report["performance"], report["problem_count"]) == ("rejected", None, 4)
    problems = report["problems"]
    assert all(problem.startswith("monitoring/outcomes/bad.csv: line ") for problem in problems)
    assert "line 3: outcome must be 0 (repaid) or 1 (defaulted)" in problems[0]
    assert any(f"line 4: SK_ID_CURR must be {schema.CLIENT_ID_EXPECTED}, got '12'" in p for p in problems)
    assert any("line 4: date must be a date YYYY-MM-DD" in problem for problem in problems)
    assert any(
        "line 5: SK_ID_CURR 100002 already has an outcome on line 2" in problem for problem in problems
    )
    assert moto.read("monitoring/performance/latest.json") == latest  # a rejected file changes nothing
    not_text = b"SK_ID_CURR,outcome,date\n100002,1,2027-03-14\n\xff\xfe\n"
    handle_s3_event(moto.upload("monitoring/outcomes/binary.csv", not_text), FakeContext(), bundle)
    assert json.loads(moto.read("monitoring/performance/binary.csv.json"))["problems"] == [
        "monitoring/outcomes/binary.csv: line 3: the file is not UTF-8 text"
    ]
