"""The client side of OpenID Connect: what `utvag login` (and the tests) say to a provider.

Authorization code with PKCE (S256), the device authorization grant (RFC 8628), refresh
and revocation, against any provider found by discovery. No token is ever checked
here: the case service does that (`adapters.oidc.TokenVerifier`); the client only keeps
what the provider gave it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
DEFAULT_SCOPE = "openid profile utvag"


class OidcError(Exception):
    """The provider refused (error code in `error`) or could not be reached."""

    def __init__(self, error: str, description: str = "") -> None:
        super().__init__(f"{error}: {description}" if description else error)
        self.error = error
        self.description = description


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    expires_at: datetime
    refresh_token: str | None = None
    id_token: str | None = None
    scope: str = ""
    issuer: str = ""
    client_id: str = ""

    @classmethod
    def from_response(cls, body: dict[str, Any], *, now: datetime, issuer: str,
                      client_id: str, previous: TokenSet | None = None) -> TokenSet:
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise OidcError("invalid_response", "no access_token")
        expires_in = body.get("expires_in")
        seconds = int(expires_in) if isinstance(expires_in, (int, float)) else 300
        keep = previous.refresh_token if previous else None  # a provider may not rotate
        return cls(access_token=token, expires_at=now + timedelta(seconds=seconds),
                   refresh_token=body.get("refresh_token") or keep,
                   id_token=body.get("id_token") or (previous.id_token if previous else None),
                   scope=str(body.get("scope") or ""), issuer=issuer, client_id=client_id)

    def expired(self, now: datetime, margin: timedelta = timedelta(seconds=30)) -> bool:
        return now + margin >= self.expires_at

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "expires_at": self.expires_at.isoformat()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TokenSet:
        return cls(**{**data, "expires_at": datetime.fromisoformat(data["expires_at"])})


@dataclass(frozen=True)
class Pkce:
    verifier: str
    challenge: str

    @classmethod
    def new(cls) -> Pkce:
        verifier = secrets.token_urlsafe(48)
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        return cls(verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii"))


@dataclass(frozen=True)
class DeviceAuthorization:
    device_code: str
    user_code: str
    verification_uri: str
    verification_uri_complete: str | None
    interval: int
    expires_in: int


class OidcClient:
    def __init__(self, issuer: str, client_id: str, *, client_secret: str | None = None,
                 http_client: httpx.Client | None = None) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self._secret = client_secret
        self._http = http_client or httpx.Client(timeout=10.0)
        self._config: dict[str, Any] | None = None

    def discovery(self) -> dict[str, Any]:
        if self._config is None:
            url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
            config = self._json(self._call("GET", url))
            if config.get("issuer") != self.issuer:
                raise OidcError("invalid_issuer", "discovery names another issuer")
            self._config = config
        return self._config

    def endpoint(self, name: str) -> str | None:
        value = self.discovery().get(name)
        return value if isinstance(value, str) else None

    def _required(self, name: str) -> str:
        url = self.endpoint(name)
        if url is None:
            raise OidcError("unsupported", f"the provider has no {name}")
        return url

    def _call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return self._http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise OidcError("unreachable", f"{url}: {type(exc).__name__}") from None

    @staticmethod
    def _json(response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise OidcError("invalid_response", f"HTTP {response.status_code}")
        if response.status_code >= 400 or "error" in body:
            raise OidcError(str(body.get("error", f"http_{response.status_code}")),
                            str(body.get("error_description", "")))
        return body

    def _post(self, name: str, data: dict[str, str]) -> dict[str, Any]:
        auth = (self.client_id, self._secret) if self._secret else None
        if auth is None:
            data = {**data, "client_id": self.client_id}
        return self._json(self._call("POST", self._required(name), data=data, auth=auth))

    def authorization_url(self, *, redirect_uri: str, state: str, pkce: Pkce,
                          scope: str = DEFAULT_SCOPE, nonce: str | None = None) -> str:
        params = {"response_type": "code", "client_id": self.client_id, "scope": scope,
                  "redirect_uri": redirect_uri, "state": state,
                  "code_challenge": pkce.challenge, "code_challenge_method": "S256"}
        if nonce:
            params["nonce"] = nonce
        return f"{self._required('authorization_endpoint')}?{urlencode(params)}"

    def _tokens(self, body: dict[str, Any], now: datetime,
                previous: TokenSet | None = None) -> TokenSet:
        return TokenSet.from_response(body, now=now, issuer=self.issuer,
                                      client_id=self.client_id, previous=previous)

    def exchange_code(self, *, code: str, redirect_uri: str, pkce: Pkce,
                      now: datetime) -> TokenSet:
        body = self._post("token_endpoint", {"grant_type": "authorization_code", "code": code,
                                             "redirect_uri": redirect_uri,
                                             "code_verifier": pkce.verifier})
        return self._tokens(body, now)

    def refresh(self, tokens: TokenSet, *, now: datetime) -> TokenSet:
        if not tokens.refresh_token:
            raise OidcError("invalid_grant", "no refresh token")
        body = self._post("token_endpoint", {"grant_type": "refresh_token",
                                             "refresh_token": tokens.refresh_token})
        return self._tokens(body, now, previous=tokens)

    def start_device(self, scope: str = DEFAULT_SCOPE) -> DeviceAuthorization:
        body = self._post("device_authorization_endpoint", {"scope": scope})
        try:
            return DeviceAuthorization(
                device_code=str(body["device_code"]), user_code=str(body["user_code"]),
                verification_uri=str(body["verification_uri"]),
                verification_uri_complete=body.get("verification_uri_complete"),
                interval=int(body.get("interval", 5)), expires_in=int(body["expires_in"]))
        except (KeyError, TypeError, ValueError):
            raise OidcError("invalid_response", "device authorization") from None

    def poll_device(self, device: DeviceAuthorization, *, now: datetime) -> TokenSet | None:
        """The tokens once the person approved; None while pending (`slow_down` raises)."""
        try:
            body = self._post("token_endpoint", {"grant_type": DEVICE_GRANT,
                                                 "device_code": device.device_code})
        except OidcError as exc:
            if exc.error == "authorization_pending":
                return None
            raise
        return self._tokens(body, now)

    def revoke(self, token: str, hint: str = "refresh_token") -> bool:
        """Revoke at the provider if it offers revocation; False when it does not."""
        if self.endpoint("revocation_endpoint") is None:
            return False
        auth = (self.client_id, self._secret) if self._secret else None
        data = {"token": token, "token_type_hint": hint}
        if auth is None:
            data["client_id"] = self.client_id
        response = self._call("POST", self._required("revocation_endpoint"), data=data, auth=auth)
        return response.status_code == 200
