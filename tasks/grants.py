"""The state grant: the coordinator's statement, the application built from the action
plan, submission to the police, a completion when asked, and the decision booked in the
year's ledger (refused when the appropriation cannot pay it). One side effect per task.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time
from typing import Literal

from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from adapters import repo
from adapters.common import SubmittedRequest
from adapters.db import unit_of_work
from adapters.logs import get_logger
from adapters.police_grants.port import PoliceGrantsPort
from adapters.police_grants.schemas import (
    CoordinatorStatement as WireStatement,
)
from adapters.police_grants.schemas import (
    GrantApplication,
    GrantDecision,
    PlannedIntervention,
)
from models.during_tables import (
    CoordinatorStatement,
    GrantBudget,
    GrantDecisionRow,
    Intervention,
)
from models.enums import WaitKind
from models.grants import Budget, BudgetExceeded, GrantKind, LedgerEntry, check_grant
from models.journal import Kind
from models.tables import Case, CaseWait
from tasks.agency import (
    AGENCY_TASK_OPTIONS,
    Disclosure,
    SendOutcome,
    idempotency_key,
    mark_answered,
    send_request,
)
from tasks.agency import _subject as subject_of  # the one place identity is decrypted
from tasks.agency import sent_request as _sent
from tasks.cases import now
from tasks.waits import close_wait_in, open_wait_in

AGENCY, KIND = "police", "grant_application"
STATEMENT_SUBJECT, COMPLETION_SUBJECT = "coordinator_statement", "grant_completion"
GrantState = Literal["decided", "pending", "completion_requested", "completion_due"]


def record_statement(case_ref: str | uuid.UUID, *, supports: bool, by: str) -> Case:
    """The police defector coordinator's statement on the application (CLI or form)."""
    at = now()
    with unit_of_work() as session:
        case = _case(session, case_ref)
        values = {"supports": supports, "recorded_by": by, "recorded_at": at}
        session.execute(insert(CoordinatorStatement).values(case_id=case.id, **values)
                        .on_conflict_do_update(index_elements=["case_id"], set_=values))
        repo.journal(session, case, kind=Kind.GRANT_STATEMENT, actor=by, at=at,
                     reason="coordinator statement: "
                            f"{'supports' if supports else 'does not support'} the application",
                     data={"supports": supports})
        close_wait_in(session, case, kind=WaitKind.GRANT_STATEMENT, subject=STATEMENT_SUBJECT,
                      by=by, at=at, answer={"supports": supports})
    return case


def complete_application(case_ref: str | uuid.UUID, *, by: str) -> Case:
    """The coordinator says the application is complete (after adding what was missing)."""
    at = now()
    with unit_of_work() as session:
        case = _case(session, case_ref)
        close_wait_in(session, case, kind=WaitKind.GRANT_COMPLETION, subject=COMPLETION_SUBJECT,
                      by=by, at=at, answer={"completed": True})
    return case


@task(name="grant-status", cache_policy=NO_CACHE, persist_result=False)
def grant_status(case_id: uuid.UUID) -> tuple[bool, bool]:
    """(statement recorded, decision booked)."""
    with unit_of_work() as session:
        statement = session.exec(select(CoordinatorStatement.id).where(
            CoordinatorStatement.case_id == case_id)).first()
        decided = session.exec(select(GrantDecisionRow.id).where(
            GrantDecisionRow.case_id == case_id)).first()
    return statement is not None, decided is not None


def _application(session: Session, d: Disclosure, case_id: uuid.UUID) -> GrantApplication:
    rows = session.exec(select(Intervention).where(Intervention.case_id == case_id)
                        .order_by(col(Intervention.id))).all()
    statement = session.exec(select(CoordinatorStatement).where(
        CoordinatorStatement.case_id == case_id)).first()
    return GrantApplication(
        case_number=d.case_number, subject=d.subject, applicant_municipality=d.municipality,
        amount_sek=sum((r.cost_sek for r in rows), 0),
        interventions=[PlannedIntervention(kind=r.kind, start=r.start,
                                           planned_end=r.planned_end, cost_sek=r.cost_sek)
                       for r in rows],
        statement=WireStatement(by=statement.recorded_by, supports=statement.supports)
        if statement else None)


@task(name="apply-for-grant", **AGENCY_TASK_OPTIONS)
def apply_for_grant(case_id: uuid.UUID, grants: PoliceGrantsPort) -> SendOutcome:
    def submit(d: Disclosure) -> SubmittedRequest:
        with unit_of_work() as session:
            application = _application(session, d, case_id)
        return grants.apply(idempotency_key=d.key, application=application)

    return send_request(case_id, agency=AGENCY, kind=KIND, submit=submit)


@task(name="collect-grant-decision", **AGENCY_TASK_OPTIONS)
def collect_grant_decision(case_id: uuid.UUID, grants: PoliceGrantsPort) -> GrantState:
    request = _sent(case_id, agency=AGENCY, kind=KIND)
    if request is None or request.external_id is None:
        return "pending"
    if request.status == "answered":
        return "decided"
    decision = grants.get_decision(request_id=request.external_id)
    if decision.status == "completion_requested":
        return _completion(case_id, grants, request.external_id, decision)
    if decision.status == "pending":
        return "pending"
    _book(case_id, decision)
    return "decided"


def _completion(case_id: uuid.UUID, grants: PoliceGrantsPort, request_id: str,
                decision: GrantDecision) -> GrantState:
    """Wait (with the police's deadline) for the coordinator; then send the completion."""
    at = now()
    assert decision.completion_deadline is not None
    with unit_of_work() as session:
        case = repo.get_case(session, case_id, lock=True)
        answered = session.exec(select(CaseWait).where(
            CaseWait.case_id == case_id, CaseWait.kind == WaitKind.GRANT_COMPLETION,
            col(CaseWait.answered_at).is_not(None))).first()
        if answered is None:
            if open_wait_in(session, case, kind=WaitKind.GRANT_COMPLETION,
                            subject=COMPLETION_SUBJECT, at=at):
                wait = session.exec(select(CaseWait).where(
                    CaseWait.case_id == case_id, CaseWait.kind == WaitKind.GRANT_COMPLETION,
                    col(CaseWait.answered_at).is_(None))).one()
                wait.deadline = datetime.combine(decision.completion_deadline, time.max,
                                                 tzinfo=UTC)
                session.add(wait)
                repo.journal(session, case, kind=Kind.GRANT_COMPLETION_REQUESTED, actor=AGENCY,
                             at=at, reason="the police ask for the grant application to be "
                                           f"completed by {decision.completion_deadline}",
                             data={"deadline": decision.completion_deadline.isoformat()})
            return "completion_requested"
    key = idempotency_key(case_id, agency=AGENCY, kind="grant_completion")
    with unit_of_work() as session:
        case = repo.get_case(session, case_id, lock=True)
        if not repo.consent_given(session, case_id, AGENCY):
            repo.journal(session, case, kind=Kind.DISCLOSURE_REFUSED, actor="utvag", at=at,
                         reason="no recorded consent for police: grant completion not sent",
                         data={"agency": AGENCY, "kind": "grant_completion"})
            return "completion_requested"
        repo.journal(session, case, kind=Kind.DISCLOSURE, actor="utvag", at=at,
                     reason="identity disclosed to police for grant_completion (consent "
                            "recorded)", data={"agency": AGENCY, "kind": "grant_completion",
                                               "idempotency_key": key})
        disclosure = Disclosure(key=key, case_number=case.case_number,
                                municipality=case.placing_municipality, milieu=case.milieu,
                                subject=subject_of(session, case))
        application = _application(session, disclosure, case_id)
    completed = grants.complete(idempotency_key=key, request_id=request_id,
                                application=application)
    if completed.status in ("granted", "rejected"):
        _book(case_id, completed)
        return "decided"
    return "completion_due" if completed.status == "completion_requested" else "pending"


def _book(case_id: uuid.UUID, decision: GrantDecision) -> None:
    """Record the decision; a grant the year's ledger cannot pay is refused."""
    at = now()
    year = at.year
    with unit_of_work() as session:
        case = repo.get_case(session, case_id, lock=True)
        session.execute(insert(GrantBudget).values(
            year=year, appropriation_sek=Budget(year).appropriation_sek,
            direct_operational_cap_sek=Budget(year).direct_operational_cap_sek,
        ).on_conflict_do_nothing(index_elements=["year"]))
        budget_row = session.exec(select(GrantBudget).where(GrantBudget.year == year)
                                  .with_for_update()).one()
        status: str = decision.status
        amount, reason = decision.amount_sek, decision.rejection_reason
        reason_text: str | None = reason
        if status == "granted" and amount is not None:
            booked = session.exec(select(GrantDecisionRow).where(
                GrantDecisionRow.year == year, GrantDecisionRow.status == "granted")).all()
            try:
                check_grant(Budget(year, budget_row.appropriation_sek,
                                   budget_row.direct_operational_cap_sek),
                            [LedgerEntry(GrantKind(r.kind), r.amount_sek or 0) for r in booked],
                            kind=GrantKind.INDIVIDUAL_CASE, amount_sek=amount)
            except BudgetExceeded as exc:
                status, amount, reason_text = "refused_budget", None, str(exc)
        session.execute(insert(GrantDecisionRow).values(
            case_id=case_id, year=year, kind=GrantKind.INDIVIDUAL_CASE.value, status=status,
            amount_sek=amount, reason=reason_text, decided_at=at,
        ).on_conflict_do_nothing(index_elements=["case_id"]))
        text = (f"state grant granted: {amount} kr" if status == "granted"
                else f"state grant {status}: {reason_text}")
        mark_answered(session, case, agency=AGENCY, kind=KIND, reason=text,
                      data={"status": status, "amount_sek": amount, "reason": reason_text})
        repo.journal(session, case, kind=Kind.GRANT_DECIDED, actor=AGENCY, at=at, reason=text,
                     data={"status": status, "amount_sek": amount, "reason": reason_text,
                           "year": year})
    get_logger(case_number=case.case_number).info("grant.decided", status=status)


def _case(session: Session, case_ref: str | uuid.UUID) -> Case:
    case = repo.find_case(session, str(case_ref))
    return repo.get_case(session, case.id, lock=True)


def ledger(year: int) -> tuple[int, int]:
    """(granted so far, number of granted cases) in `year`, whole kronor."""
    with unit_of_work() as session:
        rows = session.exec(select(GrantDecisionRow.amount_sek).where(
            GrantDecisionRow.year == year, GrantDecisionRow.status == "granted")).all()
    return sum((r or 0 for r in rows), 0), len(rows)

