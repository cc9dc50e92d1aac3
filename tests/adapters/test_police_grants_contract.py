"""Contract tests: ``HttpPoliceGrantsAdapter`` against the police-grants simulator."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date

import httpx
import pytest

from adapters.common import Subject
from adapters.errors import PermanentAgencyError
from adapters.http import default_timeout
from adapters.police_grants import (
    GrantApplication,
    GrantDecision,
    HttpPoliceGrantsAdapter,
    PlannedIntervention,
)
from adapters.police_grants.schemas import CoordinatorStatement
from simulators import SimulatorConfig, police_grants
from simulators.server import start_in_thread
from tests.sims import ANSWER_DELAY, Sim

PLAN = [PlannedIntervention(kind="trustee", start=date(2026, 12, 1),
                            planned_end=date(2027, 6, 1), cost_sek=40_000)]


@pytest.fixture(scope="module")
def grants_sim() -> Iterator[Sim]:
    app = police_grants.create_app(SimulatorConfig(test_mode=True,
                                                   answer_delay_seconds=ANSWER_DELAY))
    with start_in_thread(app) as running, \
            httpx.Client(base_url=running.base_url, timeout=5.0) as client:
        yield Sim(running, client)


@pytest.fixture
def grants(grants_sim: Sim) -> Iterator[HttpPoliceGrantsAdapter]:
    grants_sim.reset()
    with httpx.Client(base_url=grants_sim.base_url, timeout=default_timeout()) as client:
        yield HttpPoliceGrantsAdapter(client)


def application(subject: Subject, *, supports: bool | None = True,
                plan: list[PlannedIntervention] = PLAN) -> GrantApplication:
    statement = None if supports is None else CoordinatorStatement(by="noa-1", supports=supports)
    return GrantApplication(case_number="UTV-2026-000001", subject=subject,
                            applicant_municipality="0180", amount_sek=40_000,
                            interventions=plan, statement=statement)


def decided(grants: HttpPoliceGrantsAdapter, request_id: str) -> GrantDecision:
    deadline = time.monotonic() + 5
    while (decision := grants.get_decision(request_id=request_id)).status == "pending":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return decision


def test_a_supported_application_is_granted_the_amount(
        grants: HttpPoliceGrantsAdapter, subject: Subject) -> None:
    sent = grants.apply(idempotency_key="c1:police:grant", application=application(subject))
    decision = decided(grants, sent.request_id)
    assert (decision.status, decision.amount_sek) == ("granted", 40_000)
    again = grants.apply(idempotency_key="c1:police:grant", application=application(subject))
    assert (again.request_id, again.created) == (sent.request_id, False)


def test_an_unsupported_application_is_rejected_as_criteria_not_met(
        grants: HttpPoliceGrantsAdapter, subject: Subject) -> None:
    sent = grants.apply(idempotency_key="c2", application=application(subject, supports=False))
    assert decided(grants, sent.request_id).rejection_reason == "criteria_not_met"


def test_an_incomplete_application_gets_a_deadline_and_can_be_completed(
        grants: HttpPoliceGrantsAdapter, subject: Subject) -> None:
    sent = grants.apply(idempotency_key="c3", application=application(subject, plan=[]))
    asked = decided(grants, sent.request_id)
    assert asked.status == "completion_requested" and asked.completion_deadline is not None
    completed = grants.complete(idempotency_key="c3:completion", request_id=sent.request_id,
                                application=application(subject))
    assert (completed.status, completed.amount_sek) == ("granted", 40_000)
    with pytest.raises(PermanentAgencyError, match="409"):
        grants.complete(idempotency_key="c3:x", request_id=sent.request_id,
                        application=application(subject, supports=False))
