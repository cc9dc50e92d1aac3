"""The whole stack as `make run` starts it, on free ports, against the session's test
database: ONE stack for every test of tests/e2e, started by the first that asks for it
and stopped after the last e2e test (not at the session's end: its scheduled flows must
not run beside the rest of the suite).

Nothing here waits for real time to pass: the simulators answer after an hour unless
told to answer now (`answer_now`), the collect sweep runs when a test starts it
(`collect_answers`) rather than every few seconds, and every wait polls often with a
bound.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prefect.deployments import run_deployment
from prefect.settings import PREFECT_API_URL, temporary_settings

from adapters.db import Database
from adapters.settings import Settings
from services.runtime import Runtime
from tests.conftest import make_settings
from tests.e2e.simulators_process import start_simulators
from utvag_cli.stack import Ports, Stack

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
# Agencies answer "an hour later" unless a test asks them to answer now.
ANSWER_DELAY = 3600.0


class SharedStack:
    """The one running stack and the settings its processes were given."""

    def __init__(self) -> None:
        self.stack: Stack | None = None
        self.settings: Settings | None = None

    def running(self) -> bool:
        return self.stack is not None and bool(self.stack.processes) and all(
            p.poll() is None for p in self.stack.processes)

    def start(self, database_url: str, data_dir: Path) -> Stack:
        if self.stack is None:
            # Encryption key from a key file under the stack's data directory, as
            # `make run` does: the CLI and the workers read the same one.
            self.settings = make_settings(database_url, data_dir=data_dir, encryption_key=None)
            self.stack = Stack(data_dir=data_dir, ports=Ports.free(), answer_delay=ANSWER_DELAY,
                               collect_every=3600, recover_every=3600)
            self.stack.prepare(self.settings)
            self.stack.env["PREFECT_LOGGING_LEVEL"] = "WARNING"
            # The worker looks for runs every 2 s rather than 10: each step of the demo
            # path (a start, a resume) is picked up when it can be.
            self.stack.env["PREFECT_WORKER_QUERY_SECONDS"] = "2"
        if not self.running():
            self.stack.stop()
            start(self.stack)
        return self.stack

    def stop(self) -> None:
        if self.stack is not None:
            self.stack.stop()


SHARED = SharedStack()


def start(stack: Stack) -> None:
    """Prefect server, simulators, deployments and a worker."""
    stack.start_prefect()
    start_simulators(stack)
    stack.start_deployments()


@pytest.fixture()
def stack(database_url: str, request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> Stack:
    """The e2e tests' stack, running (started again if a test stopped it), on the
    session's database emptied of cases once, before the stack's first start (not
    again: case numbers start over in an empty database, and a run is found by its
    case number)."""
    if SHARED.stack is None:
        return SHARED.start(request.getfixturevalue("module_db"),
                            tmp_path_factory.mktemp("stack"))
    return SHARED.start(database_url, SHARED.stack.data_dir)


@pytest.fixture(scope="session", autouse=True)
def _stop_stack_at_the_end() -> Iterator[None]:
    yield
    SHARED.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The demo path stops the stack to search its logs: the e2e tests that keep it
    running go first, so the stack is started once."""
    here = [i for i, item in enumerate(items) if HERE in Path(str(item.path)).parents]
    ordered = sorted((items[i] for i in here), key=lambda item: item.path.name == _LAST)
    for i, item in zip(here, ordered, strict=True):
        items[i] = item


_LAST = "test_demo_path.py"


def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """After the last e2e test, stop the stack: nothing of it runs beside other tests."""
    if nextitem is None or HERE not in Path(str(nextitem.path)).parents:
        SHARED.stop()


@pytest.fixture()
def stack_rt(stack: Stack, database: Database) -> Runtime:
    """A runtime on the stack's database and key, for reading what the stack did."""
    assert SHARED.settings is not None
    return Runtime(settings=SHARED.settings, db=database)


def utvag(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "utvag_cli.main", *args], env=stack.env, cwd=ROOT,
        capture_output=True, text=True, timeout=120, check=False)


def answer_now(stack: Stack, case_number: str) -> int:
    """Every simulator answers this case's pending requests now; how many it answered."""
    answered = 0
    for port in stack.ports.simulators.values():
        reply = httpx.post(f"http://127.0.0.1:{port}/_admin/answer-now",
                           params={"case_number": case_number}, timeout=10)
        reply.raise_for_status()
        answered += int(reply.json()["answered"])
    return answered


def collect_answers(stack: Stack) -> None:
    """Start a run of collect-agency-answers now (its schedule is an hour)."""
    with temporary_settings(updates={PREFECT_API_URL: stack.api_url}):
        run_deployment("collect-agency-answers/collect-agency-answers", timeout=0,
                       as_subflow=False)


def eventually(check: Callable[[], Any], *, timeout: float, what: str,
               every: float = 0.25) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")
