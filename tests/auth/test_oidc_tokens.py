"""The case service's token check against the real embedded provider: a signed-in
person's token gives their principal; anything expired, forged, for someone else or
unsigned is refused."""

from __future__ import annotations

import base64
import functools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from adapters.oidc import InvalidToken, ProviderUnavailable, TokenVerifier
from adapters.oidc_provider import EmbeddedProvider
from models.principal import Principal, Role
from tests.fakes.clock import FakeClock
from tests.oidc_fixtures import AUDIENCE, CONSOLE_REDIRECT
from tests.oidc_login import CLI_REDIRECT, LoginFailed, token_for


def _b64(data: dict[str, Any] | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@functools.cache
def _key_in(keys_file: Path) -> RSAKey:
    return RSAKey.import_key(json.loads(keys_file.read_text())["keys"][0])


def _provider_key(provider: EmbeddedProvider) -> RSAKey:
    """The provider's own signing key (tests read its keys file) to sign crafted claims."""
    return _key_in(provider.keys_file)


def _claims(provider: EmbeddedProvider, **changes: Any) -> dict[str, Any]:
    now = int(datetime.now(UTC).timestamp())
    claims = {"iss": provider.issuer, "aud": AUDIENCE, "sub": "demo-0180-coordinator",
              "iat": now, "exp": now + 600, "preferred_username": "stockholm.samordnare",
              "utvag_org": "municipality:0180", "utvag_roles": ["coordinator"]}
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


def _signed(provider: EmbeddedProvider, claims: dict[str, Any],
            key: RSAKey | None = None) -> str:
    key = key or _provider_key(provider)
    kid = _provider_key(provider).kid
    return jwt.encode({"alg": "RS256", "kid": kid, "typ": "at+jwt"}, claims, key)


def test_a_signed_in_coordinator_becomes_her_principal(oidc_provider: EmbeddedProvider,
                                                        oidc_verifier: TokenVerifier) -> None:
    tokens = token_for(oidc_provider, "stockholm.samordnare")
    principal = Principal.from_claims(oidc_verifier.verify(tokens.access_token))
    assert principal.organisation == "municipality:0180"
    assert principal.roles == {Role.COORDINATOR}
    assert principal.staff_id == "stockholm.samordnare"

    police = token_for(oidc_provider, "polis.vast.regional")
    principal = Principal.from_claims(oidc_verifier.verify(police.access_token))
    assert principal.organisation == "police:region-vast"
    assert principal.roles == {Role.POLICE_REGIONAL}


def test_the_console_client_gets_tokens_for_the_case_service(
        oidc_provider: EmbeddedProvider, oidc_verifier: TokenVerifier) -> None:
    tokens = token_for(oidc_provider, "revisor", client_id="utvag-console",
                       redirect_uri=CONSOLE_REDIRECT)
    claims = oidc_verifier.verify(tokens.access_token)
    assert claims["client_id"] == "utvag-console"
    assert Principal.from_claims(claims).roles == {Role.AUDITOR}


def test_a_wrong_password_signs_no_one_in(oidc_provider: EmbeddedProvider) -> None:
    with pytest.raises(LoginFailed) as refused:
        token_for(oidc_provider, "stockholm.samordnare", "fel-lösenord")
    assert refused.value.status == 401


def test_repeated_failures_lock_the_name_out(oidc_provider: EmbeddedProvider) -> None:
    # A name no other test uses: the lock lasts minutes on the session's provider.
    name = "ingen.sadan.anvandare"
    statuses = []
    for _ in range(6):
        with pytest.raises(LoginFailed) as refused:
            token_for(oidc_provider, name, "gissning")
        statuses.append(refused.value.status)
    assert statuses == [401] * 5 + [429]


def test_the_provider_requires_pkce_and_the_registered_loopback_path(
        oidc_provider: EmbeddedProvider) -> None:
    base = f"{oidc_provider.issuer}/auth"
    params = {"response_type": "code", "client_id": "utvag-cli", "scope": "openid",
              "redirect_uri": CLI_REDIRECT, "state": "s"}
    no_pkce = httpx.get(base, params=params)
    assert no_pkce.is_redirect
    assert "error=invalid_request" in no_pkce.headers["location"]
    assert "PKCE" in no_pkce.headers["location"]
    elsewhere = httpx.get(base, params={**params, "code_challenge": "x" * 43,
                                        "code_challenge_method": "S256",
                                        "redirect_uri": "http://127.0.0.1:5000/elsewhere"})
    assert not elsewhere.is_redirect  # an error page at the provider, nothing sent anywhere
    assert elsewhere.status_code == 400


def test_an_expired_token_is_refused(oidc_provider: EmbeddedProvider) -> None:
    tokens = token_for(oidc_provider, "goteborg.samordnare")
    clock = FakeClock(datetime.now(UTC))
    verifier = TokenVerifier(oidc_provider.issuer, AUDIENCE, clock=clock, leeway=30)
    assert verifier.verify(tokens.access_token)["sub"] == "demo-1480-coordinator"
    clock.advance(seconds=600 - 60)  # the default lifetime is ten minutes
    verifier.verify(tokens.access_token)
    clock.advance(seconds=60 + 31)
    with pytest.raises(InvalidToken):
        verifier.verify(tokens.access_token)


def test_a_token_not_yet_valid_is_refused(oidc_provider: EmbeddedProvider) -> None:
    clock = FakeClock(datetime.now(UTC))
    verifier = TokenVerifier(oidc_provider.issuer, AUDIENCE, clock=clock, leeway=30)
    soon = int(clock.now().timestamp()) + 120
    token = _signed(oidc_provider, _claims(oidc_provider, nbf=soon))
    with pytest.raises(InvalidToken):
        verifier.verify(token)
    clock.advance(seconds=120)
    assert verifier.verify(token)["sub"] == "demo-0180-coordinator"


@pytest.mark.parametrize("changes", [
    {"aud": "another-service"},
    {"aud": ["another-service", "utvag-console"]},
    {"aud": None},
    {"iss": "http://127.0.0.1:1"},
    {"iss": None},
    {"exp": None},
], ids=["wrong-aud", "wrong-aud-list", "no-aud", "wrong-iss", "no-iss", "no-exp"])
def test_a_token_for_another_audience_or_issuer_is_refused(
        oidc_provider: EmbeddedProvider, oidc_verifier: TokenVerifier,
        changes: dict[str, Any]) -> None:
    good = _signed(oidc_provider, _claims(oidc_provider))
    assert oidc_verifier.verify(good)["aud"] == AUDIENCE  # the same key and claims pass
    with pytest.raises(InvalidToken):
        oidc_verifier.verify(_signed(oidc_provider, _claims(oidc_provider, **changes)))


def test_a_forged_signature_is_refused(oidc_provider: EmbeddedProvider,
                                       oidc_verifier: TokenVerifier) -> None:
    real = token_for(oidc_provider, "stockholm.handlaggare").access_token
    header, payload, _ = real.split(".")
    # The same claims, elevated, under the provider's kid but signed by another key.
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["utvag_roles"] = ["coordinator"]
    forged = _signed(oidc_provider, claims, key=RSAKey.generate_key(2048))
    with pytest.raises(InvalidToken):
        oidc_verifier.verify(forged)
    # The real signature over changed claims.
    tampered = f"{header}.{_b64(claims)}.{real.split('.')[2]}"
    with pytest.raises(InvalidToken):
        oidc_verifier.verify(tampered)


def test_unsigned_and_shared_secret_tokens_are_refused(oidc_provider: EmbeddedProvider,
                                                       oidc_verifier: TokenVerifier) -> None:
    claims = _claims(oidc_provider)
    kid = _provider_key(oidc_provider).kid
    unsigned = f"{_b64({'alg': 'none', 'kid': kid})}.{_b64(claims)}."
    with pytest.raises(InvalidToken):
        oidc_verifier.verify(unsigned)
    # HS256 keyed with the provider's public key (the classic algorithm confusion).
    public = json.dumps(_provider_key(oidc_provider).as_dict(private=False)).encode()
    confused = jwt.encode({"alg": "HS256", "kid": kid}, claims, OctKey.import_key(public),
                          algorithms=["HS256"])
    with pytest.raises(InvalidToken):
        oidc_verifier.verify(confused)
    for garbage in ("", "abc", "a.b.c", f"{_b64({'alg': 'RS256'})}.{_b64(b'[')}.xx"):
        with pytest.raises(InvalidToken):
            oidc_verifier.verify(garbage)


def test_claims_keep_only_what_the_provider_signed(oidc_provider: EmbeddedProvider,
                                                   oidc_verifier: TokenVerifier) -> None:
    tokens = token_for(oidc_provider, "sis.handlaggare")
    claims = oidc_verifier.verify(tokens.access_token)
    assert claims["iss"] == oidc_provider.issuer
    assert claims["exp"] - claims["iat"] == int(timedelta(minutes=10).total_seconds())
    assert Principal.from_claims(claims).organisation == "agency:sis"


def test_a_provider_that_cannot_be_reached_refuses_every_token(
        oidc_provider: EmbeddedProvider) -> None:
    token = token_for(oidc_provider, "stockholm.samordnare").access_token
    verifier = TokenVerifier("http://127.0.0.1:9", AUDIENCE, httpx.Client(timeout=1.0))
    with pytest.raises(ProviderUnavailable):
        verifier.verify(token)
