"""The console's server-side sessions, without a browser: what the table holds, expiry,
a token that no longer verifies, sign-out, a forged callback, the cookie's Secure flag,
the security headers."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text
from starlette.requests import Request
from starlette.testclient import TestClient

from caseservice.app import create_app
from caseservice.console import ConsoleConfig
from caseservice.console.web import secure_cookie
from services.runtime import Runtime
from tests import states
from tests.console.support import COOKIE, session_for
from tests.factories import identity_number
from tests.fakes.agencies import FakeAgencies
from tests.fakes.clock import FakeClock
from tests.fakes.runs import FakeRuns
from tests.service import tokens as u
from tests.service.tokens import TestVerifier

LOOPBACK = "http://127.0.0.1:8000"


@pytest.fixture(autouse=True)
def _no_sessions(rt: Runtime) -> None:
    with rt.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM console_session"))


@pytest.fixture()
def client(rt: Runtime) -> Iterator[TestClient]:
    app = create_app(rt, TestVerifier(), FakeRuns(), console=ConsoleConfig(oidc=None))
    with TestClient(app, base_url=LOOPBACK, client=("127.0.0.1", 50000)) as c:
        yield c


def _rows(rt: Runtime) -> list[tuple[str, bytes]]:
    with rt.db.engine.connect() as conn:
        return [(r[0], bytes(r[1])) for r in conn.execute(text(
            "SELECT id_hash, data_enc FROM console_session WHERE kind = 'session'"))]


def test_the_table_holds_a_hash_of_the_id_and_the_token_encrypted(rt: Runtime) -> None:
    token = u.COORDINATOR_STHLM.token()
    from caseservice.console.auth import open_session
    from models.principal import Principal

    session_id = open_session(rt, Principal.from_claims(u.COORDINATOR_STHLM.claims()),
                              {"access_token": token}, ttl=timedelta(hours=1))
    ((id_hash, data),) = _rows(rt)
    assert len(session_id) >= 40
    assert id_hash == hashlib.sha256(session_id.encode()).hexdigest()
    assert token.encode() not in data


def test_a_page_needs_a_live_session(client: TestClient, rt: Runtime,
                                     clock: FakeClock) -> None:
    assert client.get("/console/", follow_redirects=False).headers["location"] \
        .startswith("/console/sign-in")
    client.cookies.set(COOKIE, session_for(rt, u.COORDINATOR_STHLM))
    page = client.get("/console/")
    assert page.status_code == 200 and "Mina ärenden" in page.text
    clock.advance(hours=2)  # past the session's hour
    assert client.get("/console/", follow_redirects=False).status_code == 303
    client.cookies.set(COOKIE, "not-a-session")
    assert client.get("/console/", follow_redirects=False).status_code == 303


def test_a_token_that_no_longer_verifies_ends_the_session(client: TestClient,
                                                          rt: Runtime) -> None:
    from caseservice.console.auth import open_session
    from models.principal import Principal

    expired = u.COORDINATOR_STHLM.token(exp=1)
    session_id = open_session(rt, Principal.from_claims(u.COORDINATOR_STHLM.claims()),
                              {"access_token": expired}, ttl=timedelta(hours=1))
    client.cookies.set(COOKIE, session_id)
    assert client.get("/console/", follow_redirects=False).status_code == 303
    assert _rows(rt) == []  # no refresh token: the row is gone


def test_sign_out_ends_the_session_and_needs_the_csrf_token(client: TestClient,
                                                             rt: Runtime) -> None:
    session_id = session_for(rt, u.COORDINATOR_STHLM)
    other = session_for(rt, u.HANDLER_STHLM)
    client.cookies.set(COOKIE, session_id)
    page = client.get("/console/")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    client.cookies.set(COOKIE, other)
    assert client.post("/console/sign-out", data={"csrf": csrf.group(1)}).status_code == 403
    client.cookies.set(COOKIE, session_id)
    out = client.post("/console/sign-out", data={"csrf": csrf.group(1)},
                      follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/console/signed-out"
    assert 'utvag_console=""' in out.headers["set-cookie"]
    assert client.get("/console/", follow_redirects=False).status_code == 303
    assert len(_rows(rt)) == 1  # the other person's session stands


def test_a_callback_without_a_sign_in_in_progress_is_refused(client: TestClient,
                                                             rt: Runtime) -> None:
    answer = client.get("/auth/callback?code=abc&state=xyz")
    assert answer.status_code == 400 and "Inloggningen misslyckades" in answer.text
    assert "set-cookie" not in answer.headers and _rows(rt) == []


def test_security_headers_on_every_console_response(client: TestClient, rt: Runtime) -> None:
    client.cookies.set(COOKIE, session_for(rt, u.COORDINATOR_STHLM))
    for path in ("/console/", "/console/referral", "/console/cases/UTV-2026-000042",
                 "/console/static/console.css", "/console/sign-in"):
        answer = client.get(path)
        csp = answer.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp, path
        assert "frame-ancestors 'none'" in csp, path
        assert answer.headers["cache-control"] == "no-store", path
        assert answer.headers["x-frame-options"] == "DENY", path
        assert "<script>" not in answer.text and " on" + "click=" not in answer.text
    api = client.get("/api/v1/cases")
    assert api.headers["content-security-policy"] == "default-src 'none'; " \
                                                     "frame-ancestors 'none'"


def _request(url: str) -> Request:
    scheme, rest = url.split("://")
    host = rest.split("/")[0]
    return Request({"type": "http", "scheme": scheme, "path": "/", "query_string": b"",
                    "headers": [(b"host", host.encode())], "server": None})


@pytest.mark.parametrize(("url", "secure"), [
    ("http://127.0.0.1:8000", False), ("http://localhost:8000", False),
    ("http://[::1]:8000", False), ("https://127.0.0.1:8443", True),
    ("http://console.kommun.se", True), ("https://console.kommun.se", True),
    ("http://10.0.0.5:8000", True)])
def test_the_cookie_is_secure_unless_plain_http_on_loopback(url: str, secure: bool) -> None:
    assert secure_cookie(_request(url)) is secure


def test_the_console_works_as_the_services_database_role(
        rt: Runtime, database_url: str, cipher: Any, clock: FakeClock) -> None:
    """As `utvag_app` (grants and row-level security of 0013_rls): sign-in rows kept,
    a referral opened, its page shown, the session ended; another municipality's case
    is not found."""
    from adapters.db import Database
    from tests.conftest import make_settings

    database = Database(database_url, pool_size=2, role="utvag_app")
    as_app = Runtime(settings=make_settings(database_url, database_role="utvag_app"),
                     db=database, clock=clock, cipher=cipher)
    other = states.admitted(rt, FakeAgencies(), placing_municipality="1480")
    try:
        app = create_app(as_app, TestVerifier(), FakeRuns(), console=ConsoleConfig(oidc=None))
        with TestClient(app, base_url=LOOPBACK, client=("127.0.0.1", 50001)) as c:
            c.cookies.set(COOKIE, session_for(as_app, u.COORDINATOR_STHLM))
            form = c.get("/console/referral")
            assert form.status_code == 200
            csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
            assert csrf is not None
            opened = c.post("/console/referral", follow_redirects=False, data={
                "csrf": csrf.group(1), "person.name": "Åsa Ek",
                "person.identity_number": identity_number(serial=401),
                "referring_agency": "police", "milieu": "gang"})
            assert opened.status_code == 303, opened.text
            page = c.get(opened.headers["location"])
            assert page.status_code == 200 and "Åsa Ek" in page.text
            assert c.get(f"/console/cases/{other.case_number}").status_code == 404
            out = c.post("/console/sign-out", data={"csrf": csrf.group(1)},
                         follow_redirects=False)
            assert out.status_code == 303 and _rows(rt) == []
    finally:
        database.dispose()
