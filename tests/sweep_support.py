"""Helpers for the register-sweep tests: register simulators on loopback, ongoing cases
admitted on a chosen day, register entries loaded through the simulators' admin API."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import httpx
import pytest
import sqlalchemy as sa

from adapters import repo
from adapters.db import unit_of_work
from models.enums import CaseStatus, Phase
from models.journal import Kind
from simulators import SimulatorConfig
from simulators.registers import create_criminal_records_app, create_suspicions_app
from simulators.server import RunningSimulator, start_in_thread
from tasks.intake import open_case
from tests.factories import identity_number, referral
from tests.sims import Sim

ADMITTED = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@dataclass
class Registers:
    criminal_records: Sim
    suspicions: Sim

    def reset(self) -> None:
        for sim in (self.criminal_records, self.suspicions):
            sim.reset()
            sim.admin("DELETE", "/_admin/entries")

    def add(self, sim: Sim, person: str, entry_id: str, on: date) -> None:
        sim.admin("POST", "/_admin/entries", json={"entries": [
            {"identity_number": person, "entry_id": entry_id, "date": on.isoformat()}]})


@pytest.fixture(scope="session")
def register_simulators(simulators: object) -> Iterator[tuple[RunningSimulator,
                                                              RunningSimulator]]:
    config = SimulatorConfig()
    with start_in_thread(create_criminal_records_app(config)) as c, \
            start_in_thread(create_suspicions_app(config)) as s:
        os.environ["UTVAG_CRIMINAL_RECORDS_URL"] = c.base_url
        os.environ["UTVAG_SUSPICIONS_URL"] = s.base_url
        from adapters.settings import get_settings

        get_settings.cache_clear()
        yield c, s


@pytest.fixture
def registers(register_simulators: tuple[RunningSimulator, RunningSimulator],
              sims: object) -> Iterator[Registers]:
    c, s = register_simulators
    with httpx.Client(base_url=c.base_url, timeout=5) as cc, \
            httpx.Client(base_url=s.base_url, timeout=5) as sc:
        regs = Registers(Sim(c, cc), Sim(s, sc))
        regs.reset()
        yield regs


def admitted_case(serial: int, *, at: datetime = ADMITTED,
                  consents: list[str] | None = None) -> tuple[uuid.UUID, str, str]:
    """An ongoing case admitted at ``at``: (case id, case number, 12-digit identity)."""
    person = identity_number(serial=serial)
    agencies = consents if consents is not None else ["police", "social_services"]
    ref = referral(person={"identity_number": person, "name": "Test Person"},
                   consents=[{"agency": a, "legal_basis": "samtycke"} for a in agencies])
    opened = open_case(ref, now=at)
    with unit_of_work() as session:
        case = repo.get_case(session, opened.case_id, lock=True)
        repo.transition(session, case, kind=Kind.ADMITTED, actor="test", at=at,
                        phase=Phase.DURING, status=CaseStatus.ADMITTED, reason="admitted")
    return opened.case_id, opened.case_number, person.replace("-", "")


def count(sql: str, **params: object) -> int:
    with unit_of_work() as session:
        return int(session.execute(sa.text(sql), params).scalar_one())
