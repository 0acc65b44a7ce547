"""The bundle: written atomically, verified before use, served from a memory-mapped store, from a
directory or S3; and the serving side stays free of the training stack."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest
from bundle_factory import PROTECTED, build_test_bundle, random_applications

from credit_scoring import schema
from credit_scoring.bundle.blocks import block_digests
from credit_scoring.bundle.errors import BundleError
from credit_scoring.bundle.integrity import sha256_file, verify_files
from credit_scoring.bundle.loader import (
    BundleUnavailable,
    LoadedBundle,
    load_bundle,
    load_bundle_from_s3,
    load_from_environment,
)
from credit_scoring.bundle.manifest import (
    FORMAT_VERSION,
    MANIFEST_FILE,
    Manifest,
    parse_manifest,
    read_manifest,
)
from credit_scoring.decisions.service import DecisionService, StoredClient
from credit_scoring.reasons.grounds import DecisionGrounds
from credit_scoring.reasons.wording import ReasonWording
from credit_scoring.scoring.scorer import MAX_REASONS
from credit_scoring.training.bundle_writer import check_stored, write_bundle

TOLERANCE = 1e-9
REPO_ROOT = Path(__file__).resolve().parent.parent
SERVING_FORBIDDEN = ("pandas", "sklearn", "scipy", "joblib", "lightgbm", "imblearn", "boto3", "mlflow")
TRAINING_SIDE = (
    "credit_scoring.training",
    "credit_scoring.synth",
    "credit_scoring.data",
    "credit_scoring.training.bundle_writer",
)


@pytest.fixture(scope="module", params=["linear", "lightgbm"])
def bundle_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_test_bundle(tmp_path_factory.mktemp(request.param) / "bundle", kind=request.param)


@pytest.fixture
def bundle_copy(bundle_dir: Path, tmp_path: Path) -> Path:
    """A private copy of a bundle, for tests that damage it."""
    return Path(shutil.copytree(bundle_dir, tmp_path / "copy"))


def _rewrite_manifest(bundle: Path, change) -> None:
    data = json.loads((bundle / MANIFEST_FILE).read_text())
    change(data)
    (bundle / MANIFEST_FILE).write_text(json.dumps(data))


# The served bundle reproduces the fitted pipeline --------------------------------------------------


def test_served_probabilities_equal_the_pipeline_on_every_stored_client(bundle_dir: Path) -> None:
    bundle = load_bundle(bundle_dir)
    pipeline = joblib.load(bundle_dir / "model.joblib")
    store = bundle.store
    expected = pipeline.predict_proba(np.asarray(store.features))[:, 1]
    contributions = None if not store.has_contributions else np.asarray(store._contributions)
    decided = np.array([d.probability for d in bundle.scorer.decide(store.features, contributions)])
    np.testing.assert_allclose(decided, expected, rtol=0, atol=TOLERANCE)
    uncalibrated = pipeline.uncalibrated_proba(np.asarray(store.features))
    np.testing.assert_allclose(
        bundle.model.predict_proba(store.features), uncalibrated, rtol=0, atol=TOLERANCE
    )
    check = bundle.manifest.model.export_check
    assert check.clients == len(store)
    assert check.max_abs_diff <= check.tolerance == TOLERANCE


def test_stored_contributions_equal_the_serving_models(bundle_dir: Path) -> None:
    bundle = load_bundle(bundle_dir)
    assert bundle.store.has_contributions == (bundle.manifest.model.kind == "lightgbm")
    if bundle.store.has_contributions:
        rows = np.arange(0, len(bundle.store), 37)
        computed = bundle.model.contributions(bundle.store.features[rows])
        stored = np.stack([bundle.store.contributions(int(r)) for r in rows])
        np.testing.assert_allclose(stored, computed, rtol=0, atol=TOLERANCE)


def test_stored_grounds_are_what_an_application_with_the_same_features_gets(bundle_dir: Path) -> None:
    # The stored grounds are read on GET /predict; POST /predict computes them: both must agree.
    bundle = load_bundle(bundle_dir)
    service, store = DecisionService(bundle), bundle.store
    wording = ReasonWording(bundle.manifest.feature_names)
    grounds = DecisionGrounds.of_model(wording, MAX_REASONS, from_applications=True)
    contributions = store.all_contributions
    if contributions is None:  # a linear model's are a product, computed rather than stored
        contributions = bundle.scorer.model.contributions(store.features)
    table = grounds.table(store.features, contributions)
    computed = [grounds.from_record(record.item()) for record in table]
    assert {len(g.reasons) for g in computed} >= {MAX_REASONS}  # every reason slot is exercised
    assert len({g.coverage.given for g in computed if g.coverage is not None}) > 1
    families = np.array(wording.families)
    for row, live in enumerate(computed):
        served = service.decide_stored_client(StoredClient(int(store.ids[row]), row))
        assert served.grounds == live
        assert [r["feature"] for r in service.principal_reasons(served, "en")] == [
            bundle.manifest.feature_names[r.feature] for r in live.reasons
        ]
        # Each reason says what its record holds, and its family's part is the sum of the family's
        # contributions, its share that part over the parts of every family raising the risk.
        record, n = table[row], len(live.reasons)
        assert [r.feature for r in live.reasons] == record["feature"][:n].tolist()
        assert [r.contribution for r in live.reasons] == record["contribution"][:n].tolist()
        assert live.coverage is not None
        assert live.coverage.given == record["fields_given"]
        parts = {key: contributions[row, :-1][families == key].sum() for key in set(wording.families)}
        raising = sum(part for part in parts.values() if part > 0)
        for reason in live.reasons:
            assert contributions[row, reason.feature] == reason.contribution
            assert reason.family_contribution == pytest.approx(parts[reason.family], abs=1e-12)
            assert reason.share == pytest.approx(parts[reason.family] / raising, rel=1e-9)


def test_stored_scores_are_the_serving_scorers_own_for_every_client(bundle_dir: Path) -> None:
    bundle = load_bundle(bundle_dir)
    store, scorer = bundle.store, bundle.scorer
    computed = scorer.decide(store.features, store.all_contributions)
    for row, live in enumerate(computed):
        stored = scorer.decision(store.probability(row))
        assert stored == live  # bit for bit: probability and decision (the reasons: the arrays below)
    arrays = scorer.decisions_from_scores(store.scores(np.arange(len(store))))
    live_arrays = scorer.decide_arrays(store.features, store.all_contributions)
    np.testing.assert_array_equal(arrays.probability, live_arrays.probability)
    np.testing.assert_array_equal(arrays.prediction, live_arrays.prediction)
    np.testing.assert_array_equal(arrays.reason_index, live_arrays.reason_index)
    assert {d.decision for d in computed} == {"accepted", "refused"}  # both outcomes are exercised


def test_a_store_whose_scores_disagree_with_its_scorer_is_never_published(bundle_copy: Path) -> None:
    scores_path = bundle_copy / "store" / "scores.npy"
    scores = np.load(scores_path)
    scores["probability"][0] = np.nextafter(scores["probability"][0], 1.0)  # one ulp, re-hashed below
    np.save(scores_path, scores)
    (bundle_copy / "store" / "scores.npy.blocks").write_bytes(block_digests(scores_path))

    def rehash(data: dict) -> None:
        for name in ("store/scores.npy", "store/scores.npy.blocks"):
            data["files"][name] = sha256_file(bundle_copy / name)

    _rewrite_manifest(bundle_copy, rehash)
    bundle = load_bundle(bundle_copy)
    grounds = DecisionGrounds.of_model(ReasonWording(bundle.manifest.feature_names), MAX_REASONS, True)
    with pytest.raises(ValueError, match="stored scores: probability differs from the serving scorer's"):
        check_stored(bundle, grounds)


def test_global_importance_is_the_mean_absolute_contribution(bundle_dir: Path) -> None:
    bundle = load_bundle(bundle_dir)
    means = np.abs(bundle.model.contributions(bundle.store.features)[:, :-1]).mean(axis=0)
    importance = bundle.manifest.global_importance
    assert [item.feature for item in importance][:5] == [
        bundle.manifest.feature_names[j] for j in np.argsort(-means)[:5]
    ]
    assert importance[0].importance == pytest.approx(means.max(), abs=1e-12)
    assert len(importance) == len(bundle.manifest.features)


def test_global_importance_says_which_way_each_feature_moves_the_risk(bundle_dir: Path) -> None:
    bundle = load_bundle(bundle_dir)
    X = bundle.store.features
    C = bundle.model.contributions(X)[:, :-1]
    direction = {item.feature: item.direction for item in bundle.manifest.global_importance}
    checked = set()
    for j, name in enumerate(bundle.manifest.feature_names):
        known = ~np.isnan(X[:, j])
        values, parts = X[known, j], C[known, j]
        if len(values) == 0 or np.ptp(values) == 0:
            assert direction[name] == 0  # a constant feature has no direction
        elif np.ptp(parts) > 1e-9:
            correlation = np.corrcoef(values, parts)[0, 1]
            if abs(correlation) > 0.05:
                assert direction[name] == np.sign(correlation), name
                checked.add(int(np.sign(correlation)))
    assert checked == {-1, 1}  # features raising and lowering the risk are both exercised


# Store -------------------------------------------------------------------------------------------------


def test_store_finds_every_client_and_only_them(bundle_dir: Path) -> None:
    bundle = load_bundle(bundle_dir)
    store, manifest = bundle.store, bundle.manifest
    ids = random_applications(300)[schema.CLIENT_ID].to_numpy()
    assert len(store) == manifest.store.clients == len(ids)
    for client_id in ids[:50]:
        row = store.row_index(int(client_id))
        assert store.ids[row] == client_id
        np.testing.assert_array_equal(store.lookup(int(client_id)), store.features[row])
    for unknown in (int(ids.min()) - 1, int(ids.max()) + 1, 0, -5, 2**70):
        assert unknown not in set(ids)
        assert store.row_index(unknown) is None
        assert store.lookup(unknown) is None
        assert store.application(unknown) is None
    assert set(manifest.example_client_ids) <= set(ids.tolist())


def test_application_records_are_the_raw_fields_without_protected_columns(bundle_dir: Path) -> None:
    store = load_bundle(bundle_dir).store
    frame = random_applications(300).set_index(schema.CLIENT_ID)
    for client_id in frame.index[:20]:
        record = store.application(int(client_id))
        assert set(PROTECTED).isdisjoint(record)
        for column, value in record.items():
            raw = frame.at[client_id, column]
            if value is None:
                assert raw is None or raw != raw  # missing in the data
            else:
                assert value == (raw if isinstance(value, str) else float(raw))


def test_store_arrays_are_memory_mapped_not_read(bundle_dir: Path) -> None:
    store = load_bundle(bundle_dir).store
    for array in (store.ids, store.features):
        assert isinstance(array.base, np.memmap) or isinstance(array, np.memmap)
        assert not array.flags.writeable


# Manifest and integrity -----------------------------------------------------------------------------


def test_manifest_round_trips(bundle_dir: Path) -> None:
    manifest = read_manifest(bundle_dir)
    assert Manifest.from_json(json.loads(json.dumps(manifest.to_json()))) == manifest
    assert manifest.format_version == FORMAT_VERSION
    assert manifest.protected == PROTECTED
    assert set(manifest.files) == {
        path.relative_to(bundle_dir).as_posix() for path in bundle_dir.rglob("*") if path.is_file()
    } - {MANIFEST_FILE}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m.update(format_version=1), "format_version 1 is not supported"),  # no stored scores
        (lambda m: m.update(format_version=FORMAT_VERSION + 1), f"format_version {FORMAT_VERSION + 1} is"),
        (lambda m: m.pop("threshold"), "manifest.threshold is missing"),
        (lambda m: m.update(threshold=1.5), "manifest.threshold must be between 0 and 1"),
        (lambda m: m["store"].update(clients="300"), "manifest.store.clients must be of JSON type integer"),
        (lambda m: m["model"].update(kind="xgboost"), "model.kind 'xgboost'"),
        (
            lambda m: m["files"].update({"../etc/passwd": "0" * 64}),
            "must be a relative path inside the bundle",
        ),
        (lambda m: m["files"].update({"store/ids.npy": "not-a-digest"}), "lowercase sha256"),
        (lambda m: m["features"].append(dict(m["features"][0])), "a feature name appears twice"),
    ],
    ids=[
        "older-version",
        "newer-version",
        *("missing", "range", "type", "kind", "traversal", "digest", "duplicate-feature"),
    ],
)
def test_a_bad_manifest_is_refused_naming_the_field(bundle_dir: Path, change, message: str) -> None:
    data = json.loads((bundle_dir / MANIFEST_FILE).read_text())
    change(data)
    with pytest.raises(BundleError, match=message) as caught:
        parse_manifest(json.dumps(data))
    assert caught.value.file == MANIFEST_FILE


def _flip_byte(path: Path, position: int) -> None:
    data = bytearray(path.read_bytes())
    data[position] ^= 1
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "name", ["manifest-model-file", "store/ids.npy", "store/features.npy.blocks", "population.json"]
)
def test_a_changed_file_is_refused_at_load(bundle_copy: Path, name: str) -> None:
    name = read_manifest(bundle_copy).model.file if name == "manifest-model-file" else name
    _flip_byte(bundle_copy / name, -1)
    with pytest.raises(BundleError, match="sha256 does not match") as caught:
        load_bundle(bundle_copy)
    assert caught.value.file == name


def test_a_changed_store_row_is_refused_when_read_and_only_then(bundle_copy: Path) -> None:
    bundle = load_bundle(bundle_copy)  # every file hashed in full at load; then changed in place
    _flip_byte(bundle_copy / "store" / "features.npy", -1)  # the last client's last feature
    store = bundle.store
    first, last = int(store.ids[0]), int(store.ids[-1])
    assert store.lookup(first) is not None
    with pytest.raises(BundleError, match=r"sha256 of bytes .* does not match") as caught:
        store.lookup(last)
    assert caught.value.file == "store/features.npy"
    with pytest.raises(BundleError, match="does not match"):
        store.features  # noqa: B018 (the whole matrix is verified before it is handed out)
    with pytest.raises(BundleError, match="sha256 does not match"):
        verify_files(bundle_copy, read_manifest(bundle_copy))  # the offline check reads everything


def test_a_changed_stored_score_is_refused_when_read(bundle_copy: Path) -> None:
    bundle = load_bundle(bundle_copy)
    _flip_byte(bundle_copy / "store" / "scores.npy", -1)  # the last client's last reason contribution
    store = bundle.store
    recomputed = bundle.scorer.scores(store.row(0), store.contributions(0))["probability"][0]
    assert store.probability(0) == recomputed
    with pytest.raises(BundleError, match=r"sha256 of bytes .* does not match") as caught:
        bundle.store.probability(len(bundle.store) - 1)
    assert caught.value.file == "store/scores.npy"


def test_a_changed_npy_header_is_refused_at_load(bundle_copy: Path) -> None:
    _flip_byte(bundle_copy / "store" / "features.npy", 20)
    with pytest.raises(BundleError) as caught:
        load_bundle(bundle_copy)
    assert caught.value.file == "store/features.npy"


@pytest.mark.parametrize(
    "name", ["manifest-model-file", "store/ids.npy", "store/features.npy", "population.json"]
)
def test_a_truncated_file_is_refused_at_load_naming_it(bundle_copy: Path, name: str) -> None:
    name = read_manifest(bundle_copy).model.file if name == "manifest-model-file" else name
    path = bundle_copy / name
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(BundleError) as caught:
        load_bundle(bundle_copy)
    assert caught.value.file == name


def test_a_missing_file_is_refused(bundle_copy: Path) -> None:
    (bundle_copy / "store" / "ids.npy").unlink()
    with pytest.raises(BundleError, match="listed in the manifest but missing") as caught:
        verify_files(bundle_copy, read_manifest(bundle_copy))
    assert caught.value.file == "store/ids.npy"


def test_a_needed_file_that_is_not_listed_is_refused(bundle_copy: Path) -> None:
    _rewrite_manifest(bundle_copy, lambda m: m["files"].pop("store/features.npy"))
    with pytest.raises(BundleError, match="not listed in the manifest") as caught:
        load_bundle(bundle_copy)
    assert caught.value.file == "store/features.npy"


def test_a_store_whose_shape_disagrees_with_the_manifest_is_refused(bundle_copy: Path) -> None:
    _rewrite_manifest(bundle_copy, lambda m: m["store"].update(clients=299))
    with pytest.raises(BundleError, match=r"must be int64 of shape \(299,\)") as caught:
        load_bundle(bundle_copy)
    assert caught.value.file == "store/ids.npy"


def test_a_serving_model_for_other_features_is_refused(bundle_copy: Path) -> None:
    def rename_first_feature(data: dict) -> None:
        data["features"][0]["name"] = "SOMETHING_ELSE"

    _rewrite_manifest(bundle_copy, rename_first_feature)
    with pytest.raises(BundleError, match="features differ from the manifest"):
        load_bundle(bundle_copy)


# Writer ----------------------------------------------------------------------------------------------


def _write_small(out_dir: Path, bundle_dir: Path, **changes) -> Manifest:
    """Rewrite a bundle from its own pipeline and store (a quick, real write)."""
    bundle = load_bundle(bundle_dir)
    arguments = {
        "pipeline": joblib.load(bundle_dir / "model.joblib"),
        "features": bundle.manifest.feature_names,
        "groups": [feature.group for feature in bundle.manifest.features],
        "ids": np.asarray(bundle.store.ids)[::-1],  # any order: the writer sorts
        "X": np.asarray(bundle.store.features)[::-1],
        "threshold": 0.4,
        "cost": {"fn": 10, "fp": 1},
        "data_fingerprint": "f" * 64,
        "protected": PROTECTED,
        **changes,
    }
    return write_bundle(out_dir, **arguments)


def test_writer_refuses_an_existing_directory_and_replaces_it_only_when_asked(
    bundle_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first = _write_small(out, bundle_dir)
    with pytest.raises(FileExistsError, match="already exists"):
        _write_small(out, bundle_dir)
    second = _write_small(out, bundle_dir, threshold=0.6, overwrite=True)
    assert read_manifest(out) == second != first
    assert load_bundle(out).scorer.threshold == 0.6
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_model_version_is_a_utc_timestamp_and_a_content_hash(bundle_dir: Path) -> None:
    manifest = read_manifest(bundle_dir)
    stamp, digest = manifest.model_version.split("-")
    assert (
        manifest.created_at
        == f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[9:11]}:{stamp[11:13]}:{stamp[13:15]}Z"
    )
    assert len(digest) == 8
    assert int(digest, 16) >= 0


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"ids": np.zeros(300, dtype=np.int64)}, ValueError, "appears more than once"),
        ({"groups": ["application"]}, ValueError, "one group per feature"),
        ({"X": np.zeros((300, 3))}, ValueError, r"X must have shape \(300, "),
        ({"applications": "bad-category"}, ValueError, "NAME_CONTRACT_TYPE has 'Payday loan'"),
    ],
    ids=["duplicate-ids", "groups", "shape", "category"],
)
def test_writer_leaves_nothing_behind_on_bad_input(
    bundle_dir: Path, tmp_path: Path, changes: dict, error: type, message: str
) -> None:
    if changes.get("applications") == "bad-category":
        frame = random_applications(300)
        frame.loc[frame.index[7], "NAME_CONTRACT_TYPE"] = "Payday loan"
        changes = {"applications": frame}
    with pytest.raises(error, match=message):
        _write_small(tmp_path / "out", bundle_dir, **changes)
    assert list(tmp_path.iterdir()) == []


# Loading from S3 (moto) and from the environment ---------------------------------------------------


@pytest.fixture
def s3_bucket(mocked_aws: None):
    import boto3

    client = boto3.client("s3")
    client.create_bucket(Bucket="models", CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
    return client


def _upload(client, bundle: Path, prefix: str) -> None:
    for path in bundle.rglob("*"):
        if path.is_file():
            client.upload_file(str(path), "models", prefix + path.relative_to(bundle).as_posix())


def test_s3_bundle_is_downloaded_verified_and_served(s3_bucket, bundle_dir: Path, tmp_path: Path) -> None:
    _upload(s3_bucket, bundle_dir, "credit/v1/")
    bundle = load_bundle_from_s3("s3://models/credit/v1", tmp_path)
    local = load_bundle(bundle_dir)
    assert bundle.source == "s3://models/credit/v1/"
    assert bundle.path.parent == tmp_path
    assert bundle.manifest == local.manifest
    client_id = local.manifest.example_client_ids[0]
    row = local.store.row_index(client_id)
    assert bundle.scorer.decide(
        bundle.store.lookup(client_id), bundle.store.contributions(row)
    ) == local.scorer.decide(local.store.lookup(client_id), local.store.contributions(row))


def test_s3_bundle_with_a_missing_object_is_refused_and_cleaned_up(
    s3_bucket, bundle_dir: Path, tmp_path: Path
) -> None:
    _upload(s3_bucket, bundle_dir, "v1/")
    s3_bucket.delete_object(Bucket="models", Key="v1/store/features.npy")
    with pytest.raises(BundleError, match=r"not found at s3://models/v1/store/features\.npy") as caught:
        load_bundle_from_s3("s3://models/v1/", tmp_path)
    assert caught.value.file == "store/features.npy"
    assert list(tmp_path.iterdir()) == []


def test_s3_bundle_with_a_tampered_object_is_refused(s3_bucket, bundle_dir: Path, tmp_path: Path) -> None:
    _upload(s3_bucket, bundle_dir, "v1/")
    model_file = read_manifest(bundle_dir).model.file
    s3_bucket.put_object(Bucket="models", Key=f"v1/{model_file}", Body=b"tampered")
    with pytest.raises(BundleError, match="sha256 does not match") as caught:
        load_bundle_from_s3("s3://models/v1/", tmp_path)
    assert caught.value.file == model_file
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def s3_failing_for() -> Iterator[dict[str, Exception]]:
    """GetObject of the keys given (key suffix: the error it raises), failed in botocore's events, below
    the loader: as S3 unreachable, or as a read that timed out."""
    import boto3

    failing: dict[str, Exception] = {}

    def refuse(params: dict[str, Any], **_: Any) -> None:
        for suffix, error in failing.items():
            if params["url_path"].endswith(suffix):
                raise error

    if boto3.DEFAULT_SESSION is None:
        boto3.setup_default_session()
    events = boto3.DEFAULT_SESSION.events
    for call in ("GetObject", "HeadObject"):
        events.register(f"before-call.s3.{call}", refuse, unique_id=f"bundle-test-{call}")
    yield failing
    for call in ("GetObject", "HeadObject"):
        events.unregister(f"before-call.s3.{call}", unique_id=f"bundle-test-{call}")


def _only_the_manifest(client, bundle: Path) -> None:
    client.upload_file(str(bundle / MANIFEST_FILE), "models", f"v1/{MANIFEST_FILE}")


def _whole(client, bundle: Path) -> None:
    _upload(client, bundle, "v1/")


def _nothing(client, bundle: Path) -> None:
    """An empty prefix: the bundle was never uploaded, or was deleted."""


@pytest.mark.parametrize(
    ("upload", "fault", "file", "reason"),
    [
        (_nothing, None, MANIFEST_FILE, "not found at s3://models/v1/manifest.json"),
        (_only_the_manifest, None, "first listed", "not found"),
        (
            _whole,
            "manifest.json",
            MANIFEST_FILE,
            "EndpointConnectionError",
        ),
        (_whole, "store/features.npy", "store/features.npy", "ReadTimeoutError"),
    ],
    ids=["empty-prefix", "partial-upload", "s3-unreachable", "s3-too-slow"],
)
def test_an_s3_bundle_that_cannot_be_fetched_is_refused_naming_the_file_and_cleaned_up(
    s3_bucket, s3_failing_for, bundle_dir: Path, tmp_path: Path, upload, fault, file: str, reason: str
) -> None:
    from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

    upload(s3_bucket, bundle_dir)
    if fault == "manifest.json":
        s3_failing_for[fault] = EndpointConnectionError(endpoint_url="https://s3.eu-west-3.amazonaws.com")
    elif fault is not None:
        s3_failing_for[fault] = ReadTimeoutError(endpoint_url="https://s3.eu-west-3.amazonaws.com")
    with pytest.raises(BundleError) as caught:
        load_bundle_from_s3("s3://models/v1/", tmp_path)
    if file == "first listed":
        file = next(iter(read_manifest(bundle_dir).files))
    assert caught.value.file == file
    assert reason in str(caught.value) or reason in caught.value.logged_reason
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "uri", ["models/v1/", "s3://", "s3:/models/v1/", "s3://UPPER/v1/", "https://models/v1/"]
)
def test_malformed_s3_uri_is_refused(uri: str, tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="is not of the form s3://bucket/prefix/") as caught:
        load_bundle_from_s3(uri, tmp_path)
    assert caught.value.file == "MODEL_S3_URI"


def test_environment_prefers_s3_and_never_raises(
    s3_bucket,
    bundle_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    _upload(s3_bucket, bundle_dir, "v1/")
    loaded = load_from_environment({"MODEL_S3_URI": "s3://models/v1/", "MODEL_DIR": "/nonexistent"})
    assert isinstance(loaded, LoadedBundle)
    assert loaded.source == "s3://models/v1/"

    with caplog.at_level(logging.ERROR):
        missing = load_from_environment({"MODEL_S3_URI": "s3://models/v2/"})
    assert isinstance(missing, BundleUnavailable)
    assert (missing.file, missing.source) == (MANIFEST_FILE, "s3://models/v2/")
    assert "not found at s3://models/v2/manifest.json" in missing.reason
    assert "file=manifest.json" in caplog.text


def test_environment_reads_model_dir_and_reports_an_unusable_one(bundle_dir: Path, tmp_path: Path) -> None:
    loaded = load_from_environment({"MODEL_DIR": str(bundle_dir)})
    assert isinstance(loaded, LoadedBundle)
    assert loaded.source == str(bundle_dir)
    unavailable = load_from_environment({"MODEL_DIR": str(tmp_path)})
    assert unavailable == BundleUnavailable(
        reason="manifest.json: is missing from the bundle directory", file=MANIFEST_FILE, source=str(tmp_path)
    )
    assert load_from_environment({}).source == "/opt/model"


# Serving stays lean ---------------------------------------------------------------------------------


def test_loading_and_scoring_imports_no_training_library(bundle_dir: Path) -> None:
    script = f"""
import sys
import numpy as np
from credit_scoring.bundle.loader import load_bundle
bundle = load_bundle({str(bundle_dir)!r})
store = bundle.store
client_id = bundle.manifest.example_client_ids[0]
row = store.row_index(client_id)
bundle.scorer.decide(store.row(row), store.contributions(row))
new = np.array(store.row(row))
new[::3] = np.nan
bundle.scorer.decide(new)
bundle.scorer.explain(new)
store.application(client_id)
print(" ".join(sorted(sys.modules)))
"""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    loaded = set(result.stdout.split())
    top_level = {name.split(".")[0] for name in loaded}
    assert "numpy" in top_level
    assert top_level.isdisjoint(SERVING_FORBIDDEN), top_level & set(SERVING_FORBIDDEN)
    training_side = {name for name in loaded if name.startswith(TRAINING_SIDE)}
    assert not training_side


def test_digests_are_sha256_of_the_bytes(bundle_dir: Path) -> None:
    import hashlib

    manifest = read_manifest(bundle_dir)
    for name, digest in manifest.files.items():
        assert (
            digest
            == hashlib.sha256((bundle_dir / name).read_bytes()).hexdigest()
            == sha256_file(bundle_dir / name)
        )
