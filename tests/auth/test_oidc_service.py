"""The case service with the real verifier and the real provider's tokens (in process,
no server started): a signed-in coordinator is let in; an expired, forged or missing
token gets 401 and nothing else."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.testclient import TestClient

from adapters.oidc import TokenVerifier
from adapters.oidc_provider import EmbeddedProvider
from caseservice.app import create_app
from services.runtime import Runtime
from tests.fakes.clock import FakeClock
from tests.fakes.runs import FakeRuns
from tests.oidc_fixtures import AUDIENCE
from tests.oidc_login import token_for

CASES = "/api/v1/cases"


@pytest.fixture()
def verifier_clock() -> FakeClock:
    return FakeClock(datetime.now(UTC))


@pytest.fixture()
def client(app_rt: Runtime, oidc_provider: EmbeddedProvider,
           verifier_clock: FakeClock) -> Iterator[TestClient]:
    verifier = TokenVerifier(oidc_provider.issuer, AUDIENCE, clock=verifier_clock)
    app = create_app(app_rt, verifier, FakeRuns())
    with TestClient(app, client=("10.9.8.7", 40000), raise_server_exceptions=False) as c:
        yield c


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _refused(response: httpx.Response) -> None:
    assert response.status_code == 401
    assert set(response.json()) == {"error"}


def test_a_signed_in_coordinator_is_let_in_and_an_expired_token_is_not(
        client: TestClient, oidc_provider: EmbeddedProvider,
        verifier_clock: FakeClock) -> None:
    tokens = token_for(oidc_provider, "stockholm.samordnare")
    assert client.get(CASES, headers=_bearer(tokens.access_token)).status_code == 200
    verifier_clock.advance(minutes=11)
    _refused(client.get(CASES, headers=_bearer(tokens.access_token)))


def test_forged_unsigned_and_missing_tokens_get_401(client: TestClient,
                                                     oidc_provider: EmbeddedProvider) -> None:
    real = token_for(oidc_provider, "goteborg.handlaggare").access_token
    header, payload, _ = real.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    kid = json.loads(base64.urlsafe_b64decode(header + "=="))["kid"]
    forged = jwt.encode({"alg": "RS256", "kid": kid}, {**claims, "utvag_org": "municipality:0180"},
                        RSAKey.generate_key(2048))
    none = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    unsigned = f"{none}.{payload}."
    for token in (forged, unsigned):
        _refused(client.get(CASES, headers=_bearer(token)))
    _refused(client.get(CASES))
    assert client.get(CASES, headers=_bearer(real)).status_code == 200
