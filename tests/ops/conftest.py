"""The production profile: a Prefect server on the machine's PostgreSQL, its API
behind basic auth, `utvag deploy`, two `utvag worker`s on one work pool, the
agency simulators and a webhook receiver standing in for the operators' channel.

Needs a PostgreSQL at 127.0.0.1:5432 (user postgres): Prefect's database is
created there fresh and dropped after; Utväg's is the session's fresh test
database (tests/conftest.py). Skips with a message when nothing answers there,
or when UTVAG_OPS_TESTS=0.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import psycopg
import pytest

from adapters.db import Database
from adapters.settings import Settings
from services.runtime import Runtime
from tests.conftest import make_settings
from tests.e2e.simulators_process import start_simulators
from utvag_cli.stack import Ports, Stack

SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
AUTH = "operator:" + uuid.uuid4().hex  # a fresh secret per test run


class Receiver:
    """A webhook endpoint on loopback that keeps every JSON body posted to it."""

    def __init__(self) -> None:
        received: list[dict[str, Any]] = []
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                try:
                    received.append(json.loads(body or b"{}"))
                except json.JSONDecodeError:
                    received.append({"raw": body.decode("utf-8", "replace")})
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notify"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def _postgres_answers() -> bool:
    try:
        psycopg.connect(SERVER, connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.close()


@pytest.fixture(scope="module")
def prod_settings(module_db: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The settings the stack's processes get: the session's database, emptied of cases
    for this module, and a key file under the stack's data directory."""
    return make_settings(module_db, data_dir=tmp_path_factory.mktemp("prod"),
                         encryption_key=None)


@pytest.fixture(scope="module")
def prod_rt(prod_stack: Stack, prod_settings: Settings, database: Database) -> Runtime:
    """A runtime on the stack's database and key (the system clock: real runs)."""
    return Runtime(settings=prod_settings, db=database)


@pytest.fixture(scope="module")
def prod_stack(prod_settings: Settings, receiver: Receiver) -> Iterator[Stack]:
    if os.environ.get("UTVAG_OPS_TESTS") == "0":
        pytest.skip("production profile: skipped with UTVAG_OPS_TESTS=0")
    if not _postgres_answers():
        pytest.skip("production profile: no PostgreSQL answers at 127.0.0.1:5432 "
                    "(the Prefect server needs one)")
    prefect_db = f"utvag_prefect_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(SERVER, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{prefect_db}"')
    stack = Stack(
        data_dir=prod_settings.data_dir, ports=Ports.free(), answer_delay=3600.0,
        collect_every=3600, recover_every=60, worker_limit=3,
        prefect_database_url=f"postgresql+asyncpg://postgres@127.0.0.1:5432/{prefect_db}",
        auth_string=AUTH,
    )
    stack.prepare(prod_settings)
    stack.env["PREFECT_LOGGING_LEVEL"] = "WARNING"
    # Workers look for runs every 2 s rather than 10: a run starts when it can.
    stack.env["PREFECT_WORKER_QUERY_SECONDS"] = "2"
    # A sweep's run killed with its worker frees its concurrency slot when its lease
    # lapses (default 300 s); shorter here so recovery is not held up for minutes.
    stack.env["PREFECT_SERVER_CONCURRENCY_INITIAL_DEPLOYMENT_LEASE_DURATION"] = "30"
    try:
        stack.start_prefect()
        start_simulators(stack)  # one process, as in tests/e2e
        stack.deploy("--stall-after", "45", "--notify-webhook", receiver.url)
        stack.start_worker("worker-1")
        stack.start_worker("worker-2")
        yield stack
    finally:
        stack.stop()
        with psycopg.connect(SERVER, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{prefect_db}" WITH (FORCE)')


@pytest.fixture
def prefect_client_env(prod_stack: Stack) -> Iterator[None]:
    from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: prod_stack.api_url,
                                     PREFECT_API_AUTH_STRING: AUTH}):
        yield
