"""`SignIn`: how the dashboard signs a credit officer in when the API is behind a JWT authoriser.

On AWS the API answers only requests that API Gateway has authorised (`ApiAuth` in template.yaml). A
browser cannot sign SigV4 requests, so officers use a JWT stack: the page signs them in with the
company's identity provider (OAuth 2.0 authorization code with PKCE, a public client: the page holds no
secret) and sends the access token with every call, which the gateway checks before the function runs.
The function only tells the page where the provider's endpoints are; it never sees a password.

The four settings come from the environment (template.yaml sets them from its parameters). None set:
the page calls the API without a token, as locally or behind `ApiAuth=NONE`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

AUTHORIZE_URL: Final = "DASHBOARD_SIGN_IN_AUTHORIZE_URL"
TOKEN_URL: Final = "DASHBOARD_SIGN_IN_TOKEN_URL"
CLIENT_ID: Final = "DASHBOARD_SIGN_IN_CLIENT_ID"
SCOPE: Final = "DASHBOARD_SIGN_IN_SCOPE"
_LOOPBACK: Final = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class SignIn:
    """The identity provider's OAuth 2.0 endpoints, the page's client id and the scope it asks for."""

    authorize_url: str
    token_url: str
    client_id: str
    scope: str = "openid"

    def __post_init__(self) -> None:
        for name, url in ((AUTHORIZE_URL, self.authorize_url), (TOKEN_URL, self.token_url)):
            parts = urlsplit(url)
            secure = parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK)
            if not secure or not parts.hostname or parts.query or parts.fragment:
                raise ValueError(
                    f"{name} must be an https:// URL without query or fragment (http:// only for a "
                    f"loopback host), got {url!r}"
                )
        if not self.client_id.strip():
            raise ValueError(f"{CLIENT_ID} must not be empty")
        if not self.scope.strip():
            raise ValueError(f"{SCOPE} must not be empty")

    @property
    def token_origin(self) -> str:
        """The origin the page exchanges its code at: the one place it connects to besides the API."""
        parts = urlsplit(self.token_url)
        return f"{parts.scheme}://{parts.netloc}"

    def page_settings(self) -> str:
        """What the page needs to sign in, as the JSON it reads."""
        return json.dumps(
            {
                "authorizeUrl": self.authorize_url,
                "tokenUrl": self.token_url,
                "clientId": self.client_id,
                "scope": self.scope,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> SignIn | None:
        """The settings in `environ`; None when none is set (empty counts as unset). Raises ValueError
        naming the variable when only some are set or one is malformed."""
        values = {name: environ.get(name, "").strip() for name in (AUTHORIZE_URL, TOKEN_URL, CLIENT_ID)}
        if not any(values.values()):
            return None
        missing = [name for name, value in values.items() if not value]
        if missing:
            raise ValueError(f"dashboard sign-in needs {', '.join(missing)} too (or none of them set)")
        scope = environ.get(SCOPE, "").strip() or "openid"
        return cls(values[AUTHORIZE_URL], values[TOKEN_URL], values[CLIENT_ID], scope)
