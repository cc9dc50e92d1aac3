"""Verifying OpenID Connect access tokens: the port the case service depends on.

`Verifier.verify(token)` returns the token's verified claims or raises `InvalidToken`
(expired, forged, wrong issuer or audience, unknown key...). `TokenVerifier` is the
implementation against any provider found by discovery (the embedded one in `oidc/`,
Keycloak, Microsoft Entra ID...): the issuer's `/.well-known/openid-configuration`
names its JWKS; the keys are cached and fetched again, at most once per
`refetch_interval`, when a token names a key id the cache does not hold (rotation).
Signatures and the registered claims are checked by joserfc, never by hand.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

import httpx
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey

from adapters.clock import Clock, SystemClock

if TYPE_CHECKING:
    from adapters.settings import Settings

# Asymmetric signatures only: never `none`, never a shared-secret HS* (a verifier that
# accepts HS256 can be fooled with the provider's public key used as the secret).
ALGORITHMS = ("RS256", "ES256", "PS256")
_KEY_TYPES: dict[str, type[RSAKey] | type[ECKey]] = {"RSA": RSAKey, "EC": ECKey}


class InvalidToken(Exception):
    """The token is not one the service accepts; the message is for logs, never echoed."""


class Verifier(Protocol):
    def verify(self, token: str) -> dict[str, Any]: ...


class ProviderUnavailable(InvalidToken):
    """Discovery or the JWKS could not be fetched (the provider is down or misconfigured)."""


class TokenVerifier:
    """Checks bearer tokens against an OpenID Connect provider's published keys.

    issuer: the provider's issuer URL, exactly as its tokens carry it in `iss`.
    audience: the value this service expects in `aud` (default `utvag-case-service`).
    leeway: seconds of clock skew tolerated on `exp`, `nbf` and `iat`.
    """

    def __init__(self, issuer: str, audience: str, http_client: httpx.Client | None = None,
                 *, clock: Clock | None = None, leeway: int = 30,
                 refetch_interval: float = 10.0) -> None:
        if not issuer or not audience:
            raise ValueError("oidc_issuer and oidc_audience are both required")
        self.issuer = issuer
        self.audience = audience
        self._http = http_client or httpx.Client(timeout=5.0)
        self._clock = clock or SystemClock()
        self._leeway = leeway
        self._refetch_interval = refetch_interval
        self._lock = threading.Lock()
        self._jwks_uri: str | None = None
        self._keys: dict[str, RSAKey | ECKey] = {}
        self._fetched_at: datetime | None = None  # the last attempt, successful or not

    @classmethod
    def from_settings(cls, settings: Settings, *, http_client: httpx.Client | None = None,
                      clock: Clock | None = None) -> TokenVerifier:
        """The verifier for the configured provider (`oidc_issuer`, `oidc_audience`)."""
        return cls(settings.oidc_issuer, settings.oidc_audience, http_client, clock=clock)

    # -- keys ---------------------------------------------------------------------------
    def _get_json(self, url: str) -> dict[str, Any]:
        try:
            response = self._http.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ProviderUnavailable(f"{url}: {type(exc).__name__}") from None
        if not isinstance(body, dict):
            raise ProviderUnavailable(f"{url}: not a JSON object")
        return body

    def _discover(self) -> str:
        if self._jwks_uri is None:
            url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
            config = self._get_json(url)
            if config.get("issuer") != self.issuer:
                raise ProviderUnavailable("discovery: the document names another issuer")
            jwks_uri = config.get("jwks_uri")
            if not isinstance(jwks_uri, str) or not jwks_uri:
                raise ProviderUnavailable("discovery: no jwks_uri")
            self._jwks_uri = jwks_uri
        return self._jwks_uri

    def _fetch_keys(self) -> None:
        self._fetched_at = self._clock.now()  # a provider that is down is not asked again at once
        document = self._get_json(self._discover())
        keys: dict[str, RSAKey | ECKey] = {}
        for entry in document.get("keys") or []:
            if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
                continue
            key_type = _KEY_TYPES.get(str(entry.get("kty")))
            if key_type is None or "d" in entry:
                continue  # an unknown kind, or a private key a provider should never publish
            try:
                keys[str(entry.get("kid", ""))] = key_type.import_key(entry)
            except (JoseError, ValueError, TypeError):
                continue
        self._keys = keys

    def _key_for(self, kid: str) -> RSAKey | ECKey:
        with self._lock:
            if self._fetched_at is None or (kid not in self._keys and self._may_refetch()):
                # First use, or a kid not seen yet (rotation), at most once per interval.
                self._fetch_keys()
            if kid in self._keys:
                return self._keys[kid]
            if not kid and len(self._keys) == 1:
                return next(iter(self._keys.values()))
        raise InvalidToken("unknown signing key")

    def _may_refetch(self) -> bool:
        assert self._fetched_at is not None
        return (self._clock.now() - self._fetched_at).total_seconds() >= self._refetch_interval

    # -- tokens -------------------------------------------------------------------------
    def verify(self, token: str) -> dict[str, Any]:
        if not isinstance(token, str) or token.count(".") != 2:
            raise InvalidToken("not a signed JWT")
        try:
            header = jws.extract_compact(token.encode("ascii")).protected
        except (JoseError, ValueError, UnicodeError):
            raise InvalidToken("malformed token") from None
        alg = header.get("alg")
        if alg not in ALGORITHMS:
            raise InvalidToken(f"algorithm not accepted: {str(alg)[:16]}")
        kid = header.get("kid", "")
        key = self._key_for(kid if isinstance(kid, str) else "")
        key_alg = key.get("alg")
        if key_alg is not None and key_alg != alg:
            raise InvalidToken("the key is not for this algorithm")
        try:
            decoded = jwt.decode(token, key, algorithms=[alg])
            self._registry().validate(decoded.claims)
        except (JoseError, ValueError) as exc:
            raise InvalidToken(f"rejected: {type(exc).__name__}") from None
        return dict(decoded.claims)

    def _registry(self) -> jwt.JWTClaimsRegistry:
        return jwt.JWTClaimsRegistry(
            now=lambda: int(self._clock.now().timestamp()), leeway=self._leeway,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.audience},
            exp={"essential": True},
            sub={"essential": True},
        )
