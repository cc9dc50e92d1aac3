"""Reopening by phase and closing that cancels what the case waits for, through the
case's flow with recording fakes and the injected clock."""

from __future__ import annotations

import uuid

from adapters.repositories import cases, journal
from models.enums import Criterion, Outcome, WaitKind
from models.waits import Wait
from services import action_plan, closure, decisions, plan_versions, snapshot, waits
from services.runtime import Runtime
from tests.factories import open_case, referral
from tests.fakes.agencies import FakeAgencies
from tests.fakes.clock import FakeClock
from tests.flows.conftest import CaseRunner
from tests.states import COORDINATOR, at_plan, in_after_phase


def _kinds(rt: Runtime, case_id: uuid.UUID) -> list[str]:
    with rt.uow() as session:
        return [e.kind for e in journal.entries(session, case_id)]


def test_a_case_closed_before_admission_reopens_into_screening(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner) -> None:
    answers = referral()["eligibility"]
    answers["not_witness"] = {"holds": False}
    opened = open_case(rt, eligibility=answers)
    assert run(opened.case_id)["step"] == "done"
    closure.reopen(rt, opened.case_number, by=COORDINATOR, reason="not a witness after all")
    case = snapshot.load(rt, opened.case_id)
    assert (case.phase, case.status) == ("before", "open")
    result = run(opened.case_id)
    assert (result["phase"], result["reason"]) == ("before", "coordinator answer")
    assert Wait.criterion(Criterion.NOT_WITNESS) in snapshot.load(
        rt, opened.case_id).waits
    assert agencies.every_call() == [], "nothing goes to an agency before screening"
    decisions.record_criterion(rt, opened.case_id, criterion=Criterion.NOT_WITNESS,
                               holds=True, by=COORDINATOR)
    assert run(opened.case_id)["reason"] == "agency answer", "screened: the agencies asked"


def test_an_admitted_case_reopens_in_the_during_phase_with_a_plan_revision(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner) -> None:
    opened = in_after_phase(rt, agencies)
    closure.close_with_outcome(rt, opened.case_number, outcome=Outcome.RELAPSED,
                               by=COORDINATOR)
    [v1] = plan_versions.history(rt, opened.case_id)
    closure.reopen(rt, opened.case_number, by=COORDINATOR, reason="new support after relapse")
    assert [(v.version, v.status, v.reason) for v in plan_versions.history(
        rt, opened.case_id)] == [(1, "approved", v1.reason), (2, "draft", "reopened")], \
        "reopening opens the plan's next version, as an assessment's adjust_plan does"
    result = run(opened.case_id)
    assert (result["phase"], result["reason"]) == ("during", "action plan"), \
        "the revised plan is approved before the case moves on, not a skip into after"
    case = snapshot.load(rt, opened.case_id)
    assert (case.status, Wait.of(WaitKind.ACTION_PLAN) in case.waits) == ("waiting", True)
    assert "plan_revised" in _kinds(rt, opened.case_id)
    action_plan.approve_plan(rt, opened.case_id, by="coordinator-bo")
    assert plan_versions.history(rt, opened.case_id) == [v1, plan_versions.Version(
        2, "approved", "reopened", v1.intervention_ids, v1.cost_sek, "coordinator-bo")]
    result = run(opened.case_id)
    assert result["phase"] == "after"


def test_closing_cancels_the_open_waits_and_none_turns_overdue(
        rt: Runtime, clock: FakeClock) -> None:
    opened = at_plan(rt)
    assert Wait.of(WaitKind.ACTION_PLAN) in snapshot.load(rt, opened.case_id).waits
    closure.close_with_outcome(rt, opened.case_number, outcome=Outcome.DROPPED_OUT,
                               by=COORDINATOR)
    case = snapshot.load(rt, opened.case_id)
    assert (case.status, case.waits) == ("closed", ())
    with rt.uow() as session:
        cancelled = [e.data for e in journal.entries(session, opened.case_id)
                     if e.kind == "wait_cancelled"]
        assert cases.get_case(session, opened.case_id).outcome == "dropped_out"
    assert cancelled == [{"wait_kind": "action_plan", "subject": "action_plan"}]
    clock.advance(days=400)
    newly, overdue = waits.flag_overdue_waits(rt)
    assert [w.case_number for w in overdue] == []
