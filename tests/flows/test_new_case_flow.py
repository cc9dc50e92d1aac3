"""The before phase: the case's flow body with recording fakes for the agencies."""

from __future__ import annotations

import uuid

from sqlmodel import select

from adapters.repositories import cases, journal
from models.enums import Criterion, WaitKind
from models.journal import replay
from models.tables import AgencyRequest, CaseWait
from models.waits import Wait
from services import decisions, snapshot
from services.agency import collect_open
from services.runtime import Runtime
from tests.factories import open_case, referral
from tests.fakes.agencies import FakeAgencies
from tests.flows.conftest import CaseRunner


def _kinds(rt: Runtime, case_id: uuid.UUID) -> list[str]:
    with rt.uow() as session:
        return [e.kind for e in journal.entries(session, case_id)]


def _answer_both(rt: Runtime, agencies: FakeAgencies, number: str, *,
                 level: str = "high") -> None:
    """Both agencies answer; `collect-agency-answers` collects (its flow body)."""
    agencies.police.answer(number, level=level)
    agencies.social_services.answer(number)
    collect_open(rt, agencies)


def test_a_complete_case_is_admitted_and_the_journal_rebuilds_it(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner) -> None:
    opened = open_case(rt)
    assert run(opened.case_id)["reason"] == "agency answer"
    _answer_both(rt, agencies, opened.case_number)
    result = run(opened.case_id)
    assert (result["phase"], result["reason"]) == ("during", "needs assessment")
    with rt.uow() as session:
        row = cases.get_case(session, opened.case_id)
        rebuilt = replay(journal.entries(session, opened.case_id))
    assert (rebuilt.phase, rebuilt.status, rebuilt.outcome) == (row.phase, row.status, row.outcome)
    assert (row.phase, row.status) == ("during", "waiting")
    kinds = _kinds(rt, opened.case_id)
    assert kinds.count("disclosure") == 2 and "admitted" in kinds
    sent = agencies.police.calls[0].body
    assert sent.subject.identity_number and sent.case_number == opened.case_number


def test_agencies_that_answer_at_once_are_collected_in_the_same_pass(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner) -> None:
    opened = open_case(rt)
    agencies.police.answer_at_once = True
    agencies.social_services.answer_at_once = True
    assert run(opened.case_id)["phase"] == "during"
    assert snapshot.load(rt, opened.case_id).waits == (Wait.of(WaitKind.NEEDS_ASSESSMENT),)


def test_an_unknown_criterion_makes_the_case_wait_for_a_coordinator(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner) -> None:
    answers = referral()["eligibility"]
    del answers["signed_conditions"]
    opened = open_case(rt, eligibility=answers)
    assert run(opened.case_id)["step"] == "waiting"
    case = snapshot.load(rt, opened.case_id)
    assert case.status == "waiting"
    assert [(w.kind, w.subject) for w in case.waits] == [
        ("coordinator_answer", "signed_conditions")]
    assert agencies.every_call() == [], "no agency is asked before screening passes"
    decisions.record_criterion(rt, opened.case_id, criterion=Criterion.SIGNED_CONDITIONS,
                               holds=True, by="coordinator-bo")
    run(opened.case_id)
    _answer_both(rt, agencies, opened.case_number)
    assert run(opened.case_id)["phase"] == "during"


def test_a_witness_is_referred_to_witness_protection_not_admitted(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner) -> None:
    answers = referral()["eligibility"]
    answers["not_witness"] = {"holds": False}
    opened = open_case(rt, eligibility=answers)
    assert run(opened.case_id)["step"] == "done"
    with rt.uow() as session:
        case = cases.get_case(session, opened.case_id)
    assert (case.status, case.outcome) == ("closed", "referred_to_witness_protection")
    assert agencies.every_call() == []


def test_a_refused_support_decision_closes_the_case(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner) -> None:
    opened = open_case(rt)
    run(opened.case_id)
    agencies.social_services.answer(opened.case_number, decision="refused")
    collect_open(rt, agencies)
    run(opened.case_id)
    with rt.uow() as session:
        case = cases.get_case(session, opened.case_id)
    assert (case.status, case.outcome) == ("closed", "support_refused")


def test_a_late_threat_assessment_keeps_the_case_waiting_until_collected(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner) -> None:
    opened = open_case(rt)
    assert run(opened.case_id)["step"] == "waiting"
    assert sorted(w.subject for w in snapshot.load(rt, opened.case_id).waits) == [
        "police:threat_assessment", "social_services:support_decision"]
    assert collect_open(rt, agencies).answered == frozenset(), "the agencies are still on it"
    agencies.police.answer(opened.case_number)
    agencies.social_services.answer(opened.case_number)
    assert collect_open(rt, agencies).answered == {opened.case_id}
    assert snapshot.load(rt, opened.case_id).waits == ()
    assert run(opened.case_id)["phase"] == "during"


def test_without_consent_nothing_is_disclosed_and_the_refusal_is_journaled(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner) -> None:
    opened = open_case(rt, consents=[{"agency": "social_services", "legal_basis": "samtycke"}])
    assert run(opened.case_id)["step"] == "waiting"
    assert agencies.police.calls == [], "the police got nothing"
    assert _kinds(rt, opened.case_id).count("disclosure_refused") == 1
    assert ("consent", "police") in [(w.kind, w.subject)
                                     for w in snapshot.load(rt, opened.case_id).waits]
    run(opened.case_id)
    assert _kinds(rt, opened.case_id).count("disclosure_refused") == 1, "refused once"
    decisions.record_consent(rt, opened.case_id, agency="police", given=True,
                             by="coordinator-bo", legal_basis="samtycke")
    run(opened.case_id)
    _answer_both(rt, agencies, opened.case_number)
    assert run(opened.case_id)["phase"] == "during"
    assert len(agencies.police.calls) == 1


def test_transient_faults_are_retried_to_success_with_one_key(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner) -> None:
    agencies.police.fail_next(2)
    opened = open_case(rt)
    run(opened.case_id)
    with rt.uow() as session:
        request = session.exec(select(AgencyRequest).where(
            AgencyRequest.case_id == opened.case_id, AgencyRequest.agency == "police")).one()
    assert request.status == "sent" and request.attempts == 3
    assert agencies.police.keys_sent() == [request.idempotency_key]
    assert _kinds(rt, opened.case_id).count("disclosure") == 2, "one disclosure per agency"


def test_a_permanent_rejection_blocks_the_case_with_the_reason(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner) -> None:
    opened = open_case(rt)
    agencies.police.fail_next(permanent=True, reason="HTTP 422: subject rejected")
    state = run(opened.case_id, return_state=True)
    assert state.is_failed()
    with rt.uow() as session:
        case = cases.get_case(session, opened.case_id)
        attempts = session.exec(select(AgencyRequest.attempts).where(
            AgencyRequest.case_id == opened.case_id, AgencyRequest.agency == "police")).one()
    assert case.status == "blocked"
    assert case.blocked_reason is not None and "police" in case.blocked_reason \
        and "422" in case.blocked_reason
    assert attempts == 1, "a permanent error is not retried"
    result = run(opened.case_id)
    assert result["step"] == "waiting", "run again, the case is unblocked and asks again"
    assert "unblocked" in _kinds(rt, opened.case_id)


def test_waits_are_listed_once_even_when_the_flow_runs_twice(
        rt: Runtime, run: CaseRunner) -> None:
    answers = referral()["eligibility"]
    del answers["motivated"]
    opened = open_case(rt, eligibility=answers)
    run(opened.case_id)
    run(opened.case_id)
    with rt.uow() as session:
        rows = session.exec(select(CaseWait).where(CaseWait.case_id == opened.case_id)).all()
    assert len(rows) == 1
