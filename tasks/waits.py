"""Waits: what a case waits for, since when, until when; and their answers.

A wait is a row, not a sleeping process: the flow run suspends (or ends) and the
row keeps the case's place. Answers come from the CLI, the Prefect UI form, or the
agency-answer collector; each is journaled and closes the wait exactly once.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from adapters import repo
from adapters.db import unit_of_work
from adapters.logs import get_logger
from adapters.settings import get_settings
from models.enums import CaseStatus, ConsentState, WaitKind
from models.journal import Kind
from models.tables import Case, CaseWait, Consent
from tasks.cases import SYSTEM, now


def _deadline_days(kind: WaitKind) -> int:
    settings = get_settings()
    if kind == WaitKind.AGENCY_ANSWER:
        return settings.agency_answer_deadline_days
    return settings.wait_deadline_days


def open_wait_in(session: Session, case: Case, *, kind: WaitKind, subject: str,
                 at: datetime) -> bool:
    """Open the wait unless the same one is open already; True when opened."""
    stmt = (
        insert(CaseWait)
        .values(case_id=case.id, kind=kind.value, subject=subject, opened_at=at,
                deadline=at + timedelta(days=_deadline_days(kind)))
        .on_conflict_do_nothing(
            index_elements=["case_id", "kind", "subject"],
            index_where=col(CaseWait.answered_at).is_(None),
        )
        .returning(col(CaseWait.id))
    )
    if session.execute(stmt).first() is None:
        return False
    repo.transition(session, case, kind=Kind.WAIT_OPENED, actor=SYSTEM, at=at,
                    status=CaseStatus.WAITING, reason=f"waiting for {kind.value}: {subject}",
                    data={"wait_kind": kind.value, "subject": subject})
    return True


@task(name="open-wait", cache_policy=NO_CACHE, persist_result=False)
def open_wait(case_id: uuid.UUID, *, kind: WaitKind, subject: str) -> bool:
    with unit_of_work() as session:
        case = repo.get_case(session, case_id, lock=True)
        opened = open_wait_in(session, case, kind=kind, subject=subject, at=now())
    if opened:
        get_logger(case_number=case.case_number).info("wait.opened", wait_kind=kind.value,
                                                       subject=subject)
    return opened


def close_wait_in(session: Session, case: Case, *, kind: WaitKind, subject: str, by: str,
                  at: datetime, answer: dict[str, Any]) -> bool:
    wait = session.exec(
        select(CaseWait)
        .where(CaseWait.case_id == case.id, CaseWait.kind == kind.value,
               CaseWait.subject == subject, col(CaseWait.answered_at).is_(None))
        .with_for_update()
    ).first()
    if wait is None:
        return False
    wait.answered_at, wait.answered_by, wait.answer = at, by, answer
    session.add(wait)
    still_waiting = len(repo.open_waits(session, case.id)) > 1
    status = case.status
    if case.status == CaseStatus.WAITING and not still_waiting:
        status = CaseStatus.OPEN
    repo.transition(session, case, kind=Kind.WAIT_ANSWERED, actor=by, at=at, status=status,
                    reason=f"answered {kind.value}: {subject}",
                    data={"wait_kind": kind.value, "subject": subject})
    return True


def record_criterion(case_ref: str | uuid.UUID, *, criterion: str, holds: bool, by: str,
                     note: str = "") -> Case:
    """A coordinator's answer to one eligibility criterion (CLI, UI form or API)."""
    at = now()
    with unit_of_work() as session:
        case = _locked(session, case_ref)
        repo.upsert_answer(session, case_id=case.id, criterion=criterion, holds=holds,
                           note=note, recorded_by=by, at=at)
        repo.journal(session, case, kind=Kind.DECISION, actor=by, at=at,
                     reason=f"{criterion}: {'holds' if holds else 'does not hold'}",
                     data={"criterion": criterion, "holds": holds})
        close_wait_in(session, case, kind=WaitKind.COORDINATOR_ANSWER, subject=criterion,
                      by=by, at=at, answer={"holds": holds})
    return case


def record_consent(case_ref: str | uuid.UUID, *, agency: str, given: bool, by: str,
                   legal_basis: str) -> Case:
    """Consent given or withdrawn for one receiving agency; journaled."""
    at = now()
    state = ConsentState.GIVEN if given else ConsentState.WITHDRAWN
    with unit_of_work() as session:
        case = _locked(session, case_ref)
        session.add(Consent(case_id=case.id, agency=agency, state=state, at=at,
                            recorded_by=by, legal_basis=legal_basis))
        repo.journal(session, case, kind=Kind.CONSENT, actor=by, at=at,
                     reason=f"consent {state.value} for {agency}",
                     data={"agency": agency, "state": state.value, "legal_basis": legal_basis})
        if given:
            close_wait_in(session, case, kind=WaitKind.CONSENT, subject=agency, by=by, at=at,
                          answer={"given": True})
    return case


def _locked(session: Session, case_ref: str | uuid.UUID) -> Case:
    case = repo.find_case(session, str(case_ref))
    return repo.get_case(session, case.id, lock=True)


def set_wait_run(case_id: uuid.UUID, flow_run_id: uuid.UUID) -> None:
    """Remember which flow run holds the case's open waits, so an answer can resume it."""
    with unit_of_work() as session:
        session.execute(
            sa.update(CaseWait)
            .where(col(CaseWait.case_id) == case_id, col(CaseWait.answered_at).is_(None))
            .values(flow_run_id=flow_run_id)
        )


def waiting_run(case_id: uuid.UUID) -> uuid.UUID | None:
    with unit_of_work() as session:
        row = session.exec(
            select(CaseWait.flow_run_id)
            .where(CaseWait.case_id == case_id, col(CaseWait.flow_run_id).is_not(None))
            .order_by(col(CaseWait.id).desc())
        ).first()
    return row


def note_resumed_without_answer(case_id: uuid.UUID) -> None:
    """Journal a resume that brought nothing new, so the next suspend gets a new key."""
    with unit_of_work() as session:
        case = repo.get_case(session, case_id, lock=True)
        repo.journal(session, case, kind=Kind.NOTE, actor=SYSTEM, at=now(),
                     reason="flow run resumed without an answer; still waiting")


def flag_overdue_waits(*, at: datetime | None = None) -> tuple[list[dict[str, str]],
                                                               list[dict[str, str]]]:
    """Mark and journal waits that passed their deadline (each once).
    Returns (newly flagged, all overdue), as rows of case numbers and wait facts."""
    at = at or now()
    newly: list[dict[str, str]] = []
    overdue: list[dict[str, str]] = []
    with unit_of_work() as session:
        rows = session.exec(
            select(CaseWait, Case)
            .join(Case, col(Case.id) == col(CaseWait.case_id))
            .where(col(CaseWait.answered_at).is_(None), col(CaseWait.deadline) < at)
            .order_by(col(CaseWait.deadline))
            .with_for_update(of=CaseWait, skip_locked=True)
        ).all()
        for wait, case in rows:
            row = {"case_number": case.case_number, "kind": wait.kind, "subject": wait.subject,
                   "since": wait.opened_at.isoformat(), "deadline": wait.deadline.isoformat()}
            overdue.append(row)
            if wait.overdue_flagged_at is None:
                wait.overdue_flagged_at = at
                session.add(wait)
                repo.journal(session, case, kind=Kind.WAIT_OVERDUE, actor=SYSTEM, at=at,
                             reason=f"overdue: {wait.kind} {wait.subject}",
                             data={"wait_kind": wait.kind, "subject": wait.subject})
                newly.append(row)
    return newly, overdue


def open_agency_waits() -> list[tuple[uuid.UUID, str]]:
    """(case id, "agency:kind") for every open wait on an agency's answer."""
    with unit_of_work() as session:
        rows = session.exec(
            select(CaseWait.case_id, CaseWait.subject)
            .where(CaseWait.kind == WaitKind.AGENCY_ANSWER, col(CaseWait.answered_at).is_(None))
            .order_by(col(CaseWait.id))
        )
        return [(case_id, subject) for case_id, subject in rows]
