"""The dashboard's routes on a real test bundle: the page and its assets under a strict CSP, a client's
main information without protected fields, the population summaries, and every error as JSON 4xx."""

from __future__ import annotations

import dataclasses
import gzip
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from bundle_factory import build_test_bundle
from fastapi.testclient import TestClient

from credit_scoring import schema
from credit_scoring.api.app import create_app
from credit_scoring.bundle.loader import BundleUnavailable, LoadedBundle, load_bundle
from credit_scoring.bundle.population import DAYS_PER_YEAR, MAIN_VARIABLES
from credit_scoring.bundle.store import FeatureStore

POPULATION = "population.json"
FEATURE_POPULATION = "feature_population.json"
MEDIA_TYPES = {"js": "text/javascript", "css": "text/css", "svg": "image/svg+xml"}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> LoadedBundle:
    return load_bundle(build_test_bundle(tmp_path_factory.mktemp("dashboard") / "bundle"))


@pytest.fixture(scope="module")
def client(bundle: LoadedBundle) -> Iterator[TestClient]:
    with TestClient(create_app(bundle)) as test_client:
        yield test_client


def imported_like(bundle: LoadedBundle) -> LoadedBundle:
    """The same clients and model as an imported predecessor's bundle would hold them: no application
    records, no application features (POST /predict answers 409), no population summaries of either
    kind."""
    manifest = bundle.manifest
    return dataclasses.replace(
        bundle,
        manifest=dataclasses.replace(
            manifest,
            protected=None,
            store=dataclasses.replace(manifest.store, applications=False),
            files={
                name: digest
                for name, digest in manifest.files.items()
                if name not in (POPULATION, FEATURE_POPULATION)
            },
        ),
        store=FeatureStore(
            bundle.store.ids, bundle.store.features, bundle.store.all_scores, bundle.store.all_grounds
        ),
    )


@pytest.fixture(scope="module")
def bare_client(bundle: LoadedBundle) -> Iterator[TestClient]:
    with TestClient(create_app(imported_like(bundle))) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def known_id(bundle: LoadedBundle) -> int:
    return bundle.manifest.example_client_ids[0]


@pytest.fixture(scope="module")
def unknown_id(bundle: LoadedBundle) -> int:
    stored = set(bundle.store.ids.tolist())
    return next(candidate for candidate in range(100_000, 1_000_000) if candidate not in stored)


class _PageParser(HTMLParser):
    """What the CSP audit looks at: scripts, styles, inline handlers, and every referenced asset."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.title = ""
        self._in_title = False
        self.script_text = ""
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_title = tag == "title"
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._in_script:
            self.script_text += data


def _parse(html: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(html)
    return parser


# The page and its assets ------------------------------------------------------------------------


def test_page_is_french_titled_and_sent_with_a_strict_content_security_policy(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    directives = {part.strip() for part in policy.split(";")}
    strict = {"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"}
    assert strict <= directives
    assert "unsafe-inline" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    page = _parse(response.text)
    assert '<html lang="fr">' in response.text
    assert "Tableau de bord" in page.title


def test_page_has_nothing_inline_that_the_policy_would_block(client: TestClient) -> None:
    page = _parse(client.get("/").text)
    scripts = [attrs for tag, attrs in page.tags if tag == "script"]
    assert scripts
    assert all(attrs.get("src") for attrs in scripts)
    assert page.script_text.strip() == ""
    assert not [tag for tag, _ in page.tags if tag == "style"]
    for tag, attrs in page.tags:
        assert "style" not in attrs, tag
        assert not [name for name in attrs if name.startswith("on")], tag


def _page_links(client: TestClient) -> dict[str, set[str]]:
    """The page's references by kind: rel of each <link> ("stylesheet", "modulepreload", ...), "script"."""
    links: dict[str, set[str]] = {}
    for tag, attrs in _parse(client.get("/").text).tags:
        if tag == "link" and attrs.get("href"):
            links.setdefault(attrs.get("rel") or "", set()).add(attrs["href"] or "")
        elif tag == "script" and attrs.get("src"):
            links.setdefault("script", set()).add(attrs["src"] or "")
    return links


def _imported_modules(client: TestClient, entry: str) -> set[str]:
    """The entry module and every module it imports, transitively, as paths relative to the page."""
    found = {entry}
    pending = [entry]
    while pending:
        module = pending.pop()
        source = client.get(f"/{module}").text
        for target in re.findall(r'^import\s[^;]*?\sfrom\s"(\.\.?/[^"]+)";', source, flags=re.MULTILINE):
            resolved = (Path("/") / Path(module).parent / target).resolve().as_posix().lstrip("/")
            if resolved not in found:
                found.add(resolved)
                pending.append(resolved)
    return found


def test_every_asset_the_page_loads_is_served_relative_to_the_page(client: TestClient) -> None:
    links = _page_links(client)
    (entry,) = links["script"]
    assets = set().union(*links.values(), _imported_modules(client, entry))
    assert {"stylesheet", "icon", "modulepreload"} <= set(links)
    for path in assets:
        # Relative: the page works under an API Gateway stage prefix, and nothing comes from a CDN.
        assert not path.startswith(("/", "http:", "https:")), path
        response = client.get(f"/{path}")
        assert response.status_code == 200, path
        expected = MEDIA_TYPES[path.rsplit(".", 1)[1]]
        assert response.headers["content-type"].startswith(expected), path


def test_every_module_is_preloaded_and_used(client: TestClient) -> None:
    links = _page_links(client)
    (entry,) = links["script"]
    # Preloading fetches the whole import graph in one round trip; a module nothing imports is dead code.
    assert links["modulepreload"] == _imported_modules(client, entry)


def test_scripts_call_the_api_with_relative_urls_only(client: TestClient) -> None:
    (entry,) = _page_links(client)["script"]
    for path in _imported_modules(client, entry):
        source = client.get(f"/{path}").text
        assert not re.search(r"(getJSON|postJSON|fetch)\(\s*[`\"']/", source), path
        assert "innerHTML" not in source, path


@pytest.mark.parametrize(
    "path",
    [
        "/static/../dashboard.py",
        "/static/%2e%2e/app.py",
        "/static/index.html",
        "/static/js/nope.js",
        "/static/",
    ],
)
def test_only_the_dashboards_own_assets_are_served(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "detail" in response.json()


def test_assets_are_compressed_and_revalidated(client: TestClient) -> None:
    plain = client.get("/static/js/main.js", headers={"Accept-Encoding": "identity"})
    compressed = client.get("/static/js/main.js", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert compressed.headers["content-encoding"] == "gzip"
    assert compressed.content == plain.content  # httpx decodes the gzip body
    assert len(gzip.compress(plain.content)) < len(plain.content)
    again = client.get("/static/js/main.js", headers={"If-None-Match": plain.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_page_carries_the_public_prefix_as_its_base(bundle: LoadedBundle) -> None:
    with TestClient(create_app(bundle, root_path="/prod/")) as prefixed:
        assert '<base href="/prod/">' in prefixed.get("/").text
    with TestClient(create_app(bundle)) as plain:
        assert "<base" not in plain.get("/").text


def test_dashboard_routes_are_documented_and_the_page_is_not(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/clients/{client_id}", "/population", "/application-fields"} <= set(paths)
    assert "/" not in paths
    assert not [path for path in paths if path.startswith("/static")]


# A client's main information --------------------------------------------------------------------


def test_client_information_is_the_stored_record_without_protected_fields(
    client: TestClient, bundle: LoadedBundle, known_id: int
) -> None:
    response = client.get(f"/clients/{known_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["client_id"] == known_id
    application = body["application"]
    assert "CODE_GENDER" not in application
    assert set(application) <= set(schema.application_columns())
    assert application["AMT_CREDIT"] == bundle.store.application(known_id)["AMT_CREDIT"]
    assert application["NAME_CONTRACT_TYPE"] in (None, *schema.APPLICATION_CATEGORIES["NAME_CONTRACT_TYPE"])


def test_client_variables_agree_with_the_application_record(client: TestClient, known_id: int) -> None:
    body = client.get(f"/clients/{known_id}").json()
    application, variables = body["application"], body["variables"]
    assert set(variables) == {variable.key for variable in MAIN_VARIABLES}
    assert variables["AGE_YEARS"] == pytest.approx(-application["DAYS_BIRTH"] / DAYS_PER_YEAR)
    assert variables["AMT_INCOME_TOTAL"] == pytest.approx(application["AMT_INCOME_TOTAL"])
    assert variables["PAYMENT_RATE"] == pytest.approx(application["AMT_ANNUITY"] / application["AMT_CREDIT"])


def test_a_pensioner_has_no_employment_years(client: TestClient, bundle: LoadedBundle) -> None:
    pensioner = next(
        int(client_id)
        for client_id in bundle.store.ids
        if bundle.store.application(int(client_id))["DAYS_EMPLOYED"] == schema.DAYS_EMPLOYED_ANOMALY
    )
    assert client.get(f"/clients/{pensioner}").json()["variables"]["EMPLOYMENT_YEARS"] is None


@pytest.mark.parametrize("bad", ["12345", "1234567", "-10000", "10000a", "012345", "１２３４５６"])
def test_a_malformed_client_number_is_a_422_naming_the_field(client: TestClient, bad: str) -> None:
    response = client.get(f"/clients/{bad}")
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["field"] == "client_id"
    assert "6 digits" in body["errors"][0]["message"]


def test_an_unknown_client_is_a_404_naming_the_path_parameter(client: TestClient, unknown_id: int) -> None:
    response = client.get(f"/clients/{unknown_id}")
    assert response.status_code == 404
    body = response.json()
    assert str(unknown_id) in body["detail"]
    assert [(e["location"], e["field"]) for e in body["errors"]] == [("path", "client_id")]


def test_a_bundle_without_application_records_answers_409(bare_client: TestClient, known_id: int) -> None:
    response = bare_client.get(f"/clients/{known_id}")
    assert response.status_code == 409
    assert "application records" in response.json()["detail"]
    assert bare_client.get(f"/predict/{known_id}").status_code == 200


# Population summaries ---------------------------------------------------------------------------


def test_population_is_the_bundles_summaries(client: TestClient, bundle: LoadedBundle) -> None:
    response = client.get("/population")
    assert response.status_code == 200
    stored = json.loads((bundle.path / POPULATION).read_text(encoding="utf-8"))
    assert response.json() == stored
    assert response.json()["outcomes"]["repaid"] + response.json()["outcomes"]["defaulted"] == len(
        bundle.store
    )


def test_population_holds_no_client_identity(client: TestClient) -> None:
    population = client.get("/population").json()
    assert schema.CLIENT_ID not in json.dumps(population)
    assert set(population["sample"]) == {"outcome", "values"}


def test_a_bundle_without_population_answers_409(bare_client: TestClient) -> None:
    response = bare_client.get("/population")
    assert response.status_code == 409
    assert "population" in response.json()["detail"]


def test_a_population_file_unreadable_for_a_while_withdraws_nothing(tmp_path: Path) -> None:
    bundle = load_bundle(build_test_bundle(tmp_path / "bundle", kind="linear"))
    path = bundle.path / POPULATION
    kept = path.read_bytes()
    with TestClient(create_app(bundle)) as app_client:
        client_id = bundle.manifest.example_client_ids[0]
        path.unlink()
        path.mkdir()  # a real read error (EISDIR), where a network file system would give EIO
        response = app_client.get("/population")
        assert response.status_code == 503
        assert POPULATION in response.json()["detail"]
        assert "try again" in response.json()["detail"]
        # The rest of the API still serves, and so does the file once it can be read again.
        assert app_client.get(f"/predict/{client_id}").status_code == 200
        assert app_client.get("/health").status_code == 200
        path.rmdir()
        path.write_bytes(kept)
        response = app_client.get("/population")
        assert response.status_code == 200
        assert response.json() == json.loads(kept)


# Application fields -----------------------------------------------------------------------------


def test_application_fields_are_the_rules_post_predict_applies(client: TestClient) -> None:
    fields = client.get("/application-fields").json()
    assert schema.CLIENT_ID not in fields
    assert set(fields) == set(schema.application_columns()) - {schema.CLIENT_ID}
    for column, vocabulary in schema.APPLICATION_CATEGORIES.items():
        assert fields[column]["choices"] == list(vocabulary)
    low, high = schema.APPLICATION_RANGES["AMT_CREDIT"]
    assert (fields["AMT_CREDIT"]["minimum"], fields["AMT_CREDIT"]["maximum"]) == (low, high)
    assert fields["CNT_CHILDREN"]["whole"] is True
    assert fields["EXT_SOURCE_2"]["whole"] is False


def test_application_fields_list_the_values_accepted_outside_the_range(client: TestClient) -> None:
    fields = client.get("/application-fields").json()
    employed = fields["DAYS_EMPLOYED"]
    assert employed["special_values"] == [schema.DAYS_EMPLOYED_ANOMALY]
    assert not employed["minimum"] <= schema.DAYS_EMPLOYED_ANOMALY <= employed["maximum"]
    for column, rule in fields.items():
        for value in rule.get("special_values") or ():
            assert schema.check_application_value(column, value) is None, column
        if column != "DAYS_EMPLOYED":
            assert rule.get("special_values") is None, column
    # What the route lists, POST /predict accepts.
    response = client.post("/predict", json={"DAYS_EMPLOYED": employed["special_values"][0]})
    assert response.status_code == 200, response.text


# Without a bundle -------------------------------------------------------------------------------


def test_without_a_bundle_the_page_loads_and_data_routes_answer_503() -> None:
    state = BundleUnavailable(reason="manifest.json not found", file="manifest.json", source="/opt/model")
    with TestClient(create_app(state)) as unavailable:
        assert unavailable.get("/").status_code == 200
        assert unavailable.get("/static/js/main.js").status_code == 200
        for path in ("/clients/100002", "/population"):
            response = unavailable.get(path)
            assert response.status_code == 503
            assert "manifest.json not found" in response.json()["detail"]


# Per-feature population summaries ---------------------------------------------------------------


def test_a_reasons_feature_is_served_with_its_summary_label_and_scale(
    client: TestClient, bundle: LoadedBundle
) -> None:
    stored = json.loads((bundle.path / FEATURE_POPULATION).read_text(encoding="utf-8"))
    reason = client.get(f"/predict/{bundle.manifest.example_client_ids[0]}?lang=en").json()["reasons"][0]
    response = client.get(f"/population/features/{reason['feature']}")
    assert response.status_code == 200
    body = response.json()
    assert body["feature"] == reason["feature"]
    assert body["label"]["en"].startswith(reason["label"])
    assert {key: body[key] for key in stored["features"][reason["feature"]]} == stored["features"][
        reason["feature"]
    ]
    assert body["clients"] == len(bundle.store) == sum(body["outcomes"].values())


def test_a_duration_is_served_in_years_with_the_scale_placing_a_reasons_value(client: TestClient) -> None:
    body = client.get("/population/features/DAYS_BIRTH").json()
    assert (body["unit"], body["label"]["en"]) == ("years", "Age")
    assert body["scale"] == {"factor": pytest.approx(1 / DAYS_PER_YEAR), "unsigned": True}
    assert 18 <= body["quantiles"]["repaid"][0] <= body["quantiles"]["repaid"][-1] <= 70


def test_a_one_hot_feature_with_a_slash_in_its_name_is_served_as_its_category(client: TestClient) -> None:
    feature = "NAME_EDUCATION_TYPE=Secondary / secondary special"
    body = client.get(f"/population/features/{feature}").json()
    assert body["feature"] == feature
    assert body["unit"] == "yes_no"
    assert body["label"]["fr"].startswith("Niveau d’études\u00a0: ")
    assert set(body["yes"]) == {"repaid", "defaulted"}
    assert "edges" not in body


def test_an_unknown_feature_answers_404_naming_it(client: TestClient) -> None:
    response = client.get("/population/features/NOT_A_FEATURE")
    assert response.status_code == 404
    body = response.json()
    assert "'NOT_A_FEATURE'" in body["detail"]
    assert [(e["location"], e["field"]) for e in body["errors"]] == [("path", "feature")]


def test_a_bundle_without_feature_summaries_answers_409(bare_client: TestClient) -> None:
    response = bare_client.get("/population/features/DAYS_BIRTH")
    assert response.status_code == 409
    assert "per-feature population" in response.json()["detail"]


def test_the_feature_route_is_in_the_openapi_schema(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/population/features/{feature}"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "FeaturePopulationResponse"
    )
    assert {"404", "409", "503"} <= set(operation["responses"])
