"""Finding: "anyone who can run `utvag` can read and decide anything on any case, because
every check happens inside the CLI on the user's own machine". Now every request needs
a bearer token the provider signed for this service, unexpired; an expired, forged,
tampered, unsigned or misaddressed token gets 401 and nothing else: no data, no hint,
nothing recorded, and `utvag` says to log in."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from services.runtime import Runtime
from tests.attacks.conftest import API, rows
from tests.factories import TOLVAN_NAME, open_case
from tests.service import tokens as u
from tests.service.tokens import OTHER_KEY, sign
from tests.service_cli import Utvag

UNAUTHENTICATED = {"error": {"field": None, "message": "unauthenticated"}}


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _tampered() -> str:
    """A valid token whose payload was changed to another municipality (signature kept)."""
    header, _, signature = u.COORDINATOR_GBG.token().split(".")
    claims = u.COORDINATOR_GBG.claims(utvag_org="municipality:0180")
    return f"{header}.{_b64(claims)}.{signature}"


def _unsigned() -> str:
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(u.COORDINATOR_STHLM.claims())}."


BAD_TOKENS: dict[str, Callable[[], str]] = {
    "expired": lambda: u.COORDINATOR_STHLM.token(exp=int(time.time()) - 60),
    "not yet valid": lambda: u.COORDINATOR_STHLM.token(nbf=int(time.time()) + 3600),
    "signed by another key": lambda: sign(u.COORDINATOR_STHLM.claims(), key=OTHER_KEY),
    "tampered": _tampered,
    "unsigned (alg none)": _unsigned,
    "another audience": lambda: u.COORDINATOR_STHLM.token(aud="prefect"),
    "another issuer": lambda: u.COORDINATOR_STHLM.token(iss="https://evil.example"),
    "no roles": lambda: u.COORDINATOR_STHLM.token(utvag_roles=[]),
    "garbage": lambda: "not-a-token",
}


@pytest.mark.parametrize("kind", list(BAD_TOKENS))
def test_a_bad_token_gets_401_and_nothing_else(rt: Runtime, client: TestClient,
                                               kind: str) -> None:
    opened = open_case(rt)
    journal = rows(rt, "SELECT id FROM case_journal")
    headers = {"Authorization": f"Bearer {BAD_TOKENS[kind]()}"}
    for method, path, body in (
            ("GET", f"/cases/{opened.case_number}", None),
            ("GET", f"/cases/{opened.case_number}/destination", None),
            ("POST", f"/cases/{opened.case_number}/criteria",
             {"criterion": "motivated", "holds": False}),
            ("GET", "/cases", None), ("GET", "/audit/access-log", None)):
        answer = client.request(method, f"{API}{path}", headers=headers, json=body)
        assert answer.status_code == 401, (kind, path)
        assert answer.json() == UNAUTHENTICATED
        assert answer.headers["www-authenticate"] == "Bearer"
        assert TOLVAN_NAME not in answer.text
    assert rows(rt, "SELECT * FROM access_log") == [], "no principal, nothing to journal"
    assert rows(rt, "SELECT id FROM case_journal") == journal, "nothing recorded"


def test_no_token_and_another_scheme_get_401(rt: Runtime, client: TestClient) -> None:
    number = open_case(rt).case_number
    for headers in ({}, {"Authorization": "Basic Y29vcmQ6cGFzcw=="},
                    {"Authorization": "Bearer "}):
        answer = client.get(f"{API}/cases/{number}", headers=headers)
        assert (answer.status_code, answer.json()) == (401, UNAUTHENTICATED)


@pytest.mark.parametrize("kind", ["expired", "signed by another key", "tampered"])
def test_utvag_with_a_bad_login_says_to_log_in_and_shows_nothing(
        rt: Runtime, client: TestClient, kind: str) -> None:
    number = open_case(rt).case_number
    utvag = Utvag(client, u.COORDINATOR_STHLM, token=BAD_TOKENS[kind])
    assert utvag("case", "show", number) == 1
    assert utvag.out == ""
    assert utvag.err == ("error: the service did not accept your login: log in with "
                         "`utvag login`\n")
