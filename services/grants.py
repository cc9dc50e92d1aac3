"""The state grant: the police coordinator's statement, the application built from the
action plan, a completion when the police ask for one, and the decision booked in the
year's ledger (refused when the appropriation cannot pay it)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from adapters.common import SubmittedRequest
from adapters.police_grants.schemas import CoordinatorStatement as WireStatement
from adapters.police_grants.schemas import GrantApplication, GrantDecision, PlannedIntervention
from adapters.registry import AgencyPorts
from adapters.repositories import cases, journal, requests, waits
from models.during_tables import CoordinatorStatement, GrantBudget, GrantDecisionRow, Intervention
from models.enums import WaitKind
from models.grants import BudgetExceeded, GrantKind
from models.journal import Kind
from models.progress import GRANT_APPLICATION, GRANT_COMPLETION
from models.tables import Case
from models.waits import AgencySubject, Wait
from services.agency import Defer, Personal, Recorded
from services.before_steps import wire_subject
from services.reports.budget import budget_for, check_new_grant, ledger_entries
from services.runtime import Runtime

AGENCY = "police"


class GrantError(ValueError):
    """A grant step that may not be taken now; the message names the field and why."""


def record_statement(rt: Runtime, case_ref: str | uuid.UUID, *, supports: bool,
                     by: str) -> Case:
    """The police defector coordinator's statement on the application; it may be
    replaced until the application has gone to the police with it."""
    at = rt.now()
    with rt.uow() as session:
        case = cases.lock_case_ref(session, case_ref)
        # A claimed request may have reached the police already (a crash after filing).
        if requests.get(session, case.id, GRANT_APPLICATION) is not None:
            raise GrantError(f"statement: the application of {case.case_number} was already "
                             "sent to the police with the statement recorded then")
        values = {"supports": supports, "recorded_by": by, "recorded_at": at}
        session.execute(insert(CoordinatorStatement).values(case_id=case.id, **values)
                        .on_conflict_do_update(index_elements=["case_id"], set_=values))
        journal.journal(session, case, kind=Kind.GRANT_STATEMENT, actor=by, at=at,
                        reason="coordinator statement: "
                               f"{'supports' if supports else 'does not support'} the "
                               "application", data={"supports": supports})
        waits.close_wait(session, case, Wait.of(WaitKind.GRANT_STATEMENT), by=by, at=at,
                         answer={"supports": supports})
    return case


def complete_application(rt: Runtime, case_ref: str | uuid.UUID, *, by: str) -> Case:
    """The coordinator says the application is complete (after adding what was missing).
    `GrantError` when the police have not asked for a completion; saying it twice is
    harmless."""
    at = rt.now()
    with rt.uow() as session:
        case = cases.lock_case_ref(session, case_ref)
        if not waits.close_wait(session, case, Wait.of(WaitKind.GRANT_COMPLETION), by=by,
                                at=at, answer={"completed": True}) \
                and not waits.was_answered(session, case.id, WaitKind.GRANT_COMPLETION):
            raise GrantError(f"case: the police have not asked for the application of "
                             f"{case.case_number} to be completed")
    return case


def _application(session: Session, case: Case, person: Personal) -> GrantApplication:
    rows = session.exec(select(Intervention).where(Intervention.case_id == case.id)
                        .order_by(col(Intervention.id))).all()
    statement = session.exec(select(CoordinatorStatement).where(
        CoordinatorStatement.case_id == case.id)).first()
    return GrantApplication(
        case_number=case.case_number, subject=wire_subject(person),
        applicant_municipality=case.placing_municipality,
        amount_sek=sum((r.cost_sek for r in rows), 0),
        interventions=[PlannedIntervention(kind=r.kind, start=r.start,
                                           planned_end=r.planned_end, cost_sek=r.cost_sek)
                       for r in rows],
        statement=WireStatement(by=statement.recorded_by, supports=statement.supports)
        if statement else None)


def book(session: Session, case: Case, decision: GrantDecision, *, at: datetime) -> Recorded:
    """Record the decision; a grant the year's ledger cannot pay (the caps in force on
    the day, the year's allocation decision, every grant of the year so far, from cases
    or not) is refused."""
    year = at.year
    caps = budget_for(session, year=year, on=at.date())
    # The decision row refers to the year's row (kept for the grant model's view).
    session.execute(insert(GrantBudget).values(
        year=year, appropriation_sek=caps.appropriation_sek,
        direct_operational_cap_sek=caps.direct_operational_cap_sek,
    ).on_conflict_do_nothing(index_elements=["year"]))
    status: str = decision.status
    amount: int | None = decision.amount_sek
    reason: str | None = decision.rejection_reason
    if status == "granted" and amount is not None:
        try:
            check_new_grant(session, year=year, on=at.date(), kind=GrantKind.INDIVIDUAL_CASE,
                            amount_sek=amount)
        except BudgetExceeded as exc:
            status, amount, reason = "refused_budget", None, str(exc)
    session.execute(insert(GrantDecisionRow).values(
        case_id=case.id, year=year, kind=GrantKind.INDIVIDUAL_CASE.value, status=status,
        amount_sek=amount, reason=reason, decided_at=at,
    ).on_conflict_do_nothing(index_elements=["case_id"]))
    text = (f"state grant granted: {amount} kr" if status == "granted"
            else f"state grant {status}: {reason}")
    data = {"status": status, "amount_sek": amount, "reason": reason}
    journal.journal(session, case, kind=Kind.GRANT_DECIDED, actor=AGENCY, at=at, reason=text,
                    data={**data, "year": year})
    return Recorded(text, data)


def _decision(ports: AgencyPorts, external_id: str) -> GrantDecision | None:
    decision = ports.police_grants.get_decision(request_id=external_id)
    return None if decision.status == "pending" else decision


def _book_or_defer(session: Session, case: Case, decision: GrantDecision, *,
                   at: datetime) -> Recorded | Defer:
    if decision.status != "completion_requested":
        return book(session, case, decision, at=at)
    assert decision.completion_deadline is not None  # noqa: S101 - the contract says so
    return Defer(Wait.of(WaitKind.GRANT_COMPLETION),
                 deadline=datetime.combine(decision.completion_deadline, time.max, tzinfo=UTC),
                 reason="the police ask for the grant application to be completed by "
                        f"{decision.completion_deadline}",
                 data={"deadline": decision.completion_deadline.isoformat()},
                 kind=Kind.GRANT_COMPLETION_REQUESTED)


@dataclass(frozen=True)
class GrantApplicationStep:
    subject: AgencySubject = GRANT_APPLICATION

    def body(self, session: Session, case: Case, person: Personal, *, key: str,
             at: datetime) -> GrantApplication:
        return _application(session, case, person)

    def submit(self, ports: AgencyPorts, *, key: str, body: GrantApplication) -> SubmittedRequest:
        return ports.police_grants.apply(idempotency_key=key, application=body)

    def poll(self, ports: AgencyPorts, *, external_id: str) -> GrantDecision | None:
        return _decision(ports, external_id)

    def record(self, session: Session, case: Case, answer: GrantDecision, *,
               at: datetime) -> Recorded | Defer:
        return _book_or_defer(session, case, answer, at=at)


@dataclass(frozen=True)
class GrantCompletionStep:
    """The completed application, sent to the application the police asked about; its
    answer is that application's decision."""

    subject: AgencySubject = GRANT_COMPLETION

    def body(self, session: Session, case: Case, person: Personal, *, key: str,
             at: datetime) -> tuple[str, GrantApplication]:
        application = requests.get(session, case.id, GRANT_APPLICATION)
        assert application is not None and application.external_id  # noqa: S101 - asked first
        return application.external_id, _application(session, case, person)

    def submit(self, ports: AgencyPorts, *, key: str,
               body: tuple[str, GrantApplication]) -> SubmittedRequest:
        request_id, application = body
        decision = ports.police_grants.complete(idempotency_key=key, request_id=request_id,
                                                application=application)
        return SubmittedRequest(request_id=request_id, status=decision.status, created=True)

    def poll(self, ports: AgencyPorts, *, external_id: str) -> GrantDecision | None:
        return _decision(ports, external_id)

    def record(self, session: Session, case: Case, answer: GrantDecision, *,
               at: datetime) -> Recorded | Defer:
        return _book_or_defer(session, case, answer, at=at)


def ledger(rt: Runtime, year: int) -> tuple[int, int]:
    """(granted so far, number of grants) in `year`, whole kronor: from cases and recorded
    by the grants officer or imported."""
    with rt.uow() as session:
        entries = ledger_entries(session, year=year)
    return sum(e.amount_sek for e in entries), len(entries)
