"""Who gets in: a valid bearer token of the provider, nothing else; and the guards in
front of every request."""

from __future__ import annotations

import time

from starlette.testclient import TestClient

from tests.factories import referral
from tests.fakes.clock import FakeClock
from tests.service.tokens import COORDINATOR_STHLM, OPERATOR, OTHER_KEY, sign

CASES = "/api/v1/cases"


def assert_unauthenticated(response: object) -> None:
    assert response.status_code == 401  # type: ignore[attr-defined]
    assert response.headers["www-authenticate"] == "Bearer"  # type: ignore[attr-defined]
    assert response.json() == {"error": {"field": None,  # type: ignore[attr-defined]
                                         "message": "unauthenticated"}}


def test_no_forged_expired_or_foreign_token_gets_in(client: TestClient) -> None:
    claims = COORDINATOR_STHLM.claims()
    for headers in (
        {},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer not-a-jwt"},
        {"Authorization": "Bearer " + sign(claims, key=OTHER_KEY)},  # forged
        {"Authorization": "Bearer " + sign({**claims, "exp": int(time.time()) - 60})},
        {"Authorization": "Bearer " + sign({**claims, "aud": "another-service"})},
        {"Authorization": "Bearer " + sign({**claims, "iss": "https://evil.invalid"})},
        # signed, but claims that make no principal (a role foreign to the organisation)
        {"Authorization": "Bearer " + sign({**claims, "utvag_roles": ["auditor"]})},
    ):
        assert_unauthenticated(client.get(CASES, headers=headers))


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    for response in (client.get(CASES), client.get(CASES, headers=OPERATOR.headers()),
                     client.get("/api/v1/nowhere", headers=OPERATOR.headers())):
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert "server" not in response.headers


def test_a_body_over_the_limit_is_refused_before_it_is_read(client: TestClient) -> None:
    big = {"person": {"identity_number": "x", "name": "a" * 200_000}}
    response = client.post(CASES, json=big, headers=COORDINATOR_STHLM.headers())
    assert response.status_code == 413
    assert response.json()["error"]["field"] == "body"


def test_control_characters_and_overlong_text_are_refused_naming_the_field(
        client: TestClient) -> None:
    bad = referral(person={"identity_number": "19121212-1212", "name": "Tolvan\x00 T"})
    response = client.post(CASES, json=bad, headers=COORDINATOR_STHLM.headers())
    assert response.status_code == 422
    assert response.json()["error"] == {"field": "person.name",
                                        "message": "control characters are not allowed"}
    assert "Tolvan" not in response.text
    long_note = referral(eligibility={"motivated": {"holds": True,
                                                    "evidence_note": "n" * 5000}})
    response = client.post(CASES, json=long_note, headers=COORDINATOR_STHLM.headers())
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "eligibility.motivated.evidence_note"


def test_invalid_input_names_the_field_and_never_echoes_it(client: TestClient) -> None:
    secret = "Hemligvägen 17"
    response = client.post("/api/v1/cases/UTV-2026-000001/relocation",
                           json={"destination": secret, "address": secret,
                                 "lives_independently": "perhaps",
                                 "needs_deep_support": False},
                           headers=COORDINATOR_STHLM.headers())
    assert response.status_code == 422
    assert response.json()["error"]["field"] in ("destination", "lives_independently")
    assert secret not in response.text and "Traceback" not in response.text


def test_repeated_failures_from_one_client_are_slowed_down(client: TestClient,
                                                           clock: FakeClock) -> None:
    limit = client.app.state.services.throttle.limit  # type: ignore[attr-defined]
    for _ in range(limit):
        assert client.get(CASES).status_code == 401
    slowed = client.get(CASES, headers=COORDINATOR_STHLM.headers())
    assert slowed.status_code == 429
    assert int(slowed.headers["retry-after"]) >= 1
    clock.advance(seconds=int(slowed.headers["retry-after"]) + 1)
    assert client.get(CASES, headers=COORDINATOR_STHLM.headers()).status_code == 200


def test_one_subject_probing_from_many_addresses_is_slowed_down(
        client: TestClient) -> None:
    limit = client.app.state.services.throttle.limit  # type: ignore[attr-defined]
    for i in range(limit):
        other = TestClient(client.app, client=(f"10.9.0.{i % 250}", 1000 + i),
                           raise_server_exceptions=False)
        assert other.get(f"{CASES}/UTV-2026-{i + 1:06d}",
                         headers=COORDINATOR_STHLM.headers()).status_code == 404
    fresh = TestClient(client.app, client=("10.99.0.1", 1), raise_server_exceptions=False)
    assert fresh.get(CASES, headers=COORDINATOR_STHLM.headers()).status_code == 429
    assert fresh.get("/api/v1/status", headers=OPERATOR.headers()).status_code == 200


def test_a_bad_identity_number_is_refused_without_repeating_it(client: TestClient) -> None:
    wrong = "19121212-1213"  # the check digit does not match
    body = referral(person={"identity_number": wrong, "name": "Tolvan Tolvansson"})
    del body["placing_municipality"]
    response = client.post(CASES, json=body, headers=COORDINATOR_STHLM.headers())
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "person.identity_number"
    assert "1213" not in response.text and "Tolvan" not in response.text
