"""Fixtures: each simulator runs once per session on a real loopback port and is reset
before every test that uses it (cheap), instead of being restarted (slow)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi import FastAPI

from adapters.common import Subject
from adapters.http import default_timeout
from adapters.police import HttpPoliceAdapter
from adapters.social_services import HttpSocialServicesAdapter
from simulators import SimulatorConfig, police, social_services
from simulators.server import start_in_thread
from tests.sims import ANSWER_DELAY, TEST_IDENTITY_NUMBER, TEST_NAME, Sim


@pytest.fixture
def subject() -> Subject:
    return Subject(identity_number=TEST_IDENTITY_NUMBER, name=TEST_NAME)


def _run(create_app: Callable[[SimulatorConfig], FastAPI]) -> Iterator[Sim]:
    app = create_app(SimulatorConfig(test_mode=True, answer_delay_seconds=ANSWER_DELAY))
    with (
        start_in_thread(app) as running,
        httpx.Client(base_url=running.base_url, timeout=5.0) as client,
    ):
        yield Sim(running, client)


@pytest.fixture(scope="session")
def _police_running() -> Iterator[Sim]:
    yield from _run(police.create_app)


@pytest.fixture(scope="session")
def _social_running() -> Iterator[Sim]:
    yield from _run(social_services.create_app)


@pytest.fixture
def police_sim(_police_running: Sim) -> Sim:
    _police_running.reset()
    return _police_running


@pytest.fixture
def social_sim(_social_running: Sim) -> Sim:
    _social_running.reset()
    return _social_running


@pytest.fixture
def police_adapter(police_sim: Sim) -> Iterator[HttpPoliceAdapter]:
    with httpx.Client(base_url=police_sim.base_url, timeout=default_timeout()) as client:
        yield HttpPoliceAdapter(client)


@pytest.fixture
def social_adapter(social_sim: Sim) -> Iterator[HttpSocialServicesAdapter]:
    with httpx.Client(base_url=social_sim.base_url, timeout=default_timeout()) as client:
        yield HttpSocialServicesAdapter(client)
