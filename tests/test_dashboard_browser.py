"""The dashboard in a real headless Chromium, served by uvicorn from a real test bundle.

One browser for the whole module; each test gets a fresh context (no shared storage) and fails on any
console error, which is also how Chromium reports a Content-Security-Policy violation. The run saves a
screenshot and the dashboard's figures (page weight, Enter-to-decision time) under test-artifacts/.
"""

from __future__ import annotations

import gzip
import json
import re
import socket
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from bundle_factory import build_test_bundle
from test_dashboard_api import imported_like

from credit_scoring import schema
from credit_scoring.api.app import create_app
from credit_scoring.bundle.loader import load_bundle
from credit_scoring.cli import main
from credit_scoring.monitoring.summaries import SummaryStore

pytestmark = pytest.mark.slow

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
STAGE = "/prod"
IMPORTED = "/imported"
PAGE_WEIGHT_BUDGET = 300 * 1024
LOOKUPS_TIMED = 10


class _PathPrefixes:
    """What API Gateway and Mangum do for a named stage: strip the stage's prefix before its app sees the
    path. Here each prefix serves its own app, and any other path the default app."""

    def __init__(self, default: Any, prefixed: dict[str, Any]) -> None:
        self.default = default
        self.prefixed = prefixed

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        for prefix, app in self.prefixed.items():
            if scope["type"] == "http" and (path == prefix or path.startswith(f"{prefix}/")):
                stripped = path[len(prefix) :] or "/"
                await app({**scope, "path": stripped, "raw_path": stripped.encode()}, receive, send)
                return
        await self.default(scope, receive, send)


@contextmanager
def served(app: Any) -> Iterator[str]:
    """`app` served by uvicorn in a thread on 127.0.0.1 and a free port; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    uvicorn_server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    )
    thread = threading.Thread(target=uvicorn_server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uvicorn_server.started:
        if time.monotonic() > deadline:
            pytest.fail("uvicorn did not start within 10 s")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        uvicorn_server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return load_bundle(build_test_bundle(tmp_path_factory.mktemp("browser") / "bundle", n_clients=400))


@pytest.fixture(scope="module")
def server(bundle: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app at / (no monitoring summary yet), behind a stage prefix, and over an imported-like bundle
    under IMPORTED; yields the base URL."""
    app = _PathPrefixes(
        create_app(bundle, summaries=SummaryStore(directory=tmp_path_factory.mktemp("no-summaries"))),
        {
            STAGE: create_app(bundle, root_path=STAGE),
            IMPORTED: create_app(imported_like(bundle), root_path=IMPORTED),
        },
    )
    with served(app) as url:
        yield url


@pytest.fixture(scope="module")
def api(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"Debian chromium is not installed at {CHROMIUM} (make setup installs it)")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _console_problem(message: Any, problems: list[str]) -> None:
    # Chromium logs every 4xx answer as "Failed to load resource"; the API's 404 for an unknown client is
    # an answer the page handles, so statuses are judged by _asset_problem instead.
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        problems.append(message.text)


def _asset_problem(response: Any, server: str, problems: list[str]) -> None:
    path = response.url.removeprefix(server)
    if response.status >= 400 and (path == "/" or path.startswith("/static/")):
        problems.append(f"{path}: HTTP {response.status}")


@pytest.fixture(scope="module")
def context(browser: Any) -> Iterator[Any]:
    """One browsing context for the module, so that assets come from the browser's cache after the first
    page; stored preferences are cleared before each page's own scripts run."""
    shared = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    shared.add_init_script("localStorage.clear()")
    yield shared
    shared.close()


@pytest.fixture
def page(context: Any, server: str) -> Iterator[Any]:
    """A fresh page on the dashboard; the test fails if the page logs any error or CSP violation."""
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda message: _console_problem(message, problems))
    tab.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    tab.on("response", lambda response: _asset_problem(response, server, problems))
    tab.goto(f"{server}/")
    expect(tab.locator("#importance svg")).to_be_visible()
    yield tab
    tab.close()
    assert problems == [], f"console errors or CSP violations: {problems}"


@pytest.fixture(scope="module")
def ids(api: httpx.Client) -> dict[str, Any]:
    model = api.get("/model").json()
    stored = model["example_client_ids"]
    unknown = next(
        candidate
        for candidate in range(999_999, 100_000, -1)
        if api.get(f"/predict/{candidate}").status_code == 404
    )
    return {"known": stored[0], "others": stored[1:], "unknown": unknown}


def _text(locator: Any, *, hidden: bool = False) -> str:
    """The text (visible only, unless `hidden`) with the locale's narrow and non-breaking spaces as
    plain spaces."""
    text = (locator.text_content() if hidden else locator.inner_text()) or ""
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


def _percent(probability: float) -> str:
    """A probability as the French page writes it, e.g. 0.2049 -> "20,5 %"."""
    return f"{probability * 100:.1f}".replace(".", ",") + " %"


def _look_up(page: Any, client_id: int | str) -> None:
    box = page.get_by_role("textbox", name="Numéro client")
    box.fill(str(client_id))
    box.press("Enter")


def _hold(page: Any, pattern: str) -> list:
    """Holds the page's requests matching `pattern` until `_release`: a state seen while a request is
    pending is then certain, where a delay races a slow host."""
    held: list = []
    page.route(pattern, lambda route: held.append(route))
    return held


def _release(page: Any, held: list) -> None:
    deadline = time.monotonic() + 5
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(20)  # lets Playwright deliver the intercepted request
    assert held, "the page never made the request being held"
    for route in held:
        route.continue_()


# Looking up a client ----------------------------------------------------------------------------


def test_page_is_titled_in_french(page: Any) -> None:
    assert "Tableau de bord crédit" in page.title()
    assert page.locator("html").get_attribute("lang") == "fr"
    expect(page.get_by_role("heading", level=1)).to_have_text("Décision de crédit d’un client")


def test_lookup_shows_the_decision_probability_and_reasons(page: Any, api: httpx.Client, ids: dict) -> None:
    expected = api.get(f"/predict/{ids['known']}").json()
    _look_up(page, ids["known"])
    decision = page.locator("#decision")
    expect(decision.locator(".badge")).to_have_text(
        "Refusé" if expected["decision"] == "refused" else "Accepté"
    )
    assert _percent(expected["probability"]) in _text(decision)
    assert _percent(expected["threshold"]) in _text(decision)
    expect(page.locator("#lookup-status")).to_contain_text(f"Client {ids['known']}")
    assert str(ids["known"]) in page.title()
    # The reasons of the decision, and the waterfall ending exactly at the client's score.
    assert page.locator("#decision-reasons li").count() == len(expected["reasons"])
    expect(page.locator("#waterfall svg[role=img]")).to_be_visible()
    last_row = page.locator("#waterfall-table tbody tr").last
    assert _text(last_row, hidden=True).endswith(_percent(expected["probability"]))
    expect(page.locator("#gauge svg[role=img]")).to_have_attribute("aria-label", "Jauge de risque")
    assert _percent(expected["probability"]) in _text(page.locator("#gauge-caption"))


def test_reasons_are_said_in_words_with_the_decisions_record(page: Any, api: httpx.Client, ids: dict) -> None:
    expected = api.get(f"/predict/{ids['known']}", params={"lang": "fr"}).json()
    _look_up(page, ids["known"])
    items = page.locator("#decision-reasons li")
    expect(items).to_have_count(len(expected["reasons"]))
    for item, reason in zip(items.all(), expected["reasons"], strict=True):
        text = _text(item)
        assert reason["statement"] in text
        assert reason["value_text"] in text
        assert reason["feature"] not in text  # never the model's code
    record = _text(page.locator("#decision .decision-record"))
    assert expected["model_version"] in record
    assert "Numéro de décision" in record


def test_a_new_lookup_clears_the_previous_decision_while_it_runs(page: Any, ids: dict) -> None:
    _look_up(page, ids["known"])
    expect(page.locator("#client-view")).to_be_visible()
    held = _hold(page, "**/predict/**")
    _look_up(page, ids["known"])
    expect(page.locator(".lookup")).to_have_attribute("aria-busy", "true")
    expect(page.locator("#client-view")).to_be_hidden()
    assert "Recherche du client" in page.title()
    _release(page, held)
    expect(page.locator("#client-view")).to_be_visible()
    expect(page.locator(".lookup")).not_to_have_attribute("aria-busy", "true")


def test_an_empty_application_is_decided_with_the_warning_first(page: Any) -> None:
    page.get_by_role("button", name="Calculer la décision").click()
    result = page.locator("#applicant-result")
    expect(result.locator(".badge")).to_be_visible()
    warning = result.locator(".notice.warning")
    expect(warning).to_contain_text("peu d’informations")
    # The warning comes before the decision, in reading order.
    assert warning.evaluate("(w) => !!(w.compareDocumentPosition(w.parentNode.querySelector('.badge')) & 4)")


def test_main_information_is_in_readable_units(page: Any, api: httpx.Client, ids: dict) -> None:
    record = api.get(f"/clients/{ids['known']}").json()
    _look_up(page, ids["known"])
    info = page.locator("#client-info")
    expect(info.locator("dl")).to_be_visible()
    age = f"{-record['application']['DAYS_BIRTH'] / 365.25:.1f}".replace(".", ",") + " ans"
    assert age in _text(info)
    credit = f"{round(record['application']['AMT_CREDIT']):,}".replace(",", " ")
    assert credit in _text(info)
    assert "DAYS_BIRTH" not in _text(info)


def test_comparison_marks_the_client_and_shows_no_other_identity(page: Any, ids: dict) -> None:
    _look_up(page, ids["known"])
    expect(page.locator("#histogram svg")).to_be_visible()
    expect(page.locator("#boxplot svg")).to_be_visible()
    expect(page.locator("#scatter svg")).to_be_visible()
    expect(page.locator("#histogram-summary")).to_contain_text("Âge du client :")
    expect(page.locator("#histogram .marker-client-fill")).to_have_count(1)
    expect(page.locator("#scatter .marker-client-fill")).to_have_count(1)
    page.get_by_label("Variable", exact=True).select_option("EXT_SOURCE_2")
    # French puts a no-break space before a colon: \s matches it.
    expect(page.locator("#histogram svg")).to_have_attribute(
        "aria-label",
        re.compile(r"^Histogramme de Score externe 2\s: clients ayant remboursé et clients en défaut$"),
    )
    page.get_by_label("Axe vertical").select_option("AMT_CREDIT")
    expect(page.locator("#scatter svg")).to_have_attribute(
        "aria-label", "Nuage de points de Montant du crédit en fonction de Âge"
    )
    scatter_points = page.locator("#scatter circle.point-repaid, #scatter path.point-defaulted").count()
    assert 0 < scatter_points <= 500


def _share_at_or_below(edges: list[float], counts: list[int], value: float) -> float:
    """A group's share at or below `value`, reading the histogram as uniform within each bin."""
    below = 0.0
    for low, high, count in zip(edges, edges[1:], counts, strict=False):
        below += count if value >= high else count * max(0.0, value - low) / (high - low)
    return below / sum(counts)


def _on_scale(reason: dict, summary: dict) -> float:
    value = abs(reason["value"]) if summary["scale"]["unsigned"] else reason["value"]
    return value * summary["scale"]["factor"]


def _client_with_numeric_reasons(api: httpx.Client, ids: dict) -> tuple[int, list[dict], list[dict]]:
    """A stored client with at least two reasons, the first on a histogram (not a yes/no feature), with
    its reasons in French and their features' summaries."""
    for client_id in (ids["known"], *ids["others"]):
        reasons = api.get(f"/predict/{client_id}", params={"lang": "fr"}).json()["reasons"]
        summaries = [api.get(f"/population/features/{r['feature']}").json() for r in reasons]
        if len(reasons) >= 2 and summaries[0]["unit"] != "yes_no" and reasons[0]["value"] is not None:
            return client_id, reasons, summaries
    pytest.skip("no example client has two reasons, the first a provided numeric feature")


def test_a_reason_is_compared_with_the_population_at_the_value_it_states(
    page: Any, api: httpx.Client, ids: dict
) -> None:
    client_id, reasons, summaries = _client_with_numeric_reasons(api, ids)
    _look_up(page, client_id)
    buttons = page.locator("#decision-reasons").get_by_role("button", name="Comparer aux autres clients")
    expect(buttons).to_have_count(len(reasons))
    buttons.first.click()
    panel = page.get_by_role("region", name=re.compile(re.escape(summaries[0]["label"]["fr"])))
    expect(panel).to_be_visible()
    expect(page.locator("#decision-reasons button[aria-expanded=true]")).to_have_count(1)
    chart = panel.locator("svg[role=img]")
    expect(chart).to_have_attribute(
        "aria-label", re.compile(f"^Histogramme de {re.escape(summaries[0]['label']['fr'])}")
    )
    # The client is marked with the reason's own words for its value...
    expect(panel.locator(".marker-client-fill")).to_have_count(1)
    expect(chart.locator("text.strong")).to_have_text(re.compile(re.escape(reasons[0]["value_text"])))
    # ...and at that value on the chart's scale: the caption's shares below it are the histogram's.
    value = _on_scale(reasons[0], summaries[0])
    caption = _text(panel.locator(".caption"))
    for group in ("repaid", "defaulted"):
        if summaries[0]["counts"][group]:
            share = _share_at_or_below(summaries[0]["edges"], summaries[0]["counts"][group], value)
            assert f"{round(share * 100)} %" in caption
    assert chart.locator("text").filter(has_text=re.compile(r"\(")).count() >= 1  # the axis title, unit
    panel.locator("summary").click()
    expect(panel.locator("table")).to_be_visible()
    # Another reason replaces the comparison with its own feature.
    page.locator("#decision-reasons button[aria-controls]").nth(1).click()
    second = summaries[1]["label"]["fr"]
    expect(page.locator("#decision-reasons .reason-population h4")).to_contain_text(second)
    expect(page.locator("#decision-reasons button[aria-controls]").first).to_have_attribute(
        "aria-expanded", "false"
    )
    expect(page.locator("#decision-reasons .reason-population svg[role=img]")).to_have_attribute(
        "aria-label", re.compile(re.escape(second))
    )
    # The same button again closes it.
    page.locator("#decision-reasons button[aria-controls]").nth(1).click()
    expect(page.locator("#decision-reasons .reason-population")).to_be_hidden()


def test_a_reason_comparison_is_keyboard_operable_and_said_in_english(
    page: Any, api: httpx.Client, ids: dict
) -> None:
    client_id, _, summaries = _client_with_numeric_reasons(api, ids)
    page.locator("#language").click()
    box = page.get_by_role("textbox", name="Client number")
    box.fill(str(client_id))
    box.press("Enter")
    buttons = page.locator("#decision-reasons").get_by_role("button", name="Compare with other clients")
    expect(buttons.first).to_be_visible()
    button = page.locator("#decision-reasons button[aria-controls]").first
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(button).to_have_text("Hide the comparison")
    expect(page.locator("#decision-reasons .reason-population h4")).to_contain_text(
        summaries[0]["label"]["en"]
    )
    # The larger text draws the page again: the comparison stays open, drawn anew.
    page.locator("#text-size").click()
    expect(page.locator("#decision-reasons .reason-population svg[role=img]")).to_be_visible()


def test_an_applicant_forms_reason_is_compared_too(page: Any) -> None:
    page.get_by_label("Montant du crédit").fill("450000")
    page.get_by_label("Âge (années)").fill("23")
    page.get_by_role("button", name="Calculer la décision").click()
    result = page.locator("#applicant-result")
    expect(result.locator(".badge")).to_be_visible()
    result.locator("button[aria-controls]").first.click()
    expect(result.locator(".reason-population svg[role=img]")).to_be_visible()
    expect(result.locator(".reason-population .marker-client-fill")).to_have_count(1)


def test_a_reason_on_a_feature_the_model_lacks_gets_a_clear_error(page: Any, ids: dict) -> None:
    def unknown_feature(route: Any) -> None:
        answer = route.fetch()
        body = answer.json()
        body["reasons"][0]["feature"] = "NOT_A_FEATURE"
        route.fulfill(response=answer, json=body)

    page.route("**/predict/*", unknown_feature)
    _look_up(page, ids["known"])
    page.locator("#decision-reasons button[aria-controls]").first.click()
    status = page.locator("#decision-reasons .reason-population [role=status]")
    expect(status).to_contain_text("Le service n’a pas pu répondre")
    expect(status).to_contain_text("'NOT_A_FEATURE' is not a feature")
    expect(page.locator("#decision-reasons .reason-population svg")).to_have_count(0)


def test_an_unknown_number_and_malformed_numbers_get_clear_messages(page: Any, ids: dict) -> None:
    box = page.get_by_role("textbox", name="Numéro client")
    error = page.locator("#client-id-error")
    box.press_sequentially("12a")
    expect(error).to_have_text("Le numéro client ne contient que des chiffres (0 à 9).")
    expect(box).to_have_attribute("aria-invalid", "true")
    box.fill("12345")
    box.press("Enter")
    expect(error).to_have_text("Le numéro client comporte exactement 6 chiffres (5 saisi(s)).")
    expect(page.locator("#client-view")).to_be_hidden()
    box.fill("1234567")
    box.press("Enter")
    expect(error).to_contain_text("exactement 6 chiffres (7 saisi(s))")
    _look_up(page, ids["unknown"])
    expect(error).to_have_text(f"Client inconnu : aucun client n’a le numéro {ids['unknown']}.")
    expect(page.locator("#client-view")).to_be_hidden()
    _look_up(page, ids["known"])
    expect(error).to_have_text("")
    expect(box).to_have_attribute("aria-invalid", "false")
    expect(page.locator("#client-view")).to_be_visible()


# Forms ------------------------------------------------------------------------------------------


def test_applicant_form_offers_the_apis_vocabularies(page: Any) -> None:
    vocabulary = list(schema.APPLICATION_CATEGORIES["NAME_INCOME_TYPE"])
    options = page.locator("#applicant-NAME_INCOME_TYPE option")
    # The vocabularies arrive with GET /application-fields, after the page has drawn its model card.
    expect(options.and_(page.locator(f'[value="{vocabulary[0]}"]'))).to_be_attached()
    values = [value for value in options.evaluate_all("list => list.map(o => o.value)") if value]
    assert values == vocabulary


def test_applicant_form_calls_post_predict(page: Any, api: httpx.Client) -> None:
    application = {
        "NAME_CONTRACT_TYPE": "Cash loans",
        "AMT_CREDIT": 450000.0,
        "AMT_ANNUITY": 24000.0,
        "AMT_GOODS_PRICE": 405000.0,
        "AMT_INCOME_TOTAL": 180000.0,
        "NAME_INCOME_TYPE": "Working",
        "EXT_SOURCE_2": 0.61,
    }
    page.get_by_label("Type de contrat").select_option("Cash loans")
    page.get_by_label("Montant du crédit").fill("450 000")
    page.get_by_label("Annuité").fill("24000")
    page.get_by_label("Prix du bien").fill("405000")
    page.get_by_label("Revenu annuel").fill("180000")
    page.get_by_label("Type de revenu").select_option("Working")
    page.get_by_role("textbox", name="Score externe 2").fill("0,61")
    page.get_by_label("Âge (années)").fill("35")
    application["DAYS_BIRTH"] = -round(35 * 365.25)
    response = api.post("/predict", json=application)
    assert response.status_code == 200, response.text
    expected = response.json()
    page.get_by_role("button", name="Calculer la décision").click()
    result = page.locator("#applicant-result")
    expect(result.locator(".badge")).to_be_visible()
    assert _percent(expected["probability"]) in _text(result)
    assert ("Refusé" if expected["decision"] == "refused" else "Accepté") in _text(result)


def test_applicant_form_names_the_field_typed_wrongly(page: Any) -> None:
    credit = page.get_by_label("Montant du crédit")
    credit.fill("beaucoup")
    page.get_by_label("Nombre d’enfants").fill("1,5")
    page.get_by_role("button", name="Calculer la décision").click()
    expect(page.locator("#applicant-AMT_CREDIT-error")).to_have_text(
        "Saisissez un nombre (par exemple 150000 ou 0,25)."
    )
    expect(page.locator("#applicant-CNT_CHILDREN-error")).to_have_text("Saisissez un nombre entier.")
    expect(credit).to_be_focused()
    expect(credit).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#applicant-result")).to_contain_text("corrigez le champ signalé")


def test_applicant_form_sends_the_not_employed_placeholder_the_api_accepts(
    page: Any, api: httpx.Client
) -> None:
    """DAYS_EMPLOYED's placeholder is listed by GET /application-fields; the form offers it as a box to
    tick, which sends it in place of the years typed, and the page shows the API's answer to it."""
    rule = api.get("/application-fields").json()["DAYS_EMPLOYED"]
    assert rule["special_values"] == [schema.DAYS_EMPLOYED_ANOMALY]
    application = {"AMT_CREDIT": 450000.0, "DAYS_EMPLOYED": schema.DAYS_EMPLOYED_ANOMALY}
    response = api.post("/predict", json=application)
    assert response.status_code == 200, response.text
    expected = response.json()

    page.get_by_label("Montant du crédit").fill("450000")
    years = page.get_by_label("Ancienneté dans l’emploi (années)")
    years.fill("abc")  # typed wrongly, then replaced by the box: not read
    page.get_by_label("Sans emploi ou retraité").check()
    expect(years).to_be_disabled()
    with page.expect_request(
        lambda request: request.method == "POST" and request.url.endswith("/predict")
    ) as sent:
        page.get_by_role("button", name="Calculer la décision").click()
    assert sent.value.post_data_json == application
    result = page.locator("#applicant-result")
    expect(result.locator(".badge")).to_be_visible()
    assert _percent(expected["probability"]) in _text(result)

    page.get_by_label("Sans emploi ou retraité").uncheck()
    expect(years).to_be_enabled()


def test_typed_values_are_checked_with_the_special_values_of_the_rule(page: Any, api: httpx.Client) -> None:
    rule = api.get("/application-fields").json()["DAYS_EMPLOYED"]
    read = page.evaluate(
        """async (rule) => {
            const { readNumber } = await import("./static/js/fields.js");
            return [readNumber("365243", rule), readNumber("365242", rule), readNumber("-2100", rule)];
        }""",
        rule,
    )
    assert read[0] == {"value": schema.DAYS_EMPLOYED_ANOMALY}
    assert read[1]["problem"]["key"] == "rangeExpected"
    assert read[2] == {"value": -2100}


def test_what_if_changes_one_value_of_the_client(page: Any, api: httpx.Client, ids: dict) -> None:
    client_id = ids["known"]
    record = api.get(f"/clients/{client_id}").json()["application"]
    new_credit = round(record["AMT_CREDIT"] * 3)
    payload = {key: value for key, value in record.items() if value is not None}
    payload.update({"AMT_CREDIT": new_credit, "SK_ID_CURR": client_id})
    response = api.post("/predict", json=payload)
    assert response.status_code == 200, response.text
    expected = response.json()
    before = api.get(f"/predict/{client_id}").json()

    _look_up(page, client_id)
    page.get_by_label("Valeur à modifier").select_option("AMT_CREDIT")
    value = page.get_by_label("Nouvelle valeur")
    expect(value).to_have_value(str(record["AMT_CREDIT"]).removesuffix(".0"))
    value.fill(str(new_credit))
    page.get_by_role("button", name="Simuler").click()
    result = page.locator("#whatif-result")
    expect(result.locator(".badge")).to_be_visible()
    text = _text(result)
    assert _percent(expected["probability"]) in text
    assert _percent(before["probability"]) in text
    assert (
        "La décision change." if expected["decision"] != before["decision"] else "La décision ne change pas."
    ) in text
    assert "simulation — ce n’est pas une décision" in text.lower()  # shown in capitals


def test_simulate_waits_for_the_clients_record(page: Any, ids: dict) -> None:
    held = _hold(page, "**/clients/**")
    _look_up(page, ids["known"])
    simulate = page.get_by_role("button", name="Simuler")
    expect(page.locator("#decision .badge")).to_be_visible()
    expect(simulate).to_be_disabled()
    _release(page, held)
    expect(simulate).to_be_enabled()


# Accessibility and preferences ------------------------------------------------------------------


def test_keyboard_only_lookup(page: Any, ids: dict) -> None:
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    box = page.get_by_role("textbox", name="Numéro client")
    for _ in range(4):
        page.keyboard.press("Tab")
        if box.evaluate("element => element === document.activeElement"):
            break
    expect(box).to_be_focused()
    outline = box.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline != "none"
    page.keyboard.type(str(ids["known"]))
    page.keyboard.press("Enter")
    expect(page.locator("#decision .badge")).to_be_visible()
    reached = False
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.getElementById('client-view').contains(document.activeElement)"):
            reached = True
            break
    assert reached, "Tab from the lookup never reaches the results"


def test_skip_link_moves_focus_to_the_main_content(page: Any) -> None:
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_english_is_one_click_away(page: Any, ids: dict) -> None:
    _look_up(page, ids["known"])
    expect(page.locator("#decision .badge")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("A client's credit decision")
    expect(page.locator("#decision .badge")).to_have_text(re.compile("Accepted|Refused"))
    assert "Credit dashboard" in page.title()
    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")


def test_larger_text_without_horizontal_scrolling_at_200_percent(page: Any, ids: dict) -> None:
    size = page.get_by_role("button", name="Agrandir le texte")
    base = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    size.click()
    expect(size).to_have_attribute("aria-pressed", "true")
    larger = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert larger >= base * 1.25
    # A 1280-pixel screen at 200 % zoom leaves 640 CSS pixels: nothing may need horizontal scrolling.
    page.set_viewport_size({"width": 640, "height": 900})
    _look_up(page, ids["known"])
    expect(page.locator("#waterfall svg")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0


def test_every_chart_has_a_text_alternative(page: Any, ids: dict) -> None:
    _look_up(page, ids["known"])
    expect(page.locator("#waterfall svg")).to_be_visible()
    expect(page.locator("#histogram svg")).to_be_visible()
    charts = page.locator(".chart svg").all()
    assert len(charts) == 7
    for svg in charts:
        # Named for what it is, described by the sentence with its figures.
        assert svg.get_attribute("role") == "img"
        assert (svg.get_attribute("aria-label") or "").strip()
        caption = svg.get_attribute("aria-describedby")
        assert caption
        assert _text(page.locator(f"#{caption}"))
    assert page.locator("#waterfall-table table").count() == 1
    assert page.locator("#distribution-table table").count() == 1
    assert page.locator("#importance-table table").count() == 1
    assert page.locator("#reliability-table table").count() == 1


def test_the_model_view_shows_the_calibration_of_the_probabilities(page: Any, api: httpx.Client) -> None:
    calibration = api.get("/model").json()["model_card"]["calibration"]
    chart = page.locator("#reliability svg")
    expect(chart).to_be_visible()
    # One point per tenth of the test clients, each at its mean predicted probability and default rate.
    assert chart.locator("circle").count() == len(calibration["reliability"])
    caption = _text(page.locator("#reliability-caption"))
    assert _percent(calibration["mean_probability"]) in caption
    assert _percent(calibration["default_rate"]) in caption
    rows = page.locator("#reliability-table tbody tr")
    assert rows.count() == len(calibration["reliability"])


def test_the_model_health_view_says_there_is_no_monitoring_data_yet(page: Any) -> None:
    status = page.locator("#health-status")
    expect(status).to_contain_text("Pas encore de données de suivi")
    expect(page.locator("#health-body table")).to_have_count(0)
    page.locator("#language").click()
    expect(status).to_contain_text("No monitoring data yet")


def _summaries(bundle: Any, directory: Path) -> None:
    """The summaries `credit-scoring monitor --summary-dir` writes for synthetic applications and their
    outcomes over two months."""
    from bundle_factory import random_applications

    frame = random_applications(500, seed=51)
    data = directory / "applications.csv"
    frame.drop(columns=schema.TARGET).to_csv(data, index=False)
    outcomes = directory / "outcomes.csv"
    months = ["2027-01-10" if i % 2 else "2027-02-10" for i in range(len(frame))]
    lines = [
        f"{c},{o},{m}" for c, o, m in zip(frame[schema.CLIENT_ID], frame[schema.TARGET], months, strict=True)
    ]
    outcomes.write_text("SK_ID_CURR,outcome,date\n" + "\n".join(lines) + "\n")
    arguments = ["monitor", "--bundle", str(bundle.path), "--data", str(data), "--outcomes", str(outcomes)]
    assert main([*arguments, "--report", str(directory / "r.md"), "--summary-dir", str(directory / "s")]) == 0


def test_the_model_health_view_shows_the_scores_now_and_at_training_drift_and_auc_by_month(
    browser: Any, bundle: Any, tmp_path: Path
) -> None:
    _summaries(bundle, tmp_path)
    app = create_app(bundle, summaries=SummaryStore(directory=tmp_path / "s"))
    with served(app) as url, browser.new_context(locale="en-GB") as context:
        health = httpx.get(f"{url}/model-health", timeout=10).json()
        tab = context.new_page()
        tab.goto(f"{url}/")
        tab.locator("#language").click()
        body = tab.locator("#health-body")
        expect(body.locator("table")).to_have_count(3)
        score, inputs, months = (body.locator("table").nth(i) for i in range(3))
        expect(score.locator("tbody tr")).to_have_count(len(health["drift"]["score"]["proportions"]) - 2)
        first = score.locator("tbody tr").first.locator("td")
        share = health["drift"]["score"]["reference_proportions"][0]
        expect(first.first).to_have_text(f"{100 * share:.1f}%")
        names = [item["name"] for item in health["drift"]["most_drifting"]]
        assert inputs.locator("tbody th").all_inner_texts() == names
        by_month = health["performance"]["by_month"]
        assert months.locator("tbody th").all_inner_texts() == [m["month"] for m in by_month] + [
            "Whole period"
        ]
        auc = months.locator("tbody tr").first.locator("td").last
        expect(auc).to_have_text(f"{round(by_month[0]['auc'], 3):g}")  # formatNumber: at most 3 decimals
        expect(tab.locator("#health-status")).to_have_text("")


def test_works_behind_a_stage_prefix_without_trailing_slash(browser: Any, server: str, ids: dict) -> None:
    context = browser.new_context(locale="fr-FR")
    tab = context.new_page()
    failures: list[str] = []
    tab.on("response", lambda response: failures.append(response.url) if response.status >= 400 else None)
    tab.goto(f"{server}{STAGE}")
    _look_up(tab, ids["known"])
    expect(tab.locator("#decision .badge")).to_be_visible()
    expect(tab.locator("#waterfall svg")).to_be_visible()
    assert all(
        STAGE in url for url in tab.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    )
    context.close()
    assert failures == []


def test_a_bundle_without_application_data_still_decides_and_says_what_is_missing(
    page: Any, server: str, ids: dict
) -> None:
    page.goto(f"{server}{IMPORTED}/")
    _look_up(page, ids["known"])
    expect(page.locator("#decision .badge")).to_be_visible()
    expect(page.locator("#waterfall svg")).to_be_visible()
    expect(page.locator("#client-info")).to_contain_text("ne sont pas disponibles pour ce modèle")
    expect(page.locator("#compare-unavailable")).to_contain_text("ne fournit pas de résumés de la population")
    expect(page.locator("#whatif-unavailable")).to_contain_text("La simulation n’est pas disponible")
    expect(page.locator("#whatif-form")).to_be_hidden()
    expect(page.locator("#applicant-form")).to_contain_text(
        "ne calcule pas de décision à partir d’une demande"
    )


# Figures ----------------------------------------------------------------------------------------


def _decision_time(tab: Any) -> float:
    """The page's own measure from submit to the frame showing the decision (User Timing). Polled from
    the test: the page's CSP forbids the string evaluation that wait_for_function relies on."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        duration = tab.evaluate("performance.getEntriesByName('decision-shown')[0]?.duration ?? null")
        if duration is not None:
            return float(duration)
        time.sleep(0.01)
    pytest.fail("the page never measured the time to its decision")


def test_figures_page_weight_and_time_to_decision(
    browser: Any, server: str, ids: dict, capsys: pytest.CaptureFixture
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    tab = context.new_page()
    loaded: dict[str, int] = {}

    def record(response: Any) -> None:
        if response.ok:
            loaded[response.url] = len(gzip.compress(response.body(), compresslevel=9))

    tab.on("response", record)
    tab.goto(f"{server}/")
    _look_up(tab, ids["known"])
    expect(tab.locator("#scatter svg")).to_be_visible()
    tab.wait_for_load_state("networkidle")
    assets = {url: size for url, size in loaded.items() if "/static/" in url or url.endswith("/")}
    page_weight = sum(assets.values())
    everything = sum(loaded.values())

    clients = [ids["known"], *ids["others"]]
    timings = []
    for i in range(LOOKUPS_TIMED):
        _look_up(tab, clients[i % len(clients)])
        # The page measures from the submit event to the frame that shows the decision (User Timing).
        timings.append(_decision_time(tab))
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    context.close()

    figures = {
        "page_weight_gzip_bytes": page_weight,
        "page_assets": len(assets),
        "page_and_api_responses_gzip_bytes": everything,
        "enter_to_decision_ms_p50": statistics.median(timings),
        "enter_to_decision_ms_max": max(timings),
        "lookups": len(timings),
    }
    (ARTIFACTS / "dashboard-figures.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    with capsys.disabled():
        print(
            f"\ndashboard: page weight {page_weight / 1024:.1f} KB gzip in {len(assets)} assets "
            f"(budget {PAGE_WEIGHT_BUDGET // 1024} KB; with API responses {everything / 1024:.1f} KB); "
            f"Enter to decision p50 {figures['enter_to_decision_ms_p50']:.0f} ms, "
            f"max {figures['enter_to_decision_ms_max']:.0f} ms over {len(timings)} lookups (goal 300 ms)"
        )
    assert page_weight <= PAGE_WEIGHT_BUDGET
    assert len(timings) == LOOKUPS_TIMED
