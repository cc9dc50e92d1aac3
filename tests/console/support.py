"""Sessions for the console's tests, made as the sign-in would make them: a row holding
a token the test verifier accepts (tests/service/tokens.py), its id in the cookie."""

from __future__ import annotations

from datetime import timedelta

from caseservice.console.auth import open_session
from models.principal import Principal
from services.runtime import Runtime
from tests.service.tokens import User

COOKIE = "utvag_console"


def session_for(rt: Runtime, user: User) -> str:
    token = user.token()
    principal = Principal.from_claims(user.claims())
    return open_session(rt, principal, {"access_token": token}, ttl=timedelta(hours=1))
