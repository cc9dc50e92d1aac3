"""Contract tests: ``HttpInvitationAdapter`` against each invited agency's simulator."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from adapters.common import Subject
from adapters.errors import PermanentAgencyError, RetryableAgencyError
from adapters.http import default_timeout
from adapters.invitations import HttpInvitationAdapter, InvitationPort
from adapters.invitations.schemas import InvitationRequest
from simulators import SimulatorConfig
from simulators.invitations import AGENCY_TITLES, app_for
from simulators.server import start_in_thread
from tests.sims import ANSWER_DELAY, Sim


@pytest.fixture(scope="module", params=sorted(AGENCY_TITLES))
def agency_sim(request: pytest.FixtureRequest) -> Iterator[tuple[str, Sim]]:
    agency: str = request.param
    app = app_for(agency)(SimulatorConfig(test_mode=True, answer_delay_seconds=ANSWER_DELAY))
    with start_in_thread(app) as running, \
            httpx.Client(base_url=running.base_url, timeout=5.0) as client:
        yield agency, Sim(running, client)


@pytest.fixture
def adapter(agency_sim: tuple[str, Sim]) -> Iterator[InvitationPort]:
    agency, sim = agency_sim
    sim.reset()
    with httpx.Client(base_url=sim.base_url, timeout=default_timeout()) as client:
        yield HttpInvitationAdapter(client, agency=agency)


def invite(adapter: InvitationPort, subject: Subject, *, key: str = "c1:agency:invite",
           case_number: str = "UTV-2026-000001") -> tuple[str, bool]:
    sent = adapter.invite(idempotency_key=key, request=InvitationRequest(
        case_number=case_number, subject=subject, placing_municipality="0180",
        units=["probation"], routing_version="2026.1"))
    return sent.request_id, sent.created


def test_an_invitation_is_pending_then_signed_off_by_the_agency(
        adapter: InvitationPort, subject: Subject) -> None:
    request_id, created = invite(adapter, subject)
    assert created
    assert adapter.get_invitation(request_id=request_id).status == "pending"
    deadline = time.monotonic() + 5
    while (result := adapter.get_invitation(request_id=request_id)).status == "pending":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert result.signed_off_by == f"{adapter.agency}-officer"
    assert result.signed_off_at is not None


def test_the_same_key_returns_the_same_invitation(
        adapter: InvitationPort, subject: Subject, agency_sim: tuple[str, Sim]) -> None:
    first, _ = invite(adapter, subject)
    again, created = invite(adapter, subject)
    assert (again, created) == (first, False)
    assert agency_sim[1].requests()["resources"] == 1


def test_a_rejected_invitation_is_permanent_and_an_outage_retryable(
        adapter: InvitationPort, subject: Subject, agency_sim: tuple[str, Sim]) -> None:
    sim = agency_sim[1]
    sim.set_scenario("UTV-2026-000009", reject_status=422)
    with pytest.raises(PermanentAgencyError) as permanent:
        invite(adapter, subject, case_number="UTV-2026-000009")
    assert permanent.value.agency == adapter.agency
    assert subject.identity_number not in str(permanent.value)
    sim.set_faults(error_rate=1.0)
    with pytest.raises(RetryableAgencyError):
        invite(adapter, subject, key="c2:agency:invite")
