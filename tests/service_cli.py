"""`utvag` as a person runs it, in-process: `utvag_cli.main.main` with a connection to
the case service's ASGI app (on the test's runtime and database) through Starlette's
`TestClient` (an `httpx.Client`: the `http=` seam of `utvag_cli.service.Service`), and
a bearer token the tests sign as the provider would (tests/service/tokens.py).

    utvag = Utvag(client, u.COORDINATOR_STHLM)
    assert utvag("case", "show", number) == 0 and "Anna" in utvag.out
    utvag.as_(u.COORDINATOR_GBG)("case", "show", number)   # another person
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from fastapi import FastAPI
from starlette.testclient import TestClient

from caseservice.app import create_app
from services.runtime import Runtime
from tests.fakes.runs import FakeRuns
from tests.service.tokens import TestVerifier, User
from utvag_cli.main import main
from utvag_cli.service import Service

BASE_URL = "http://testserver"


def service_app(rt: Runtime, waker: FakeRuns) -> FastAPI:
    return create_app(rt, TestVerifier(), waker)


def service_client(app: FastAPI, *, address: str = "10.1.2.3") -> TestClient:
    return TestClient(app, base_url=BASE_URL, client=(address, 40000),
                      raise_server_exceptions=False)


@dataclass
class Utvag:
    """One person's `utvag`; `out` and `err` hold what the last command printed."""

    client: TestClient
    user: User
    token: Callable[[], str] | None = None  # default: a fresh valid token of `user`
    out: str = ""
    err: str = ""
    runs: FakeRuns = field(default_factory=FakeRuns)  # local commands only: never used

    def as_(self, user: User) -> Utvag:
        return Utvag(self.client, user)

    def __call__(self, *argv: str, stdin: str = "", stdout: TextIO | None = None) -> int:
        shown, errors = stdout or io.StringIO(), io.StringIO()
        service = Service(BASE_URL, token=self.token or self.user.token, http=self.client)
        code = main(list(argv), service=service, runs=self.runs, stdin=io.StringIO(stdin),
                    stdout=shown, stderr=errors)
        self.out = shown.getvalue() if isinstance(shown, io.StringIO) else ""
        self.err = errors.getvalue()
        assert "Traceback" not in self.err
        return code
