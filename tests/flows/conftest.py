"""Flow tests: Prefect's test harness (a temporary server), the agency simulators
as real HTTP servers on loopback, and the real PostgreSQL of tests/conftest.py."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest
from prefect.testing.utilities import prefect_test_harness

from simulators import SimulatorConfig, police, police_grants, social_services, tax_agency
from simulators.invitations import AGENCY_TITLES, app_for
from simulators.server import RunningSimulator, start_in_thread
from tests.sims import Sim
from tests.sweep_support import register_simulators, registers  # noqa: F401 - fixtures
from tests.wire import WireRecorder

# Everything the Tax Agency simulator received in this session (cleared per test).
TAX_AGENCY_WIRE: list[str] = []


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


@pytest.fixture(scope="session")
def invitation_simulators(database_url: str) -> Iterator[dict[str, RunningSimulator]]:
    """The agencies invited to the collaboration meeting, and the police grants service
    (during phase)."""
    config = SimulatorConfig(answer_delay_seconds=0)
    with ExitStack() as stack:
        running = {agency: stack.enter_context(start_in_thread(app_for(agency)(config)))
                   for agency in AGENCY_TITLES}
        running["police_grants"] = stack.enter_context(
            start_in_thread(police_grants.create_app(config)))
        tax = tax_agency.create_app(config)
        tax.add_middleware(WireRecorder, seen=TAX_AGENCY_WIRE)
        running["tax_agency"] = stack.enter_context(start_in_thread(tax))
        for agency, sim in running.items():
            os.environ[f"UTVAG_{agency.upper()}_URL"] = sim.base_url
        from adapters.settings import get_settings

        get_settings.cache_clear()
        yield running


@pytest.fixture
def invited(invitation_simulators: dict[str, RunningSimulator]) -> Iterator[dict[str, Sim]]:
    with ExitStack() as stack:
        sims = {agency: Sim(sim, stack.enter_context(httpx.Client(base_url=sim.base_url,
                                                                 timeout=5)))
                for agency, sim in invitation_simulators.items()}
        for sim in sims.values():
            sim.reset()
        TAX_AGENCY_WIRE.clear()
        yield sims


@pytest.fixture
def tax_agency_wire(invited: dict[str, Sim]) -> list[str]:
    """What the Tax Agency simulator received during this test, request by request."""
    return TAX_AGENCY_WIRE


@pytest.fixture
def sims(simulators: tuple[RunningSimulator, RunningSimulator], db: str,
         prefect_harness: None, invited: dict[str, Sim]) -> Iterator[tuple[Sim, Sim]]:
    with httpx.Client(base_url=simulators[0].base_url, timeout=5) as p, \
            httpx.Client(base_url=simulators[1].base_url, timeout=5) as s:
        police_sim, social_sim = Sim(simulators[0], p), Sim(simulators[1], s)
        for sim in (police_sim, social_sim):
            sim.reset()
        yield police_sim, social_sim
