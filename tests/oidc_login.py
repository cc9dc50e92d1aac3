"""Real tokens for tests: sign in on the embedded provider's login form with httpx.

    tokens = token_for(oidc_provider, "stockholm.samordnare")
    headers = {"Authorization": f"Bearer {tokens.access_token}"}

Drives the same pages a browser gets (authorization code + PKCE, the login form, the
automatic grant), so what a test holds is exactly what `utvag login` would hold.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

from adapters.oidc_client import DEFAULT_SCOPE, OidcClient, Pkce, TokenSet
from adapters.oidc_provider import DEMO_PASSWORD

CLI_REDIRECT = "http://127.0.0.1:53682/callback"
_LOGIN_FORM = re.compile(r'action="(/interaction/[\w-]+/login)"')
_INPUTS = re.compile(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', re.S)
_FORM = re.compile(r'<form[^>]*action="([^"]*/device[^"]*)"', re.S)


class HasIssuer(Protocol):
    issuer: str


class LoginFailed(Exception):
    """The provider did not sign the person in (wrong password, locked out...)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def sign_in(http: httpx.Client, url: str, username: str, password: str,
            *, stop_at: str | None = None) -> httpx.Response:
    """Follow the provider's redirects from `url`, filling in the login form when it is
    shown, until a redirect leaves for `stop_at` (returned unfollowed) or a page that is
    not the login form is shown (returned)."""
    response = http.get(url)
    for _ in range(20):
        if response.is_redirect:
            location = urljoin(str(response.url), response.headers["location"])
            if stop_at and location.startswith(stop_at):
                return response
            response = http.get(location)
            continue
        match = _LOGIN_FORM.search(response.text)
        if match is None:
            return response
        response = http.post(urljoin(str(response.url), match.group(1)),
                             data={"username": username, "password": password})
        if response.status_code in (401, 429):
            raise LoginFailed(f"{username}: refused (HTTP {response.status_code})",
                              response.status_code)
    raise LoginFailed("too many redirects")


def token_for(provider: HasIssuer | str, username: str, password: str = DEMO_PASSWORD, *,
              client_id: str = "utvag-cli", redirect_uri: str = CLI_REDIRECT,
              client_secret: str | None = None, scope: str = DEFAULT_SCOPE,
              now: datetime | None = None) -> TokenSet:
    """Sign `username` in with the authorization code flow and PKCE; the provider's tokens."""
    issuer = provider if isinstance(provider, str) else provider.issuer
    with httpx.Client(timeout=10.0) as http:
        client = OidcClient(issuer, client_id, client_secret=client_secret, http_client=http)
        pkce, state = Pkce.new(), secrets.token_urlsafe(16)
        url = client.authorization_url(redirect_uri=redirect_uri, state=state, pkce=pkce,
                                       scope=scope)
        final = sign_in(http, url, username, password, stop_at=redirect_uri)
        if not final.is_redirect:
            raise LoginFailed(f"no redirect back to the client (HTTP {final.status_code})")
        query = parse_qs(urlsplit(final.headers["location"]).query)
        if query.get("state") != [state] or "code" not in query:
            raise LoginFailed(f"refused: {query.get('error', ['?'])[0]}")
        return client.exchange_code(code=query["code"][0], redirect_uri=redirect_uri,
                                    pkce=pkce, now=now or datetime.now(UTC))


def approve_device(issuer: str, verification_uri: str, user_code: str, username: str,
                   password: str = DEMO_PASSWORD) -> str:
    """What a person does on another device: enter the code, confirm, sign in. Returns
    the final page's text (the provider's "done" page)."""
    with httpx.Client(timeout=10.0) as http:
        page = http.get(verification_uri)
        for _ in range(3):
            form = _FORM.search(page.text)
            if form is None:
                break
            fields = dict(_INPUTS.findall(page.text))
            fields.setdefault("user_code", user_code)
            if not fields["user_code"]:
                fields["user_code"] = user_code
            page = http.post(urljoin(issuer + "/", form.group(1)), data=fields)
            if page.is_redirect:
                page = sign_in(http, urljoin(str(page.url), page.headers["location"]),
                               username, password)
        return page.text
