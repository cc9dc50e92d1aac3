"""The attack suite: each finding of issue 11 ("found when tried as an attacker would")
as a test that failed on the code before the case service and passes now, through the
service and, where the finding was the CLI's, through `utvag` as a person runs it.

The case service runs in-process on the test's PostgreSQL (`tests/service_cli.py`),
with a verifier of tokens the tests sign as the provider would; a real uvicorn on
loopback only where the wire is the point (what has been journaled when the first
byte arrives; a real `utvag` process in a shell pipeline)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import text
from starlette.testclient import TestClient

from services.runtime import Runtime
from tests.fakes.runs import FakeRuns
from tests.service import tokens as u
from tests.service_cli import Utvag, service_app, service_client

API = "/api/v1"


@pytest.fixture()
def waker() -> FakeRuns:
    return FakeRuns()


@pytest.fixture()
def app(rt: Runtime, waker: FakeRuns) -> FastAPI:
    return service_app(rt, waker)


@pytest.fixture()
def client(app: FastAPI) -> TestClient:
    return service_client(app)


@pytest.fixture()
def utvag(client: TestClient, waker: FakeRuns) -> Utvag:
    """Stockholm's coordinator (the placing municipality of the factories' cases)."""
    return Utvag(client, u.COORDINATOR_STHLM, waker=waker)


def rows(rt: Runtime, sql: str, **params: Any) -> list[Any]:
    with rt.db.engine.connect() as conn:
        return list(conn.execute(text(sql), params).all())
