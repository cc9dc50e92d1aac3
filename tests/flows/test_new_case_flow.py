"""The before phase under Prefect's harness, against the simulators on loopback."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

from sqlmodel import select

from adapters import repo
from adapters.db import unit_of_work
from flows.new_case import new_case
from models.journal import replay
from models.tables import AgencyRequest, CaseWait
from tasks.cases import snapshot
from tasks.intake import open_case
from tasks.waits import record_consent, record_criterion
from tests.factories import referral
from tests.sims import Sim

NOW = datetime.now(UTC)


def _open(**overrides: object) -> uuid.UUID:
    return open_case(referral(**overrides), now=NOW).case_id


def _kinds(case_id: uuid.UUID) -> list[str]:
    with unit_of_work() as session:
        return [e.kind for e in repo.journal_entries(session, case_id)]


def _admitted(result: dict[str, str]) -> bool:
    """Admitted: the before phase is done and the run went on into the during phase
    (where it now waits for the needs assessment)."""
    return result["phase"] == "during" and result["reason"] == "needs assessment"


def test_a_complete_case_is_admitted_and_the_journal_rebuilds_it(sims: tuple[Sim, Sim]) -> None:
    case_id = _open()
    result = new_case(case_id=case_id)
    assert _admitted(result)
    case = snapshot(case_id)
    assert (case.phase, case.status) == ("during", "waiting")
    with unit_of_work() as session:
        row = repo.get_case(session, case_id)
        rebuilt = replay(repo.journal_entries(session, case_id))
    assert (rebuilt.phase, rebuilt.status, rebuilt.outcome) == (row.phase, row.status, row.outcome)
    kinds = _kinds(case_id)
    assert kinds.count("disclosure") == 2 and "admitted" in kinds


def test_an_unknown_criterion_makes_the_case_wait_for_a_coordinator(
    sims: tuple[Sim, Sim],
) -> None:
    answers = referral()["eligibility"]
    del answers["signed_conditions"]
    case_id = _open(eligibility=answers)
    assert new_case(case_id=case_id)["step"] == "waiting"
    case = snapshot(case_id)
    assert case.status == "waiting"
    assert [(w.kind, w.subject) for w in case.open_waits] == [
        ("coordinator_answer", "signed_conditions")]
    assert sims[0].requests()["resources"] == 0, "no agency is asked before screening passes"
    record_criterion(case_id, criterion="signed_conditions", holds=True, by="coordinator-bo")
    assert _admitted(new_case(case_id=case_id))


def test_a_witness_is_referred_to_witness_protection_not_admitted(sims: tuple[Sim, Sim]) -> None:
    answers = referral()["eligibility"]
    answers["not_witness"] = {"holds": False}
    case_id = _open(eligibility=answers)
    assert new_case(case_id=case_id)["step"] == "closed"
    case = snapshot(case_id)
    with unit_of_work() as session:
        outcome = repo.get_case(session, case_id).outcome
    assert case.status == "closed" and outcome == "referred_to_witness_protection"


def test_a_late_threat_assessment_keeps_the_case_waiting_until_collected(
    sims: tuple[Sim, Sim],
) -> None:
    from flows.agency_answers import collect_agency_answers

    case_id = _open()
    number = snapshot(case_id).case_number
    sims[0].set_scenario(number, answer_delay_seconds=8)
    assert new_case(case_id=case_id)["step"] == "waiting"
    assert [w.subject for w in snapshot(case_id).open_waits] == ["police:threat_assessment"]
    assert collect_agency_answers(wake=False)["answered"] == 0, "the police are still on it"
    deadline = time.monotonic() + 30
    while collect_agency_answers(wake=False)["answered"] == 0:
        assert time.monotonic() < deadline, "the answer was never collected"
        time.sleep(1)
    assert _admitted(new_case(case_id=case_id))


def test_without_consent_nothing_is_disclosed_and_the_refusal_is_journaled(
    sims: tuple[Sim, Sim],
) -> None:
    case_id = _open(consents=[{"agency": "social_services", "legal_basis": "samtycke"}])
    assert new_case(case_id=case_id)["step"] == "waiting"
    assert sims[0].requests()["resources"] == 0, "the police got nothing"
    assert "disclosure_refused" in _kinds(case_id)
    assert ("consent", "police") in [(w.kind, w.subject) for w in snapshot(case_id).open_waits]
    record_consent(case_id, agency="police", given=True, by="coordinator-bo",
                   legal_basis="samtycke")
    assert _admitted(new_case(case_id=case_id))
    assert sims[0].requests()["resources"] == 1


def test_transient_faults_are_retried_to_success(sims: tuple[Sim, Sim]) -> None:
    sims[0].set_faults(error_rate=0.3, rate_limit_rate=0.2, timeout_rate=0.1,
                       timeout_sleep_seconds=1.5, seed=3)
    case_id = _open()
    assert _admitted(new_case(case_id=case_id))
    with unit_of_work() as session:
        request = session.exec(select(AgencyRequest).where(
            AgencyRequest.case_id == case_id, AgencyRequest.agency == "police")).one()
    assert request.status == "answered"
    assert request.attempts > 1, "the seed should make the first attempt fail"
    by_key = sims[0].requests()["by_idempotency_key"]
    assert list(by_key) == [request.idempotency_key]


def test_a_permanent_rejection_blocks_the_case_with_the_reason(sims: tuple[Sim, Sim]) -> None:
    case_id = _open()
    sims[0].set_scenario(snapshot(case_id).case_number, reject_status=422)
    state = new_case(case_id=case_id, return_state=True)
    assert state.is_failed()
    case = snapshot(case_id)
    assert case.status == "blocked"
    with unit_of_work() as session:
        reason = repo.get_case(session, case_id).blocked_reason
        attempts = session.exec(select(AgencyRequest.attempts).where(
            AgencyRequest.case_id == case_id, AgencyRequest.agency == "police")).one()
    assert reason is not None and "police" in reason and "422" in reason
    assert attempts == 1, "a permanent error is not retried"


def test_waits_are_listed_once_even_when_the_flow_runs_twice(sims: tuple[Sim, Sim]) -> None:
    answers = referral()["eligibility"]
    del answers["motivated"]
    case_id = _open(eligibility=answers)
    new_case(case_id=case_id)
    new_case(case_id=case_id)
    with unit_of_work() as session:
        waits = session.exec(select(CaseWait).where(CaseWait.case_id == case_id)).all()
    assert len(waits) == 1
