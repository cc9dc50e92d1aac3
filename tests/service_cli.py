"""`utvag` as a person runs it, in-process: `utvag_cli.main.main` with a connection to
the case service's ASGI app (on the test's runtime and database) through Starlette's
`TestClient` (an `httpx.Client`: the `http=` seam of `utvag_cli.service.Service`), and
a bearer token the tests sign as the provider would (tests/service/tokens.py).

    utvag = person_cli(rt, u.COORDINATOR_STHLM)      # a service of its own, FakeRuns waker
    assert utvag("case", "show", number) == 0 and "Anna" in utvag.out
    utvag.as_(u.COORDINATOR_GBG)("case", "show", number)   # another person, same service
    utvag.waker.woken                                      # the cases the service woke
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO, cast

from fastapi import FastAPI
from starlette.testclient import TestClient

from caseservice.app import create_app
from services.runtime import Runtime
from tests.fakes.runs import FakeRuns
from tests.loopback import serving
from tests.service.tokens import ISSUER, TestVerifier, User
from utvag_cli.main import main
from utvag_cli.service import Service

BASE_URL = "http://testserver"


def service_app(rt: Runtime, waker: FakeRuns) -> FastAPI:
    return create_app(rt, TestVerifier(), waker)


def service_client(app: FastAPI, *, address: str = "10.1.2.3") -> TestClient:
    return TestClient(app, base_url=BASE_URL, client=(address, 40000),
                      raise_server_exceptions=False)


class NoRuntime:
    """Handed to `main()` as the local runtime: a person's command that reached for the
    database, the key or Prefect (anything but the service) fails the test."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"a person's command reached for the local runtime ({name})")


@dataclass
class Utvag:
    """One person's `utvag`; `out` and `err` hold what the last command printed."""

    client: TestClient
    user: User
    token: Callable[[], str] | None = None  # default: a fresh valid token of `user`
    out: str = ""
    err: str = ""
    waker: FakeRuns = field(default_factory=FakeRuns)  # the service's, if person_cli made it
    runs: FakeRuns = field(default_factory=FakeRuns)  # local commands only: never used

    def as_(self, user: User) -> Utvag:
        return Utvag(self.client, user, waker=self.waker)

    def __call__(self, *argv: str, stdin: str = "", stdout: TextIO | None = None) -> int:
        shown, errors = stdout or io.StringIO(), io.StringIO()
        service = Service(BASE_URL, token=self.token or self.user.token, http=self.client)
        code = main(list(argv), service=service, runs=self.runs, stdin=io.StringIO(stdin),
                    stdout=shown, stderr=errors, runtime=cast(Runtime, NoRuntime()))
        self.out = shown.getvalue() if isinstance(shown, io.StringIO) else ""
        self.err = errors.getvalue()
        assert "Traceback" not in self.err
        assert self.runs == FakeRuns(), "the service wakes and starts runs, never the CLI"
        return code


def person_cli(rt: Runtime, user: User) -> Utvag:
    """`utvag` of `user` against a case service of its own on `rt`."""
    waker = FakeRuns()
    return Utvag(service_client(service_app(rt, waker)), user, waker=waker)


@contextmanager
def live_service(app: FastAPI) -> Iterator[str]:
    """The app on uvicorn on a free loopback port, in a thread; its base URL."""
    with serving(app) as url:
        yield url


def token_file(path: Path, user: User, **claims: object) -> Path:
    """What `utvag login` leaves behind for `user` (mode 0600, the token set's JSON)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump({"access_token": user.token(**claims),
                   "expires_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
                   "refresh_token": None, "id_token": None, "scope": "openid",
                   "issuer": ISSUER, "client_id": "utvag-cli"}, out)
    return path


def person_env(*, service_url: str, tokens: Path, home: Path,
               **extra: str) -> dict[str, str]:
    """A person's machine: the service URL and a login, nothing else of Utväg's. The
    database URL and Prefect point at a closed port, and there is no key: a command
    that reached for either would fail."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
            "LANG": "C.UTF-8", "UTVAG_SERVICE_URL": service_url,
            "UTVAG_TOKEN_FILE": str(tokens), "UTVAG_OIDC_ISSUER": ISSUER,
            "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none",
            "UTVAG_DATA_DIR": str(home / "no-data"),
            "PREFECT_API_URL": "http://127.0.0.1:9/api", **extra}
