"""What the API answers when it cannot score: a bundle that cannot be served (503 with the reason on
every scoring route, /health saying why), a model that cannot score applications (409), and the
predecessor's imported model, whose own contract must still hold."""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from api_events import aimed, invoke, load_event, load_function
from bundle_factory import build_test_bundle

from credit_scoring.bundle.loader import load_bundle
from credit_scoring.bundle.manifest import FEATURES_FILE
from credit_scoring.cli import import_sklearn

SCORING_ROUTES = [
    ("GET", "/predict/100002"),
    ("GET", "/explain/100002"),
    ("GET", "/model"),
    ("POST", "/predict"),
    ("POST", "/predict/batch"),
]
VALID_BODIES = {"/predict": {"AMT_CREDIT": 250000.0}, "/predict/batch": {"items": [{"client_id": 100002}]}}


@pytest.fixture(scope="module")
def good_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_test_bundle(tmp_path_factory.mktemp("availability") / "bundle")


def variant(good_bundle: Path, tmp_path: Path, change: Callable[[Path], None]) -> Path:
    """A copy of the good bundle with one change applied."""
    copy = tmp_path / "bundle"
    shutil.copytree(good_bundle, copy)
    change(copy)
    return copy


def edit_manifest(edit: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    def change(bundle: Path) -> None:
        manifest = json.loads((bundle / "manifest.json").read_text())
        edit(manifest)
        (bundle / "manifest.json").write_text(json.dumps(manifest))

    return change


def handler_for(bundle: Path) -> Callable:
    return load_function(MODEL_DIR=str(bundle))["handler"]


def call(handler: Callable, method: str, path: str) -> tuple[int, dict[str, str], Any]:
    if method == "GET":
        return invoke(handler, aimed(load_event("http-v2-get-predict.json"), path))
    body = json.dumps(VALID_BODIES[path])
    return invoke(handler, aimed(load_event("http-v2-post-predict.json"), path, method, body))


def tamper(bundle: Path) -> None:
    """One byte more in the serving model: still valid JSON, no longer the file the manifest lists."""
    with (bundle / "serving" / "model.json").open("a") as stream:
        stream.write(" ")


def wrong_features_digest(manifest: dict[str, Any]) -> None:
    """The manifest's sha256 of the block-verified feature matrix, changed; the file and its block
    digests still agree with each other."""
    digest = manifest["files"][FEATURES_FILE]
    manifest["files"][FEATURES_FILE] = ("0" if digest[0] != "0" else "1") + digest[1:]


def empty_features_listed_so(bundle: Path) -> None:
    """An empty feature matrix whose manifest digest is the empty file's: only its reader refuses it."""
    (bundle / FEATURES_FILE).write_bytes(b"")
    edit_manifest(lambda manifest: manifest["files"].update({FEATURES_FILE: hashlib.sha256().hexdigest()}))(
        bundle
    )


def group_as_application(manifest: dict[str, Any]) -> None:
    history = next(f for f in manifest["features"] if f["group"] != "application")
    history["group"] = "application"


@pytest.mark.parametrize(
    ("change", "file", "reason"),
    [
        (lambda bundle: (bundle / "manifest.json").unlink(), "manifest.json", "is missing"),
        (tamper, "serving/model.json", "sha256 does not match"),
        (edit_manifest(wrong_features_digest), FEATURES_FILE, "sha256 does not match the manifest"),
        (
            edit_manifest(group_as_application),
            "manifest.json",
            "not computed by this code's feature definition",
        ),
        (empty_features_listed_so, FEATURES_FILE, "is not a readable .npy array"),
    ],
    ids=[
        "no-manifest",
        "tampered-model",
        "wrong-store-digest",
        "features-from-another-version",
        "empty-store-array",
    ],
)
def test_a_bundle_that_cannot_be_served_makes_every_scoring_route_a_503(
    good_bundle: Path, tmp_path: Path, change: Callable[[Path], None], file: str, reason: str
) -> None:
    bundle = variant(good_bundle, tmp_path, change)
    handler = handler_for(bundle)

    for method, path in SCORING_ROUTES:
        status, _, body = call(handler, method, path)
        assert status == 503, path
        assert body["detail"].startswith("model bundle unavailable: ")
        assert file in body["detail"]
        assert reason in body["detail"]

    status, _, health = call(handler, "GET", "/health")
    assert status == 503
    assert (health["status"], health["file"], health["source"]) == ("unavailable", file, str(bundle))
    assert reason in health["reason"]


def into_directory(name: str) -> Callable[[Path], None]:
    """Replace a bundle file by a directory of the same name: reading it is an OS error."""

    def change(bundle: Path) -> None:
        (bundle / name).unlink()
        (bundle / name).mkdir()

    return change


def unreadable(name: str) -> Callable[[Path], None]:
    def change(bundle: Path) -> None:
        (bundle / name).chmod(0)

    return change


UNREADABLE_AS_ROOT = pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads a file whatever its permissions"
)


@pytest.mark.parametrize(
    ("change", "file", "reason"),
    [
        (shutil.rmtree, "manifest.json", "is missing from the bundle directory"),
        (into_directory("manifest.json"), "manifest.json", "cannot be read: it is a directory, not a file"),
        (
            into_directory("serving/model.json"),
            "serving/model.json",
            "cannot be read: it is a directory, not a file",
        ),
        (
            lambda bundle: (bundle / "manifest.json").write_bytes(b"\xff\xfe{}"),
            "manifest.json",
            "is not UTF-8 text",
        ),
        pytest.param(
            unreadable(FEATURES_FILE),
            FEATURES_FILE,
            "cannot be read: permission denied",
            marks=UNREADABLE_AS_ROOT,
        ),
    ],
    ids=[
        "no-bundle-directory",
        "manifest-a-directory",
        "model-a-directory",
        "manifest-not-utf-8",
        "unreadable",
    ],
)
def test_a_bundle_file_the_os_cannot_read_is_named_relatively_the_path_logged_only(
    good_bundle: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    change: Callable[[Path], None],
    file: str,
    reason: str,
) -> None:
    bundle = variant(good_bundle, tmp_path, change)
    with caplog.at_level(logging.ERROR):
        handler = handler_for(bundle)
    answers = [call(handler, method, path)[2] for method, path in SCORING_ROUTES]
    status, _, health = call(handler, "GET", "/health")

    assert status == 503
    assert (health["file"], health["reason"]) == (file, f"{file}: {reason}")
    for answer in answers:
        assert answer["detail"] == f"model bundle unavailable: {file}: {reason}"
    shown = json.dumps([*answers, {"reason": health["reason"], "file": health["file"]}])
    for local in (str(tmp_path), "/tmp", "Errno", "codec", "Is a directory"):
        assert local not in shown
    logged = [
        record.getMessage() for record in caplog.records if record.name == "credit_scoring.bundle.loader"
    ]
    assert len(logged) == 1
    assert f"file={file}" in logged[0]
    assert str(bundle) in logged[0]  # the full detail stays in the server log


def flip_a_byte_of_row(bundle: Path, row: int) -> None:
    """Change one byte in the middle of a stored client's features, in place (the memory map the function
    already holds sees it), as a disk fault or an intruder would after start-up."""
    features = np.load(bundle / FEATURES_FILE, mmap_mode="r")
    position = features.offset + row * features.strides[0] + features.strides[0] // 2
    with (bundle / FEATURES_FILE).open("r+b") as stream:
        stream.seek(position)
        byte = stream.read(1)[0]
        stream.seek(position)
        stream.write(bytes([byte ^ 0xFF]))


@pytest.mark.parametrize(
    ("name", "route"),
    [("population.json", "/population"), ("feature_population.json", "/population/features/DAYS_BIRTH")],
)
def test_population_summaries_altered_after_start_up_withdraw_the_bundle(
    good_bundle: Path, tmp_path: Path, name: str, route: str
) -> None:
    bundle = variant(good_bundle, tmp_path, lambda _: None)
    client_id = load_bundle(bundle).manifest.example_client_ids[0]
    handler = handler_for(bundle)
    assert call(handler, "GET", f"/predict/{client_id}")[0] == 200  # served until the file is read
    population = bundle / name
    population.write_bytes(population.read_bytes().replace(b'"format"', b' "format"', 1))  # still valid JSON

    status, _, body = call(handler, "GET", route)

    assert status == 503, body
    assert body["detail"] == (
        f"model bundle unavailable: {name}: sha256 does not match the manifest "
        "(the file was changed or corrupted)"
    )
    status, _, health = call(handler, "GET", "/health")
    assert (status, health["file"]) == (503, name)
    assert call(handler, "GET", f"/predict/{client_id}")[0] == 503


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/predict/{id}"),
        ("GET", "/explain/{id}"),
        ("GET", "/clients/{id}"),
        ("POST", "/predict/batch"),
    ],
)
def test_a_store_block_altered_after_start_up_withdraws_the_bundle(
    good_bundle: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, method: str, path: str
) -> None:
    bundle = variant(good_bundle, tmp_path, lambda _: None)
    store = load_bundle(bundle).store
    first, last = int(store.ids[0]), int(store.ids[-1])
    block_size = json.loads((bundle / "manifest.json").read_text())["store"]["block_size"]
    features = np.load(bundle / FEATURES_FILE, mmap_mode="r")
    assert features.offset + (len(store) - 1) * features.strides[0] >= 2 * block_size  # not the first block
    handler = handler_for(bundle)
    assert call(handler, "GET", f"/predict/{first}")[0] == 200  # the first client's block is now verified
    assert call(handler, "GET", "/health")[0] == 200

    flip_a_byte_of_row(bundle, len(store) - 1)
    with caplog.at_level(logging.INFO):
        if method == "GET":
            status, _, body = call(handler, "GET", path.format(id=last))
        else:
            event = aimed(load_event("http-v2-post-predict.json"), path, "POST")
            event["body"] = json.dumps({"items": [{"client_id": first}, {"client_id": last}]})
            event["headers"]["content-length"] = str(len(event["body"]))
            status, _, body = invoke(handler, event)

    # Answered as a bundle refused at load is, naming the file: not a bare 500.
    assert status == 503, body
    assert body["detail"].startswith(f"model bundle unavailable: {FEATURES_FILE}: sha256 of bytes ")
    assert "does not match" in body["detail"]
    logged = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert [record.name for record in logged] == ["credit_scoring.api.app"]  # not the last-resort 500
    assert FEATURES_FILE in logged[0].getMessage()
    assert str(last) not in caplog.text
    assert str(first) not in caplog.text

    # From then on the bundle is unavailable: /health says why, and no client is served from it, not even
    # one whose block was verified before.
    status, _, health = call(handler, "GET", "/health")
    assert status == 503
    assert (health["status"], health["file"], health["source"]) == ("unavailable", FEATURES_FILE, str(bundle))
    assert body["detail"] == f"model bundle unavailable: {health['reason']}"
    for route_method, route in [*SCORING_ROUTES, ("GET", f"/predict/{first}"), ("GET", f"/clients/{first}")]:
        status, _, again = call(handler, route_method, route)
        assert (status, again["detail"]) == (503, body["detail"]), route


@pytest.fixture(scope="module")
def imported_like(good_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle declaring no application feature definition, as an imported model's does."""
    return variant(
        good_bundle,
        tmp_path_factory.mktemp("no-application-features"),
        edit_manifest(lambda manifest: manifest.update(application_features=None)),
    )


def test_a_model_without_application_features_refuses_applications_with_a_409(imported_like: Path) -> None:
    handler = handler_for(imported_like)
    client_id = json.loads((imported_like / "manifest.json").read_text())["example_client_ids"][0]

    status, _, body = call(handler, "POST", "/predict")
    assert status == 409
    assert "cannot score an application" in body["detail"]
    assert "GET /predict/{client_id}" in body["detail"]

    batch = {"items": [{"client_id": client_id}, {"application": {"AMT_CREDIT": 1000.0}}]}
    event = aimed(load_event("http-v2-post-predict.json"), "/predict/batch", "POST", json.dumps(batch))
    status, _, body = invoke(handler, event)
    assert status == 200
    assert [result["status"] for result in body["results"]] == [200, 409]
    error = body["results"][1]["error"]
    assert [(e["location"], e["field"]) for e in error["errors"]] == [("body", "items[1].application")]
    assert error["detail"].startswith("items[1].application: ")
    assert "cannot score an application" in error["detail"]

    assert call(handler, "GET", f"/predict/{client_id}")[0] == 200
    assert call(handler, "GET", "/model")[2]["accepts_applications"] is False


def test_a_metric_that_is_not_a_number_is_served_as_null(good_bundle: Path, tmp_path: Path) -> None:
    """A report may hold NaN (the AUC of a group with one class); the model card stays strict JSON."""

    def add_nan_metric(bundle: Path) -> None:
        manifest = json.loads((bundle / "manifest.json").read_text())
        manifest["fairness"] = {"by_group": {"age 70+": {"auc": float("nan")}}}
        (bundle / "manifest.json").write_text(json.dumps(manifest))  # writes the NaN token

    response = handler_for(variant(good_bundle, tmp_path, add_nan_metric))(
        aimed(load_event("http-v2-get-predict.json"), "/model"), None
    )
    assert response["statusCode"] == 200
    assert json.loads(response["body"])["fairness"] == {"by_group": {"age 70+": {"auc": None}}}


PREDECESSOR_THRESHOLD = 0.5050505050505051


@pytest.fixture(scope="module")
def predecessor_bundle(seed_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The predecessor's pickles imported as its README says, through the import-sklearn command."""
    out = tmp_path_factory.mktemp("predecessor") / "bundle"
    parser = argparse.ArgumentParser(prog="credit-scoring")
    import_sklearn.register(parser.add_subparsers())
    args = parser.parse_args(
        [
            "import-sklearn",
            "--model", str(seed_model_dir / "modele_retenu.pkl"),
            "--scaler", str(seed_model_dir / "scaler.pkl"),
            "--features", str(seed_model_dir / "df_sample.csv"),
            "--threshold", repr(PREDECESSOR_THRESHOLD),
            "--out", str(out),
        ]
    )  # fmt: skip
    assert args.run(args) == 0
    return out


@pytest.mark.real_data
@pytest.mark.parametrize("event", ["rest-v1-get-predict.json", "http-v2-get-predict.json"])
def test_the_predecessors_contract_holds_through_the_handler(predecessor_bundle: Path, event: str) -> None:
    handler = handler_for(predecessor_bundle)

    status, _, body = invoke(handler, aimed(load_event(event), "/predict/127494"))
    assert status == 200
    assert body["client_id"] == 127494
    assert body["prediction"] == 0
    assert round(body["probability"], 8) == round(0.08933094542391484, 8)
    assert body["threshold"] == PREDECESSOR_THRESHOLD

    status, _, body = invoke(handler, aimed(load_event(event), "/predict/326316"))
    assert status == 404
    assert "326316" in body["detail"]


@pytest.mark.real_data
def test_the_predecessors_model_cannot_score_applications(predecessor_bundle: Path) -> None:
    status, _, body = call(handler_for(predecessor_bundle), "POST", "/predict")
    assert status == 409
    assert "cannot score an application" in body["detail"]
