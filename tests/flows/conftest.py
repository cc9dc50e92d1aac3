"""Flow tests: Prefect's test harness (a temporary server), the agency simulators
as real HTTP servers on loopback, and the real PostgreSQL of tests/conftest.py."""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest
from prefect.testing.utilities import prefect_test_harness

from simulators import SimulatorConfig, police, social_services
from simulators.server import RunningSimulator, start_in_thread
from tests.sims import Sim
from tests.sweep_support import register_simulators, registers  # noqa: F401 - fixtures


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def simulators(database_url: str) -> Iterator[tuple[RunningSimulator, RunningSimulator]]:
    config = SimulatorConfig(answer_delay_seconds=0)
    with start_in_thread(police.create_app(config)) as p, \
            start_in_thread(social_services.create_app(config)) as s:
        os.environ["UTVAG_POLICE_URL"] = p.base_url
        os.environ["UTVAG_SOCIAL_SERVICES_URL"] = s.base_url
        os.environ["UTVAG_HTTP_READ_TIMEOUT"] = "1.0"
        os.environ["UTVAG_AGENCY_RETRY_DELAYS"] = "[0.05, 0.1, 0.1, 0.2, 0.2]"
        from adapters.settings import get_settings

        get_settings.cache_clear()
        yield p, s


@pytest.fixture
def sims(simulators: tuple[RunningSimulator, RunningSimulator], db: str,
         prefect_harness: None) -> Iterator[tuple[Sim, Sim]]:
    with httpx.Client(base_url=simulators[0].base_url, timeout=5) as p, \
            httpx.Client(base_url=simulators[1].base_url, timeout=5) as s:
        police_sim, social_sim = Sim(simulators[0], p), Sim(simulators[1], s)
        for sim in (police_sim, social_sim):
            sim.reset()
        yield police_sim, social_sim
