"""The state grant in the case's flow with a recording fake of the police grants office:
statement, application, completion (its deadline on the test's clock), decision and the
yearly ledger."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import select

from adapters.police_grants.schemas import GrantApplication, GrantDecision
from adapters.repositories import journal, waits
from models.during_tables import GrantDecisionRow
from models.grant_model import GrantAppropriation
from services import snapshot
from services.grants import GrantError, complete_application, ledger, record_statement
from services.runtime import Runtime
from services.waits import flag_overdue_waits
from tests.fakes.agencies import FakeAgencies, granted
from tests.fakes.clock import FakeClock
from tests.flows.conftest import CaseRunner
from tests.states import POLICE_COORDINATOR, at_grant


def _decision(rt: Runtime, case_id: uuid.UUID) -> GrantDecisionRow:
    with rt.uow() as session:
        return session.exec(select(GrantDecisionRow).where(
            GrantDecisionRow.case_id == case_id)).one()


def _journal(rt: Runtime, case_id: uuid.UUID, kind: str) -> list[dict[str, Any]]:
    with rt.uow() as session:
        return [e.data for e in journal.entries(session, case_id) if e.kind == kind]


def _as_the_police_decide(application: GrantApplication) -> GrantDecision:
    """Granted as applied for when the coordinator supports it, else criteria not met."""
    if application.statement is not None and not application.statement.supports:
        return GrantDecision(request_id="", status="rejected",
                             rejection_reason="criteria_not_met")
    return granted(application)


@pytest.fixture()
def police(agencies: FakeAgencies) -> FakeAgencies:
    agencies.police_grants.decide_with = _as_the_police_decide
    return agencies


def test_a_supported_application_is_granted_the_plans_cost_and_booked(
        rt: Runtime, police: FakeAgencies, run: CaseRunner) -> None:
    case_id = at_grant(rt, police, cost=30_000).case_id
    year = rt.now().year
    before, _ = ledger(rt, year)
    record_statement(rt, case_id, supports=True, by=POLICE_COORDINATOR)
    assert run(case_id)["reason"] == "relocation decision"
    [applied] = police.police_grants.calls
    assert applied.body.amount_sek == 30_000
    assert [i.kind for i in applied.body.interventions] == ["long_term_housing"]
    assert applied.body.statement is not None and applied.body.statement.supports
    assert applied.body.statement.by == POLICE_COORDINATOR
    row = _decision(rt, case_id)
    assert (row.status, row.amount_sek) == ("granted", 30_000)
    assert ledger(rt, year) == (before + 30_000, 1)
    assert run(case_id)["reason"] == "relocation decision"
    assert len(police.police_grants.calls) == 1, "applied once"


def test_an_unsupported_application_is_rejected_as_criteria_not_met(
        rt: Runtime, police: FakeAgencies, run: CaseRunner) -> None:
    case_id = at_grant(rt, police).case_id
    record_statement(rt, case_id, supports=False, by=POLICE_COORDINATOR)
    assert run(case_id)["reason"] == "relocation decision", "the case goes on without it"
    row = _decision(rt, case_id)
    assert (row.status, row.reason, row.amount_sek) == ("rejected", "criteria_not_met", None)
    assert ledger(rt, rt.now().year) == (0, 0)


def test_a_grant_beyond_what_is_left_of_the_year_is_refused(
        rt: Runtime, police: FakeAgencies, run: CaseRunner) -> None:
    case_id = at_grant(rt, police, cost=30_000).case_id
    year = rt.now().year
    cap = GrantAppropriation(year=year, in_force_from=date(year, 1, 1),
                             kind="letter_of_appropriation", total_cap_sek=20_000,
                             direct_operational_cap_sek=10_000, recorded_by="test")
    with rt.uow() as session:
        session.add(cap)
    try:
        record_statement(rt, case_id, supports=True, by=POLICE_COORDINATOR)
        run(case_id)
    finally:  # the appropriations are dated data that outlive a test: take it back
        with rt.uow() as session:
            session.execute(sa.delete(GrantAppropriation).where(
                GrantAppropriation.year == year))
    row = _decision(rt, case_id)
    assert row.status == "refused_budget" and row.amount_sek is None
    assert "30000 kr exceeds the 20000 kr left" in (row.reason or "")
    assert ledger(rt, rt.now().year) == (0, 0)


def test_a_completion_request_waits_until_its_deadline_then_the_completion_is_sent(
        rt: Runtime, clock: FakeClock, agencies: FakeAgencies, run: CaseRunner) -> None:
    deadline = rt.now().date() + timedelta(days=14)
    agencies.police_grants.decide_with = lambda _: GrantDecision(
        request_id="", status="completion_requested", completion_deadline=deadline)
    case_id = at_grant(rt, agencies).case_id
    record_statement(rt, case_id, supports=True, by=POLICE_COORDINATOR)
    assert run(case_id)["reason"] == "grant completion"
    with rt.uow() as session:
        [wait] = waits.open_waits(session, case_id)
    [asked] = _journal(rt, case_id, "grant_completion_requested")
    assert wait.kind == "grant_completion"
    assert wait.deadline == datetime.combine(deadline, time.max, tzinfo=UTC)
    assert asked["deadline"] == deadline.isoformat()
    assert run(case_id)["reason"] == "grant completion", "nothing sent until completed"
    assert agencies.police_grants.completions == []

    clock.set(datetime.combine(deadline, time(23, 0), tzinfo=UTC))
    assert flag_overdue_waits(rt)[0] == [], "the last day is not late"
    clock.set(datetime.combine(deadline + timedelta(days=1), time(8, 0), tzinfo=UTC))
    assert [(f.kind, f.case_number) for f in flag_overdue_waits(rt)[0]] == [
        ("grant_completion", snapshot.load(rt, case_id).case_number)]

    complete_application(rt, case_id, by="coordinator-anna")
    assert run(case_id)["reason"] == "relocation decision"
    [completion] = agencies.police_grants.completions
    assert completion.key == f"{case_id}:police:grant_completion"
    assert completion.body.amount_sek == 30_000
    assert _decision(rt, case_id).status == "granted"
    disclosed = [d["kind"] for d in _journal(rt, case_id, "disclosure")
                 if d["agency"] == "police"]
    assert disclosed.count("grant_completion") == 1


def test_the_statement_and_a_completion_only_when_they_can_still_matter(
        rt: Runtime, police: FakeAgencies, run: CaseRunner) -> None:
    case_id = at_grant(rt, police).case_id
    with pytest.raises(GrantError, match="not asked for the application"):
        complete_application(rt, case_id, by="coordinator-anna")
    record_statement(rt, case_id, supports=False, by=POLICE_COORDINATOR)
    record_statement(rt, case_id, supports=True, by=POLICE_COORDINATOR)
    run(case_id)
    with pytest.raises(GrantError, match="statement: the application .* already sent"):
        record_statement(rt, case_id, supports=False, by=POLICE_COORDINATOR)
    assert [d["supports"] for d in _journal(rt, case_id, "grant_statement")] == [False, True]
    assert _decision(rt, case_id).status == "granted", "decided on the statement it got"
