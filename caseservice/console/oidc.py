"""The console's side of OpenID Connect, against any provider found by discovery:
the authorization URL (code flow, PKCE S256, state, nonce), the code exchange, refresh
and the provider's end_session URL. Tokens are checked by the case service's verifier
(`adapters.oidc.Verifier`), never here."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

SCOPE = "openid profile utvag"


class SignInFailed(Exception):
    """The provider refused or could not be reached (the message is for logs only)."""


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


@dataclass
class ConsoleOidc:
    """issuer: as in discovery; client_id: the console's client (`utvag-console`);
    client_secret: when the provider registered it as confidential."""

    issuer: str
    client_id: str = "utvag-console"
    client_secret: str | None = None
    scope: str = SCOPE
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10.0))
    _config: dict[str, Any] | None = None

    @property
    def origin(self) -> str:
        parts = urlsplit(self.issuer)
        return f"{parts.scheme}://{parts.netloc}"

    def discovery(self) -> dict[str, Any]:
        if self._config is None:
            url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
            config = self._json(self._get(url))
            if config.get("issuer") != self.issuer:
                raise SignInFailed("discovery names another issuer")
            self._config = config
        return self._config

    def _get(self, url: str) -> httpx.Response:
        try:
            return self.http.get(url)
        except httpx.HTTPError as exc:
            raise SignInFailed(type(exc).__name__) from None

    @staticmethod
    def _json(response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400 or not isinstance(body, dict) or "error" in body:
            error = body.get("error") if isinstance(body, dict) else None
            raise SignInFailed(f"HTTP {response.status_code} {error or ''}".strip())
        return body

    def authorization_url(self, *, redirect_uri: str, state: str, nonce: str,
                          challenge: str) -> str:
        params = {"response_type": "code", "client_id": self.client_id, "scope": self.scope,
                  "redirect_uri": redirect_uri, "state": state, "nonce": nonce,
                  "code_challenge": challenge, "code_challenge_method": "S256"}
        return f"{self.discovery()['authorization_endpoint']}?{urlencode(params)}"

    def _token(self, data: dict[str, str]) -> dict[str, Any]:
        url = self.discovery()["token_endpoint"]
        try:
            if self.client_secret:
                response = self.http.post(url, data=data,
                                          auth=(self.client_id, self.client_secret))
            else:
                response = self.http.post(url, data={**data, "client_id": self.client_id})
        except httpx.HTTPError as exc:
            raise SignInFailed(type(exc).__name__) from None
        body = self._json(response)
        if not isinstance(body.get("access_token"), str):
            raise SignInFailed("no access token")
        return body

    def exchange(self, *, code: str, redirect_uri: str, verifier: str) -> dict[str, Any]:
        return self._token({"grant_type": "authorization_code", "code": code,
                            "redirect_uri": redirect_uri, "code_verifier": verifier})

    def refresh(self, refresh_token: str) -> dict[str, Any]:
        return self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def end_session_url(self, *, id_token: str | None, post_logout: str) -> str | None:
        try:
            endpoint = self.discovery().get("end_session_endpoint")
        except SignInFailed:
            return None
        if not isinstance(endpoint, str):
            return None
        params = {"client_id": self.client_id, "post_logout_redirect_uri": post_logout}
        if id_token:
            params["id_token_hint"] = id_token
        return f"{endpoint}?{urlencode(params)}"
