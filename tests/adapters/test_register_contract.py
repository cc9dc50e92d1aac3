"""The register adapters against their simulators on loopback: batch look-ups, the
entries-since date, kinds per register, error mapping under faults."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date

import httpx
import pytest

from adapters.errors import PermanentAgencyError, RetryableAgencyError
from adapters.registers import HttpRegisterAdapter, LookupResult, Register, Subject
from simulators import SimulatorConfig
from simulators.registers import create_criminal_records_app, create_suspicions_app
from simulators.server import start_in_thread
from tests.sims import Sim

PERSON_A, PERSON_B = "199503140016", "198001019876"


@pytest.fixture(scope="module", params=["criminal_records", "suspicions"])
def register_sim(request: pytest.FixtureRequest) -> Iterator[tuple[Register, Sim]]:
    factory = (create_criminal_records_app if request.param == "criminal_records"
               else create_suspicions_app)
    with start_in_thread(factory(SimulatorConfig(test_mode=True))) as running, \
            httpx.Client(base_url=running.base_url, timeout=5.0) as client:
        yield request.param, Sim(running, client)


@pytest.fixture
def sim(register_sim: tuple[Register, Sim]) -> tuple[Register, Sim]:
    register, s = register_sim
    s.reset()
    s.admin("DELETE", "/_admin/entries")
    s.admin("POST", "/_admin/entries", json={"entries": [
        {"identity_number": PERSON_A, "entry_id": "E-old", "date": "2024-01-10"},
        {"identity_number": PERSON_A, "entry_id": "E-new", "date": "2026-06-01"},
        {"identity_number": PERSON_B, "entry_id": "E-b", "date": "2026-07-01"},
    ]})
    return register, s


def _lookup(register: Register, base_url: str, subjects: list[Subject],
            since: date, *, read_timeout: float = 5.0) -> LookupResult:
    async def run() -> LookupResult:
        timeout = httpx.Timeout(connect=2.0, read=read_timeout, write=5.0, pool=2.0)
        async with httpx.AsyncClient(base_url=base_url, timeout=timeout) as client:
            return await HttpRegisterAdapter(client, register=register).lookup(
                subjects=subjects, entries_since=since)
    return asyncio.run(run())


SUBJECTS = [Subject(subject_ref="case-a", identity_number=PERSON_A),
            Subject(subject_ref="case-b", identity_number=PERSON_B),
            Subject(subject_ref="case-c", identity_number="200001010000")]


def test_batch_lookup_returns_entries_since_the_date_by_subject_ref(
        sim: tuple[Register, Sim]) -> None:
    register, s = sim
    result = _lookup(register, s.base_url, SUBJECTS, date(2025, 1, 1))
    assert result.checked == 3 and result.register_name == register
    found = {(e.subject_ref, e.entry_id, e.date) for e in result.entries}
    assert found == {("case-a", "E-new", date(2026, 6, 1)), ("case-b", "E-b", date(2026, 7, 1))}
    kind = "conviction" if register == "criminal_records" else "suspicion"
    assert {e.kind for e in result.entries} == {kind}


def test_an_outage_is_retryable(sim: tuple[Register, Sim]) -> None:
    register, s = sim
    s.set_faults(error_rate=1.0)
    with pytest.raises(RetryableAgencyError):
        _lookup(register, s.base_url, SUBJECTS, date(2025, 1, 1))


def test_a_slow_register_times_out_as_retryable(sim: tuple[Register, Sim]) -> None:
    register, s = sim
    s.set_faults(latency_ms=1500)
    with pytest.raises(RetryableAgencyError):
        _lookup(register, s.base_url, SUBJECTS, date(2025, 1, 1), read_timeout=0.3)


def test_a_bad_identity_number_is_permanent_and_not_echoed(sim: tuple[Register, Sim]) -> None:
    register, s = sim
    bad = [Subject(subject_ref="x", identity_number="19950314-0016")]
    with pytest.raises(PermanentAgencyError) as caught:
        _lookup(register, s.base_url, bad, date(2025, 1, 1))
    assert "0016" not in str(caught.value)


def test_more_than_500_subjects_are_refused(sim: tuple[Register, Sim]) -> None:
    register, s = sim
    many = [{"subject_ref": str(i), "identity_number": PERSON_A} for i in range(501)]
    response = s.client.post("/lookups", json={"entries_since": "2025-01-01",
                                               "subjects": many})
    assert response.status_code == 422
