"""The case service under test: the ASGI app on the session's real PostgreSQL as the
role utvag_app (row-level security), a verifier of tokens the tests sign
(tests/service/tokens.py), a recording waker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from caseservice.app import create_app
from services.runtime import Runtime
from tests.fakes.runs import FakeRuns
from tests.service.tokens import TestVerifier


@pytest.fixture()
def waker() -> FakeRuns:
    return FakeRuns()


@pytest.fixture()
def app(app_rt: Runtime, waker: FakeRuns) -> FastAPI:
    """The service as `utvag serve` runs it: role utvag_app under row-level security;
    the tests' own setup (`rt`, the factories) stays the owner's."""
    return create_app(app_rt, TestVerifier(), waker)


@pytest.fixture()
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, client=("10.1.2.3", 40000), raise_server_exceptions=False) as c:
        yield c
