"""Reasons in words: the catalogue covers every feature, the API states principal reasons (one per family,
by share of the risk) in the language asked for, one-hot features on the client's own value, missing
values as not provided, and says how much of the application it had to go on."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from bundle_factory import build_test_bundle
from fastapi.testclient import TestClient

from credit_scoring.api.app import create_app
from credit_scoring.bundle.loader import LoadedBundle, load_bundle
from credit_scoring.features.application import ApplicationFeatures
from credit_scoring.features.coverage import LITTLE_INFORMATION_SHARE
from credit_scoring.reasons import catalogue, values
from credit_scoring.reasons.families import FAMILIES, LANGUAGES
from credit_scoring.reasons.principal import PrincipalReason
from credit_scoring.reasons.wording import ReasonWording
from credit_scoring.training.bundle_writer import write_bundle
from credit_scoring.training.history_features import HISTORY_FEATURE_NAMES

DEFAULT_BUNDLE = Path(__file__).resolve().parents[1] / "model_artifacts" / "default"
EVERY_FEATURE = (*ApplicationFeatures(protected=()).names, *HISTORY_FEATURE_NAMES)


@pytest.fixture(scope="module", params=["linear", "lightgbm"])
def bundle(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> LoadedBundle:
    return load_bundle(build_test_bundle(tmp_path_factory.mktemp(request.param) / "b", kind=request.param))


@pytest.fixture(scope="module")
def client(bundle: LoadedBundle) -> TestClient:
    return TestClient(create_app(bundle))


def test_every_feature_the_definition_can_produce_has_words_in_both_languages() -> None:
    for name in EVERY_FEATURE:
        found = catalogue.entry(name)
        assert found is not None, name
        assert found.unit in catalogue.UNITS, name
        assert found.family is FAMILIES[found.family.key], name
        for language in LANGUAGES:
            assert found.text(language).strip(), (name, language)
            assert found.text(language) != name, name  # never the raw model code
            raises, lowers = found.statement(True, language), found.statement(False, language)
            assert raises.strip(), (name, language)
            assert lowers.strip(), (name, language)
            assert raises != lowers, (name, language)


@pytest.mark.parametrize("kind", ["linear", "lightgbm"])
def test_every_feature_of_every_bundle_kind_is_in_the_catalogue(kind: str, tmp_path: Path) -> None:
    manifest = load_bundle(build_test_bundle(tmp_path / kind, kind=kind, n_clients=120)).manifest
    catalogue.require(manifest.feature_names)
    if DEFAULT_BUNDLE.exists():
        catalogue.require(load_bundle(DEFAULT_BUNDLE).manifest.feature_names)


def test_writing_a_bundle_with_a_feature_outside_the_catalogue_fails_naming_it(tmp_path: Path) -> None:
    with pytest.raises(catalogue.MissingFromCatalogueError, match="BUREAU_SOMETHING_NEW"):
        write_bundle(
            tmp_path / "b",
            pipeline=None,
            features=("AMT_CREDIT", "BUREAU_SOMETHING_NEW"),
            groups=("application", "bureau"),
            ids=np.array([100001, 100002]),
            X=np.zeros((2, 2)),
            threshold=0.5,
            cost={"fn": 10.0, "fp": 1.0},
            data_fingerprint="-",
            protected=("CODE_GENDER",),
        )
    assert not (tmp_path / "b").exists()


def test_values_are_stated_in_their_unit() -> None:
    assert values.state(-12000.0, "age_days", "en") == "32.9 years"
    assert values.state(-12000.0, "age_days", "fr") == "32,9 ans"
    assert values.state(-200.0, "elapsed_days", "en") == "7 months"
    assert values.state(-800.0, "relative_days", "en") == "2.2 years ago"
    assert values.state(0.153, "share", "fr") == "15,3\u00a0%"
    assert values.state(450000.0, "currency", "fr") == "450\u202f000\u00a0€"
    assert values.state(None, "currency", "en") == "not provided"


def _families(bundle: LoadedBundle) -> list[str]:
    return [catalogue.require([name])[0].family.key for name in bundle.manifest.feature_names]


def _family_parts(bundle: LoadedBundle, contributions: list[dict[str, Any]]) -> dict[str, float]:
    family_of = dict(zip(bundle.manifest.feature_names, _families(bundle), strict=True))
    parts: dict[str, float] = defaultdict(float)
    for c in contributions:
        parts[family_of[c["feature"]]] += c["contribution"]
    return parts


def test_principal_reasons_are_one_per_family_by_share_of_the_risk(
    bundle: LoadedBundle, client: TestClient
) -> None:
    for client_id in bundle.manifest.example_client_ids:
        decision = client.get(f"/predict/{client_id}").json()
        explanation = client.get(f"/explain/{client_id}").json()
        parts = _family_parts(bundle, explanation["contributions"])
        raising = sorted((p for p in parts.values() if p > 0), reverse=True)
        reasons = decision["reasons"]
        assert [r["family_contribution"] for r in reasons] == pytest.approx(raising[:4], abs=1e-9)
        assert len({r["family"] for r in reasons}) == len(reasons)
        for reason in reasons:
            assert reason["share"] == pytest.approx(parts[reason["family"]] / sum(raising), abs=1e-9)
            assert catalogue.entry(reason["feature"]).family.key == reason["family"]


def test_the_language_is_lang_then_accept_language_then_french(
    bundle: LoadedBundle, client: TestClient
) -> None:
    client_id = bundle.manifest.example_client_ids[0]
    english = client.get(f"/predict/{client_id}", headers={"Accept-Language": "de, en-GB;q=0.8, fr;q=0.5"})
    french = client.get(f"/predict/{client_id}?lang=fr", headers={"Accept-Language": "en"})
    plain = client.get(f"/predict/{client_id}")
    assert (english.json()["language"], french.json()["language"], plain.json()["language"]) == (
        "en",
        "fr",
        "fr",
    )
    assert english.headers["content-language"] == "en"
    for body, language in ((english.json(), "en"), (french.json(), "fr")):
        for reason in body["reasons"]:
            found = catalogue.entry(reason["feature"])
            assert reason["label"] == found.text(language)
            if reason["provided"]:
                assert reason["statement"] == found.statement(True, language)
    assert client.get(f"/predict/{client_id}?lang=de").status_code == 422


def test_a_one_hot_reason_is_stated_on_the_clients_own_value(
    bundle: LoadedBundle, client: TestClient
) -> None:
    for client_id in bundle.store.ids[:150].tolist():
        record = bundle.store.application(client_id)
        for reason in client.get(f"/predict/{client_id}?lang=en").json()["reasons"]:
            found = catalogue.entry(reason["feature"])
            assert reason["value_text"] not in ("no", "yes") or found.unit == "flag"
            if found.column is None:
                continue
            actual = record[found.column]
            expected = (
                "not provided" if actual is None else catalogue.category_label(found.column, actual, "en")
            )
            assert reason["value_text"] == expected
            assert reason["label"] == found.text("en")


def test_a_one_hot_indicator_reads_the_value_its_column_has(bundle: LoadedBundle) -> None:
    names = bundle.manifest.feature_names
    wording = ReasonWording(names)
    higher = names.index("NAME_EDUCATION_TYPE=Higher education")
    secondary = names.index("NAME_EDUCATION_TYPE=Secondary / secondary special")
    reason = PrincipalReason("education", higher, 0.3, 0.3, 1.0)
    x = np.zeros(len(names))
    x[secondary] = 1.0
    stated = wording.describe(reason, x, "fr")
    assert (stated["label"], stated["value_text"], stated["provided"]) == (
        "Niveau d’études",
        "secondaire ou professionnel",
        True,
    )
    assert stated["statement"] == FAMILIES["education"].raises[0]
    x[secondary] = 0.0
    assert wording.describe(reason, x, "en")["value_text"] == "not provided"


def test_a_missing_value_is_said_as_not_provided(bundle: LoadedBundle, client: TestClient) -> None:
    body = client.post("/predict?lang=en", json={}).json()
    missing = [r for r in body["reasons"] if not r["provided"]]
    assert missing
    for reason in missing:
        assert reason["value"] is None or catalogue.entry(reason["feature"]).column is not None
        assert reason["value_text"] == "not provided"
        assert reason["statement"] == f"Not provided: {reason['label']}"


def test_an_empty_application_is_answered_but_flagged(client: TestClient) -> None:
    empty = client.post("/predict?lang=en", json={})
    assert empty.status_code == 200
    information = empty.json()["information"]
    assert information["fields_given"] == 0
    assert information["little_information"] is True
    assert f"0 of the {information['fields_used']}" in information["warning"]


def test_the_fields_given_are_counted(bundle: LoadedBundle, client: TestClient) -> None:
    application = {"AMT_CREDIT": 450000.0, "NAME_EDUCATION_TYPE": "Higher education", "DAYS_EMPLOYED": 365243}
    information = client.post("/predict", json=application).json()["information"]
    assert information["fields_given"] == len(application)
    client_id = bundle.manifest.example_client_ids[0]
    record = bundle.store.application(client_id)
    stored = client.get(f"/predict/{client_id}").json()["information"]
    used = set(ApplicationFeatures(protected=bundle.manifest.protected).input_columns)
    given = [column for column in used if record.get(column) is not None]
    assert (stored["fields_given"], stored["fields_used"]) == (len(given), len(used))
    assert stored["little_information"] is (len(given) < LITTLE_INFORMATION_SHARE * len(used))
    assert stored["warning"] is None


def test_the_openapi_document_declares_the_language_and_the_words(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for path, method in (("/predict/{client_id}", "get"), ("/predict", "post"), ("/predict/batch", "post")):
        parameters = {p["name"]: p for p in document["paths"][path][method]["parameters"]}
        assert parameters["lang"]["in"] == "query"
        assert parameters["accept-language"]["in"] == "header"
    reason = document["components"]["schemas"]["Reason"]["properties"]
    assert {"statement", "label", "value_text", "unit", "family", "share", "provided"} <= set(reason)
    assert {"information", "language", "decided_at"} <= set(
        document["components"]["schemas"]["PredictionResponse"]["properties"]
    )


def test_a_decision_carries_its_date_and_time(bundle: LoadedBundle, client: TestClient) -> None:
    body = client.get(f"/predict/{bundle.manifest.example_client_ids[0]}").json()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["decided_at"])
