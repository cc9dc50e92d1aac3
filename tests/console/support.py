"""Sessions for the console's tests, made as the sign-in would make them: a row holding
a token the test verifier accepts (tests/service/tokens.py), its id in the cookie."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

from fastapi.testclient import TestClient

from caseservice.app import create_app
from caseservice.console import ConsoleConfig
from caseservice.console.auth import open_session
from models.principal import Principal
from services.runtime import Runtime
from tests.fakes.runs import FakeRuns
from tests.service.tokens import TestVerifier, User

COOKIE = "utvag_console"


def session_for(rt: Runtime, user: User) -> str:
    token = user.token()
    principal = Principal.from_claims(user.claims())
    return open_session(rt, principal, {"access_token": token}, ttl=timedelta(hours=1))


def page_client(rt: Runtime) -> Iterator[TestClient]:
    """The app with its console, in process (no browser): for the page tests' `client`."""
    app = create_app(rt, TestVerifier(), FakeRuns(), console=ConsoleConfig(oidc=None))
    with TestClient(app, base_url="http://127.0.0.1:8000", client=("127.0.0.1", 50003)) as c:
        yield c


def signed_in(client: TestClient, rt: Runtime, user: User) -> str:
    """`user` signed in on `client`; the CSRF token of their session's forms."""
    client.cookies.set(COOKIE, session_for(rt, user))
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/console/break-glass").text)
    assert found is not None
    return found.group(1)
