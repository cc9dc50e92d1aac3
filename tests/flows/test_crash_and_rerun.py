"""A case's run killed (SIGKILL) while its police request is in flight; the rerun
finishes the step and the police have still received one request (same idempotency
key), and the disclosure is journaled once.

The point is a real crash of a real process, so the run is a separate Python process
under the harness's Prefect server, talking HTTP to the police and social services
simulators (in this process, on loopback)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from prefect import flow
from prefect.settings import PREFECT_API_URL
from sqlmodel import select

from adapters.registry import agency_ports
from adapters.repositories import journal
from adapters.settings import Settings
from flows.new_case import drive
from models.tables import AgencyRequest
from services.runtime import Runtime
from simulators import SimulatorConfig, police, social_services
from simulators.server import start_in_thread
from tests.conftest import TEST_KEY, make_settings
from tests.factories import open_case
from tests.sims import Sim

LATENCY_MS = 2000  # long enough to kill the run while its request is in flight


@pytest.fixture(scope="module")
def sims() -> Iterator[tuple[Sim, Sim]]:
    config = SimulatorConfig(test_mode=True, answer_delay_seconds=0)
    with (start_in_thread(police.create_app(config)) as police_running,
          start_in_thread(social_services.create_app(config)) as social_running,
          httpx.Client(base_url=police_running.base_url, timeout=5) as police_client,
          httpx.Client(base_url=social_running.base_url, timeout=5) as social_client):
        yield Sim(police_running, police_client), Sim(social_running, social_client)


def _police_request(rt: Runtime) -> AgencyRequest | None:
    with rt.uow() as session:
        return session.exec(select(AgencyRequest).where(AgencyRequest.agency == "police")).first()


def _until(check: Callable[[], bool], *, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_a_rerun_after_a_crash_sends_no_duplicate_request(
        rt: Runtime, settings: Settings, sims: tuple[Sim, Sim], prefect_harness: None) -> None:
    police_sim, social_sim = sims
    police_sim.reset()
    social_sim.reset()
    urls = {"police_url": police_sim.base_url, "social_services_url": social_sim.base_url}
    case_id = open_case(rt).case_id
    police_sim.set_faults(latency_ms=LATENCY_MS)
    env = {**os.environ, "DATABASE_URL": str(settings.database_url),
           "UTVAG_ENCRYPTION_KEY": TEST_KEY, "PREFECT_API_URL": str(PREFECT_API_URL.value()),
           **{f"UTVAG_{name.upper()}": url for name, url in urls.items()}}
    worker = subprocess.Popen(  # noqa: S603 - our own flow in a process we can kill
        [sys.executable, "-c",
         f"from flows.new_case import new_case; new_case(case_id='{case_id}')"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def in_flight() -> bool:
            assert worker.poll() is None, "the run ended before it could be killed"
            request = _police_request(rt)
            return request is not None and request.attempts >= 1
        _until(in_flight, what="the request was never attempted")
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.wait(timeout=10)
    request = _police_request(rt)
    assert request is not None and request.status == "pending", "killed before the answer"
    # Whether the police store the request that was in flight or not, the rerun sends
    # it again under the same key: the police end up with one request either way.
    police_sim.set_faults(latency_ms=0)

    assert _rerun(rt, make_settings(str(settings.database_url), **urls), case_id) == "during", \
        "admitted and on to the next phase"

    request = _police_request(rt)
    assert request is not None and request.attempts == 2
    seen = police_sim.requests()
    assert seen["resources"] == 1
    assert list(seen["by_idempotency_key"]) == [request.idempotency_key]
    with rt.uow() as session:
        entries = journal.entries(session, case_id)
    police_entries = [e.kind for e in entries if e.data.get("agency") == "police"]
    assert police_entries.count("disclosure") == 1
    assert police_entries.count("agency_request") == 1


def _rerun(rt: Runtime, settings: Settings, case_id: uuid.UUID) -> Any:
    """The case's next run, in this process, on the real HTTP adapters."""

    @flow(name="new-case-rerun", persist_result=False)
    def rerun(case_id: uuid.UUID) -> Any:
        with agency_ports(settings) as ports:
            return drive(case_id, rt=rt, ports=ports)["phase"]

    return rerun(case_id)
