"""Bearer tokens for the service benchmark's clients, and the verifier the service
checks them with on every request. Two modes:

- `provider`: the embedded OpenID Connect provider (`adapters.oidc_provider`, node
  `oidc/server.mjs`) on loopback; every client signs in on its login form
  (authorization code with PKCE, `tests/oidc_login.py`) as one of the four demo users of
  Stockholm (0180) and Göteborg (1480), and the service checks the tokens with
  `adapters.oidc.TokenVerifier` (discovery, JWKS, signature, iss, aud, exp/nbf): what
  `utvag serve` runs.
- `bench-key`: when the provider is not there (no node, or `adapters.oidc` without
  `TokenVerifier`): tokens signed RS256 by a key the benchmark makes, with the claims the
  provider's carry, checked by `JwksVerifier` below over the key's public JWKS (the same
  checks, with joserfc: algorithm, key id, signature, iss, aud, exp, nbf).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

AUDIENCE = "utvag-case-service"
BENCH_ISSUER = "https://bench-idp.invalid"


@dataclass(frozen=True)
class DemoUser:
    username: str  # the provider's demo user (oidc/users.json)
    organisation: str
    role: str


# The demo users who may read and decide the cases of their own municipality.
USERS = (DemoUser("stockholm.samordnare", "municipality:0180", "coordinator"),
         DemoUser("stockholm.handlaggare", "municipality:0180", "social_handler"),
         DemoUser("goteborg.samordnare", "municipality:1480", "coordinator"),
         DemoUser("goteborg.handlaggare", "municipality:1480", "social_handler"))


def user_for(client: int) -> DemoUser:
    return USERS[client % len(USERS)]


def provider_available() -> bool:
    import shutil

    try:
        from adapters import oidc, oidc_provider  # noqa: F401
    except ImportError:
        return False
    return hasattr(oidc, "TokenVerifier") and shutil.which("node") is not None


class JwksVerifier:
    """Checks RS256 tokens against a public JWKS: key by `kid`, signature, `iss`, `aud`,
    `exp` and `nbf` (the `bench-key` mode's stand-in for `TokenVerifier`)."""

    def __init__(self, jwks: dict[str, Any], issuer: str = BENCH_ISSUER,
                 audience: str = AUDIENCE) -> None:
        self.keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
        self.registry = jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": issuer}, aud={"essential": True, "value": audience},
            exp={"essential": True}, sub={"essential": True})

    def verify(self, token: str) -> dict[str, Any]:
        from adapters.oidc import InvalidToken

        try:
            decoded = jwt.decode(token, self.keys, algorithms=["RS256"])
            self.registry.validate(decoded.claims)
        except (JoseError, ValueError) as exc:
            raise InvalidToken(type(exc).__name__) from None
        return dict(decoded.claims)


class BenchKey:
    """The `bench-key` mode's signer: one RSA key, made per run."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "bench-1", "use": "sig"})

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False)]}

    def token(self, client: int, *, ttl: int = 3600) -> str:
        user, now = user_for(client), int(time.time())
        claims = {"iss": BENCH_ISSUER, "aud": AUDIENCE, "sub": f"bench-{user.username}",
                  "iat": now, "nbf": now - 5, "exp": now + ttl,
                  "preferred_username": user.username, "name": user.username,
                  "utvag_org": user.organisation, "utvag_roles": [user.role]}
        return jwt.encode({"alg": "RS256", "kid": "bench-1"}, claims, self.key)


@dataclass
class Auth:
    """What the server needs to verify (`mode` and `issuer` or `jwks`) and the clients'
    tokens, one per client."""

    mode: str
    tokens: list[str]
    issuer: str = ""
    jwks: dict[str, Any] | None = None
    stop: Any = None  # the provider's stop(), in provider mode

    def server_config(self) -> dict[str, Any]:
        return {"mode": self.mode, "issuer": self.issuer, "jwks": self.jwks}


def bench_key_auth(clients: int) -> Auth:
    key = BenchKey()
    return Auth("bench-key", [key.token(i) for i in range(clients)], jwks=key.jwks())


def provider_auth(clients: int, workdir: Path, *, console: str | None = None) -> Auth:
    """Start the embedded provider and sign every client in (its own session).
    `console`: the base URL the console will have (its callback registered)."""
    from adapters.oidc_provider import EmbeddedProvider
    from tests.oidc_login import token_for

    redirects = [f"{console}/auth/callback"] if console else []
    provider = EmbeddedProvider(keys_file=workdir / "oidc-keys.json", access_ttl=3600,
                                console_redirects=redirects,
                                console_post_logout=[f"{console}/"] if console else [])
    provider.start()
    try:
        with ThreadPoolExecutor(4) as pool:  # the provider answers several at once
            tokens = list(pool.map(
                lambda i: token_for(provider, user_for(i).username).access_token,
                range(clients)))
    except BaseException:
        provider.stop()
        raise
    return Auth("provider", tokens, issuer=provider.issuer, stop=provider.stop)


def console_sessions(base_url: str, clients: int) -> list[str]:
    """Sign every client in on the console, as a browser does: the console's sign-in
    start, the provider's login form (authorization code + PKCE), the console's callback;
    the session cookie each ends up with."""
    from urllib.parse import urljoin

    import httpx

    from adapters.oidc_provider import DEMO_PASSWORD
    from tests.oidc_login import sign_in

    callback = f"{base_url}/auth/callback"

    def one(i: int) -> str:
        with httpx.Client(timeout=30.0) as http:
            start = http.get(f"{base_url}/console/sign-in/start", params={"next": "/console/"})
            if not start.is_redirect:
                raise RuntimeError(f"console sign-in: HTTP {start.status_code}")
            back = sign_in(http, start.headers["location"], user_for(i).username,
                           DEMO_PASSWORD, stop_at=callback)
            if not back.is_redirect:
                raise RuntimeError(f"console sign-in: no callback (HTTP {back.status_code})")
            http.get(urljoin(str(back.url), back.headers["location"])).raise_for_status()
            session = http.cookies.get("utvag_console")
            if not session:
                raise RuntimeError("console sign-in: no session cookie")
            return session

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(one, range(clients)))


def verifier_for(config: dict[str, Any]) -> Any:
    """The service's verifier, in the server process."""
    if config["mode"] == "provider":
        from adapters.oidc import TokenVerifier

        return TokenVerifier(config["issuer"], AUDIENCE)
    return JwksVerifier(config["jwks"])
