"""The dashboard held to WCAG 2.1 A and AA by axe-core, in every state an officer meets, in both
languages, on a desktop screen and a phone's; the charts' words whole and apart at 390 and 320 px;
reflow at 320 px with the larger text; resizing the window while typing in the applicant form.

axe-core is npm's package at the version package-lock.json pins (`make setup` installs it under
node_modules/). It is added to each page as an init script, which the page's Content-Security-Policy
does not govern, so the page itself is served exactly as in production. One browser for the module, one
page load per language and screen size: each state is reached by using the page, as an officer would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from bundle_factory import build_test_bundle
from test_dashboard_browser import CHROMIUM, CHROMIUM_ARGS, _summaries, served

from credit_scoring.api.app import create_app
from credit_scoring.bundle.loader import load_bundle
from credit_scoring.monitoring.summaries import SummaryStore

pytestmark = pytest.mark.slow

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return load_bundle(build_test_bundle(tmp_path_factory.mktemp("a11y") / "bundle", n_clients=400))


@pytest.fixture(scope="module")
def monitoring_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the model-health view's summaries are: none at first (its "no monitoring data yet" state)."""
    return tmp_path_factory.mktemp("monitoring")


@pytest.fixture(scope="module")
def server(bundle: Any, monitoring_dir: Path) -> Iterator[str]:
    with served(create_app(bundle, summaries=SummaryStore(directory=monitoring_dir / "s"))) as url:
        yield url


@pytest.fixture(scope="module")
def clients(bundle: Any, server: str) -> dict[str, int]:
    """The stored clients of lowest and highest risk, by the decision the API gives them, and a number no
    client has."""
    ids = [int(i) for i in bundle.store.ids]
    by_risk = np.argsort(bundle.store.all_scores["probability"])
    found = {"unknown": next(i for i in range(999_999, 100_000, -1) if i not in set(ids))}
    with httpx.Client(base_url=server, timeout=10) as api:
        for row in (by_risk[0], by_risk[-1]):
            found[api.get(f"/predict/{ids[row]}").json()["decision"]] = ids[row]
    assert set(found) == {"unknown", "accepted", "refused"}, found
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"Debian chromium is not installed at {CHROMIUM} (make setup installs it)")
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed at {AXE} (make setup installs it)")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def open_page(browser: Any, server: str) -> Iterator[Callable[..., Any]]:
    """Opens the dashboard at a screen size and in a language; fails the test on any page error."""
    contexts: list[Any] = []
    problems: list[str] = []

    def open_at(screen: dict[str, int], language: str = "fr") -> Any:
        context = browser.new_context(viewport=screen, locale="fr-FR")
        context.add_init_script(path=str(AXE))
        contexts.append(context)
        tab = context.new_page()
        tab.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
        tab.goto(f"{server}/")
        expect(tab.locator("#importance svg")).to_be_visible()
        if language == "en":
            tab.locator("#language").click()
            expect(tab.locator("html")).to_have_attribute("lang", "en")
        return tab

    yield open_at
    for context in contexts:
        context.close()
    assert problems == []


def _violations(tab: Any) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is, one line per rule and element."""
    found = tab.evaluate(
        """(tags) => axe
            .run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] })
            .then((result) => result.violations.flatMap((rule) =>
                rule.nodes.map((node) => `${rule.id}: ${node.target.join(" ")}: ${node.failureSummary}`)))""",
        WCAG_TAGS,
    )
    return list(found)


def _open_tables(tab: Any) -> None:
    # The data tables sit in closed <details>: opened, so that axe judges them too.
    tab.evaluate("document.querySelectorAll('details').forEach((details) => { details.open = true; })")


def _look_up(tab: Any, client_id: int | str) -> None:
    box = tab.locator("#client-id")
    box.fill(str(client_id))
    box.press("Enter")


def _states(tab: Any, clients: dict[str, int], bundle: Any, monitoring_dir: Path) -> Iterator[str]:
    """Walks the page through each state an officer meets, yielding the state's name once it is shown."""
    # The model-health view drawn: "no monitoring data yet" at first, its tables once summaries exist.
    expect(tab.locator("#health-status:not(:empty), #health-body table").first).to_be_attached()
    _open_tables(tab)
    yield "empty"
    tab.locator("#client-id").press_sequentially("12a")
    expect(tab.locator("#client-id")).to_have_attribute("aria-invalid", "true")
    tab.locator("#client-id").press("Enter")
    yield "malformed id"
    _look_up(tab, clients["unknown"])
    expect(tab.locator("#client-id-error")).to_contain_text(str(clients["unknown"]))
    yield "unknown id"
    for decision in ("accepted", "refused"):
        _look_up(tab, clients[decision])
        expect(tab.locator(f"#decision .badge.{decision}")).to_be_visible()
        expect(tab.locator("#waterfall svg")).to_be_visible()
        expect(tab.locator("#client-info dl")).to_be_visible()
        expect(tab.locator("#scatter svg")).to_be_visible()
        _open_tables(tab)
        yield decision
    variables = tab.locator("#compare-variable option").evaluate_all("list => list.map(o => o.value)")
    tab.locator("#compare-variable").select_option(variables[-1])
    tab.locator("#scatter-x").select_option(variables[-1])
    expect(tab.locator("#scatter svg")).to_be_visible()
    yield "comparisons"
    compare = tab.locator("#decision-reasons button[aria-controls]")
    for state, index in (("reason compared", 0), ("another reason compared", -1)):
        compare.nth(index).click()
        expect(compare.nth(index)).to_have_attribute("aria-expanded", "true")
        expect(tab.locator("#decision-reasons .reason-population svg[role=img]")).to_be_visible()
        _open_tables(tab)
        yield state
    tab.locator("#whatif-field").select_option("AMT_CREDIT")
    tab.locator("#whatif-value").fill("abc")
    tab.locator("#whatif-form button[type=submit]").click()
    expect(tab.locator("#whatif-value")).to_have_attribute("aria-invalid", "true")
    yield "what-if typed wrongly"
    tab.locator("#whatif-value").fill("900000")
    tab.locator("#whatif-form button[type=submit]").click()
    expect(tab.locator("#whatif-result .badge")).to_be_visible()
    yield "what-if"
    credit = tab.locator("#applicant-AMT_CREDIT")
    credit.fill("beaucoup")
    tab.locator("#applicant-form button[type=submit]").click()
    expect(credit).to_have_attribute("aria-invalid", "true")
    yield "applicant form typed wrongly"
    credit.fill("450000")
    tab.locator("#applicant-form button[type=submit]").click()
    expect(tab.locator("#applicant-result .badge")).to_be_visible()
    yield "applicant form decided"
    tab.locator("#applicant-result button[aria-controls]").first.click()
    expect(tab.locator("#applicant-result .reason-population svg[role=img]")).to_be_visible()
    _open_tables(tab)
    yield "applicant reason compared"
    if not (monitoring_dir / "s").exists():
        _summaries(bundle, monitoring_dir)
    tab.locator("#health-refresh").click()
    expect(tab.locator("#health-body table")).to_have_count(3)
    _open_tables(tab)
    yield "model health"


# Every chart's words, measured where the browser drew them: outside the drawing, over one another,
# or shortened with an ellipsis.
LABEL_PROBLEMS = """() => [...document.querySelectorAll(".chart svg[role=img]")].flatMap((svg) => {
    const chart = svg.parentElement.id;
    const box = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll("text")].map((text) => ({
        words: text.textContent, r: text.getBoundingClientRect() }));
    const problems = [];
    texts.forEach(({ words, r }, i) => {
        if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1
            || r.bottom > box.bottom + 1) {
            problems.push(`${chart}: "${words}" is outside the chart`);
        }
        if (words.includes("…")) {
            problems.push(`${chart}: "${words}" is cut`);
        }
        for (const other of texts.slice(i + 1)) {
            const across = Math.min(r.right, other.r.right) - Math.max(r.left, other.r.left);
            const down = Math.min(r.bottom, other.r.bottom) - Math.max(r.top, other.r.top);
            if (across > 1 && down > 1) {
                problems.push(`${chart}: "${words}" overlaps "${other.words}"`);
            }
        }
    });
    return problems;
})"""


CHART_STATES = (
    "accepted",
    "refused",
    "comparisons",
    "reason compared",
    "another reason compared",
    "applicant reason compared",
)


def _label_problems(tab: Any) -> list[str]:
    """Where the charts' words are unreadable; the waterfall's axis must have more than two ticks."""
    reason_charts = tab.locator(".reason-population:not([hidden]) .chart svg[role=img]").count()
    assert tab.locator(".chart svg[role=img]").count() == 7 + reason_charts
    assert tab.locator("#waterfall text.tick").count() > 2
    return list(tab.evaluate(LABEL_PROBLEMS))


def _report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{state}: {line}" for state, lines in found.items() for line in lines)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("screen", SCREENS)
def test_axe_finds_no_wcag_violation_in_any_state(
    open_page: Callable[..., Any],
    clients: dict[str, int],
    bundle: Any,
    monitoring_dir: Path,
    screen: str,
    language: str,
) -> None:
    """On the phone's screen, the charts' words are checked in the same walk: whole and apart at 390 px
    (320 px is checked with the larger text, below)."""
    tab = open_page(SCREENS[screen], language)
    violations: dict[str, list[str]] = {}
    labels: dict[str, list[str]] = {}
    for state in _states(tab, clients, bundle, monitoring_dir):
        violations[state] = _violations(tab)
        if screen == "phone" and state in CHART_STATES:
            labels[state] = _label_problems(tab)
    assert tab.locator("html").get_attribute("lang") == language
    assert len(violations) == 14, f"states reached: {list(violations)}"
    assert _report(violations) == ""
    assert _report(labels) == ""


def _horizontal_overflow(tab: Any) -> int:
    return tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_reflow_at_320_pixels_with_larger_text(
    open_page: Callable[..., Any], clients: dict[str, int], bundle: Any, monitoring_dir: Path
) -> None:
    """WCAG 1.4.10: at 320 CSS pixels, with the page's own larger text, nothing needs scrolling sideways,
    whatever the officer has opened, in either language; the charts' words stay whole and apart."""
    tab = open_page({"width": 320, "height": 800})
    base = tab.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    tab.locator("#text-size").click()
    expect(tab.locator("#text-size")).to_have_attribute("aria-pressed", "true")
    assert tab.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") > base
    overflow: dict[str, int] = {}
    labels: dict[str, list[str]] = {}
    for language in ("fr", "en"):
        if language == "en":
            tab.locator("#language").click()
        for state in _states(tab, clients, bundle, monitoring_dir):
            overflow[f"{language}, {state}"] = _horizontal_overflow(tab)
            if state in CHART_STATES:
                labels[f"{language}, {state}"] = _label_problems(tab)
    assert len(overflow) == 28
    assert overflow == dict.fromkeys(overflow, 0)
    assert _report(labels) == ""


def test_resizing_while_typing_keeps_the_focus_and_the_text(open_page: Callable[..., Any]) -> None:
    tab = open_page(SCREENS["desktop"])
    income = tab.locator("#applicant-AMT_INCOME_TOTAL")
    income.click()
    tab.keyboard.type("180")
    # A phone turned sideways, then back: the width changes twice, and the charts are drawn again.
    for screen in ({"width": 844, "height": 390}, SCREENS["phone"]):
        tab.set_viewport_size(screen)
        tab.wait_for_timeout(100)
        tab.keyboard.type("0")
    expect(income).to_be_focused()
    expect(income).to_have_value("18000")
    assert tab.evaluate("document.querySelector('#importance svg').getAttribute('width')") == str(
        tab.evaluate("document.getElementById('importance').clientWidth")
    )
