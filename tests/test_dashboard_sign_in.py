"""Signing credit officers in on a stack whose API takes bearer tokens (ApiAuth=JWT).

The settings (`SignIn`), what the page and its Content-Security-Policy carry, and, in a real headless
Chromium, the whole flow: the page leaves for a stand-in identity provider on another origin (OAuth 2.0
authorization code with PKCE, which it checks), comes back, exchanges the code, and calls the API with
the token through a stand-in for API Gateway's JWT authoriser that refuses any call without it.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest
from bundle_factory import build_test_bundle
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route

from credit_scoring.api.app import create_app
from credit_scoring.api.sign_in import AUTHORIZE_URL, CLIENT_ID, SCOPE, TOKEN_URL, SignIn
from credit_scoring.bundle.loader import LoadedBundle, load_bundle

IDP = "https://idp.example.com/oauth2"
SETTINGS = SignIn(f"{IDP}/authorize", f"{IDP}/token", "dashboard-client")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> LoadedBundle:
    return load_bundle(build_test_bundle(tmp_path_factory.mktemp("sign-in") / "bundle", n_clients=300))


# Settings ---------------------------------------------------------------------------------------


def test_no_setting_means_no_sign_in_and_all_four_are_read() -> None:
    assert SignIn.from_environment({}) is None
    assert SignIn.from_environment({AUTHORIZE_URL: " ", TOKEN_URL: ""}) is None
    environ = {AUTHORIZE_URL: SETTINGS.authorize_url, TOKEN_URL: SETTINGS.token_url, CLIENT_ID: "abc"}
    assert SignIn.from_environment(environ) == SignIn(SETTINGS.authorize_url, SETTINGS.token_url, "abc")
    assert SignIn.from_environment({**environ, SCOPE: "openid profile"}).scope == "openid profile"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({AUTHORIZE_URL: f"{IDP}/authorize"}, f"needs {TOKEN_URL}, {CLIENT_ID} too"),
        (
            {AUTHORIZE_URL: "http://idp.example.com/authorize", TOKEN_URL: f"{IDP}/token", CLIENT_ID: "a"},
            f"{AUTHORIZE_URL} must be an https:// URL",
        ),
        (
            {AUTHORIZE_URL: f"{IDP}/authorize", TOKEN_URL: f"{IDP}/token?x=1", CLIENT_ID: "a"},
            f"{TOKEN_URL} must be an https:// URL without query",
        ),
        ({AUTHORIZE_URL: f"{IDP}/authorize", TOKEN_URL: "token", CLIENT_ID: "a"}, f"{TOKEN_URL} must be"),
    ],
    ids=["partial", "plain-http", "query", "relative"],
)
def test_incomplete_or_insecure_settings_are_refused_naming_the_variable(environ: dict, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        SignIn.from_environment(environ)


def test_plain_http_is_accepted_for_a_loopback_provider_only() -> None:
    local = SignIn("http://127.0.0.1:9000/authorize", "http://localhost:9000/token", "dev")
    assert local.token_origin == "http://localhost:9000"


# What the page carries ----------------------------------------------------------------------------


def _connect_sources(response: Any) -> list[str]:
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response.headers["content-security-policy"].split(";")
    )
    return policy["connect-src"].split()


def test_the_page_carries_the_settings_and_may_connect_to_the_token_endpoint_only(bundle) -> None:
    with TestClient(create_app(bundle, sign_in=SETTINGS)) as client:
        page = client.get("/")
        asset = client.get("/static/js/auth.js")
    meta = re.search(r'<meta name="sign-in" content="([^"]*)">', page.text)
    assert meta is not None
    assert html.unescape(meta.group(1)) == SETTINGS.page_settings()
    assert _connect_sources(page) == ["'self'", "https://idp.example.com"]
    assert _connect_sources(asset) == ["'self'", "https://idp.example.com"]
    assert page.headers["content-security-policy"].startswith("default-src 'none'")


def test_without_settings_the_page_has_no_sign_in_and_connects_to_itself_only(bundle) -> None:
    with TestClient(create_app(bundle)) as client:
        page = client.get("/")
    assert 'name="sign-in"' not in page.text
    assert _connect_sources(page) == ["'self'"]


def test_the_lambda_function_reads_the_settings_from_its_environment(bundle) -> None:
    from api_events import aimed, invoke, load_event, load_function

    environ = {AUTHORIZE_URL: SETTINGS.authorize_url, TOKEN_URL: SETTINGS.token_url, CLIENT_ID: "client"}
    function = load_function(MODEL_DIR=str(bundle.path), API_BASE_PATH="/prod", **environ)
    event = aimed(load_event("http-v2-get-predict.json"), "/prod/")
    event["headers"].pop("accept-encoding", None)  # the page as text, not gzip

    status, headers, page = invoke(function["handler"], event)

    assert status == 200
    expected = SignIn(SETTINGS.authorize_url, SETTINGS.token_url, "client")
    assert html.escape(expected.page_settings(), quote=True) in page
    assert "connect-src 'self' https://idp.example.com;" in headers["content-security-policy"]


# The whole flow in a browser ------------------------------------------------------------------------


class _IdentityProvider:
    """A stand-in provider: issues a one-time code for a PKCE challenge and redeems it, once, for a
    token, only with the matching verifier, client id and redirect URI."""

    def __init__(self, client_id: str) -> None:
        self.client_id = client_id
        self.pending: dict[str, dict[str, str]] = {}
        self.issued: list[str] = []
        self.redirect_uris: list[str] = []
        self.app = Starlette(
            routes=[Route("/authorize", self.authorize), Route("/token", self.token, methods=["POST"])]
        )

    async def authorize(self, request: Request) -> Any:
        query = request.query_params
        if (query.get("response_type"), query.get("client_id"), query.get("code_challenge_method")) != (
            "code",
            self.client_id,
            "S256",
        ):
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        code = secrets.token_urlsafe(16)
        self.pending[code] = {"challenge": query["code_challenge"], "redirect_uri": query["redirect_uri"]}
        self.redirect_uris.append(query["redirect_uri"])
        target = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
        return RedirectResponse(target, status_code=302)

    async def token(self, request: Request) -> Any:
        form = {key: values[0] for key, values in parse_qs((await request.body()).decode()).items()}
        origin = request.headers.get("origin", "")
        cors = {"Access-Control-Allow-Origin": origin}
        grant = self.pending.pop(str(form.get("code")), None)
        verifier = str(form.get("code_verifier", ""))
        digest = hashlib.sha256(verifier.encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if (
            grant is None
            or form.get("grant_type") != "authorization_code"
            or form.get("client_id") != self.client_id
            or form.get("redirect_uri") != grant["redirect_uri"]
            or challenge != grant["challenge"]
        ):
            return JSONResponse({"error": "invalid_grant"}, status_code=400, headers=cors)
        token = secrets.token_urlsafe(24)
        self.issued.append(token)
        return JSONResponse({"access_token": token, "token_type": "Bearer", "expires_in": 3600}, headers=cors)


class _JwtGateway:
    """What API Gateway's JWT authoriser does in front of the function, with the page's own routes public
    (template.yaml): any other call without a token the provider issued is a 401."""

    def __init__(self, app: Any, provider: _IdentityProvider) -> None:
        self.app = app
        self.provider = provider
        self.refused: list[str] = []

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        public = path == "/" or path.startswith("/static/")
        if scope["type"] == "http" and not public:
            headers = dict(scope.get("headers", []))
            token = headers.get(b"authorization", b"").decode().removeprefix("Bearer ")
            if token not in self.provider.issued:
                self.refused.append(path)
                await JSONResponse({"message": "Unauthorized"}, status_code=401)(scope, receive, send)
                return
        await self.app(scope, receive, send)


@pytest.fixture(params=["", "/prod"], ids=["root", "stage-prefix"])
def signed_stack(request: pytest.FixtureRequest, bundle: LoadedBundle) -> Iterator[dict[str, Any]]:
    """The stand-in provider on one origin; the app behind the stand-in gateway on another, configured
    to sign officers in with that provider, at the root or behind a stage prefix."""
    from test_dashboard_browser import _PathPrefixes, served

    prefix = request.param
    provider = _IdentityProvider("dashboard-client")
    with served(provider.app) as provider_url:
        sign_in = SignIn(f"{provider_url}/authorize", f"{provider_url}/token", "dashboard-client")
        gateway = _JwtGateway(create_app(bundle, root_path=prefix, sign_in=sign_in), provider)
        with served(_PathPrefixes(gateway, {prefix: gateway}) if prefix else gateway) as app_url:
            yield {"url": app_url + prefix, "provider": provider, "gateway": gateway, "bundle": bundle}


@pytest.mark.slow
def test_an_officer_is_signed_in_and_every_api_call_carries_the_token(signed_stack: dict) -> None:
    from test_dashboard_browser import CHROMIUM, CHROMIUM_ARGS, _console_problem, _look_up, expect
    from test_dashboard_browser import playwright_api as playwright

    if not CHROMIUM.exists():
        pytest.skip(f"Debian chromium is not installed at {CHROMIUM} (make setup installs it)")
    app_url = signed_stack["url"]
    client_id = signed_stack["bundle"].manifest.example_client_ids[0]
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale="fr-FR")
            page = context.new_page()
            problems: list[str] = []
            api_calls: list[tuple[str, str | None]] = []
            page.on("console", lambda message: _console_problem(message, problems))
            page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
            page.on(
                "request",
                lambda request: (
                    api_calls.append((request.url, request.headers.get("authorization")))
                    if request.url.startswith(app_url) and "/static/" not in request.url
                    else None
                ),
            )
            page.goto(app_url)  # behind a stage, without the trailing slash a person may well type
            expect(page.locator("#importance svg")).to_be_visible()  # /model answered, so signed in
            _look_up(page, client_id)
            expect(page.locator("#lookup-status")).to_contain_text(str(client_id))

            assert page.url == f"{app_url}/"  # the code left the address bar
            assert signed_stack["provider"].redirect_uris == [f"{app_url}/"]  # the page's directory
            token = signed_stack["provider"].issued[-1]
            stored = page.evaluate("Object.values(sessionStorage).join(' ')")
            assert token in stored
            assert page.evaluate("Object.keys(localStorage).some(k => k.includes('sign-in'))") is False
            page_loads = [url for url, _ in api_calls if url.split("?")[0] in (app_url, f"{app_url}/")]
            assert len(page_loads) == 2  # before signing in, and back from the provider with the code
            calls = [(url, header) for url, header in api_calls if url not in page_loads]
            assert any(f"/predict/{client_id}" in url for url, _ in calls)
            assert {header for _, header in calls} == {f"Bearer {token}"}
            assert signed_stack["gateway"].refused == []  # never a call before the token

            # A token the gateway refuses (revoked, or expired early): the next call's 401 signs in again.
            page.evaluate(
                "sessionStorage.setItem('credit-scoring.sign-in.token',"
                " JSON.stringify({token: 'revoked', expiresAt: Date.now() + 60000}))"
            )
            _look_up(page, client_id)
            deadline = time.monotonic() + 10
            while len(signed_stack["provider"].issued) < 2 and time.monotonic() < deadline:
                page.wait_for_timeout(50)
            assert len(signed_stack["provider"].issued) == 2
            expect(page.locator("#importance svg")).to_be_visible()
            assert page.url == f"{app_url}/"
            refused = signed_stack["gateway"].refused
            assert f"/predict/{client_id}" in refused  # and the lookup's other calls, made at once
            assert all(path.endswith(f"/{client_id}") for path in refused)
            assert problems == [], f"console errors or CSP violations: {problems}"
        finally:
            browser.close()
