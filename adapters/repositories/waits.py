"""Waits: rows that keep a case's place while a person or an agency has to answer.
At most one open wait per (case, kind, subject) — a partial unique index."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from adapters.repositories.journal import journal, transition
from models.enums import CaseStatus, WaitKind
from models.journal import Kind
from models.tables import Case, CaseWait
from models.waits import Wait

SYSTEM = "utvag"


def open_wait(session: Session, case: Case, wait: Wait, *, at: datetime,
              deadline: datetime, change_status: bool = True) -> bool:
    """Open the wait unless the same one is open already; True when opened. The case
    goes to status waiting (journaled) unless `change_status` is False."""
    stmt = (
        insert(CaseWait)
        .values(case_id=case.id, kind=wait.kind.value, subject=wait.subject, opened_at=at,
                deadline=deadline)
        .on_conflict_do_nothing(index_elements=["case_id", "kind", "subject"],
                                index_where=col(CaseWait.answered_at).is_(None))
        .returning(col(CaseWait.id))
    )
    if session.execute(stmt).first() is None:
        return False
    transition(session, case, kind=Kind.WAIT_OPENED, actor=SYSTEM, at=at,
               status=CaseStatus.WAITING if change_status else None,
               reason=f"waiting for {wait.kind.value}: {wait.subject}",
               data={"wait_kind": wait.kind.value, "subject": wait.subject})
    return True


def open_waits(session: Session, case_id: uuid.UUID) -> list[CaseWait]:
    query = (select(CaseWait)
             .where(CaseWait.case_id == case_id, col(CaseWait.answered_at).is_(None))
             .order_by(col(CaseWait.id)))
    return list(session.exec(query))


def close_wait(session: Session, case: Case, wait: Wait, *, by: str, at: datetime,
               answer: dict[str, Any]) -> bool:
    """Answer the open wait (journaled); the case is open again when it was the last
    one. False when no such wait is open."""
    row = session.exec(
        select(CaseWait)
        .where(CaseWait.case_id == case.id, CaseWait.kind == wait.kind.value,
               CaseWait.subject == wait.subject, col(CaseWait.answered_at).is_(None))
        .with_for_update()
    ).first()
    if row is None:
        return False
    row.answered_at, row.answered_by, row.answer = at, by, answer
    session.add(row)
    session.flush()
    status = case.status
    if case.status == CaseStatus.WAITING and not open_waits(session, case.id):
        status = CaseStatus.OPEN
    transition(session, case, kind=Kind.WAIT_ANSWERED, actor=by, at=at, status=status,
               reason=f"answered {wait.kind.value}: {wait.subject}",
               data={"wait_kind": wait.kind.value, "subject": wait.subject})
    return True


def set_deadline(session: Session, case_id: uuid.UUID, wait: Wait, deadline: datetime) -> None:
    session.execute(sa.update(CaseWait).where(
        col(CaseWait.case_id) == case_id, col(CaseWait.kind) == wait.kind.value,
        col(CaseWait.subject) == wait.subject, col(CaseWait.answered_at).is_(None))
        .values(deadline=deadline))


def was_answered(session: Session, case_id: uuid.UUID, kind: WaitKind) -> bool:
    return session.exec(select(CaseWait.id).where(
        CaseWait.case_id == case_id, CaseWait.kind == kind.value,
        col(CaseWait.answered_at).is_not(None))).first() is not None


def set_run(session: Session, case_id: uuid.UUID, flow_run_id: uuid.UUID) -> None:
    """Remember which flow run holds the case's open waits, so an answer can resume it."""
    session.execute(sa.update(CaseWait)
                    .where(col(CaseWait.case_id) == case_id, col(CaseWait.answered_at).is_(None))
                    .values(flow_run_id=flow_run_id))


def waiting_run(session: Session, case_id: uuid.UUID) -> uuid.UUID | None:
    return session.exec(select(CaseWait.flow_run_id)
                        .where(CaseWait.case_id == case_id,
                               col(CaseWait.flow_run_id).is_not(None))
                        .order_by(col(CaseWait.id).desc())).first()


def open_agency_waits(session: Session) -> list[tuple[uuid.UUID, Wait]]:
    """(case id, wait) for every open wait on an agency's answer, oldest first."""
    rows = session.exec(select(CaseWait.case_id, CaseWait.subject)
                        .where(CaseWait.kind == WaitKind.AGENCY_ANSWER,
                               col(CaseWait.answered_at).is_(None))
                        .order_by(col(CaseWait.id)))
    return [(case_id, Wait(WaitKind.AGENCY_ANSWER, subject)) for case_id, subject in rows]


def overdue(session: Session, *, at: datetime) -> list[tuple[CaseWait, Case]]:
    """Open waits past their deadline, locked (skipping rows another flagger holds)."""
    return list(session.exec(
        select(CaseWait, Case)
        .join(Case, col(Case.id) == col(CaseWait.case_id))
        .where(col(CaseWait.answered_at).is_(None), col(CaseWait.deadline) < at)
        .order_by(col(CaseWait.deadline))
        .with_for_update(of=CaseWait, skip_locked=True)
    ).all())


def cancel_open(session: Session, case: Case, *, by: str, at: datetime,
                reason: str) -> int:
    """Cancel every open wait of the case (a closed case waits for nothing), each
    journaled; how many. The case's status is left to the caller's transition."""
    rows = session.exec(select(CaseWait).where(
        CaseWait.case_id == case.id, col(CaseWait.answered_at).is_(None))
        .order_by(col(CaseWait.id)).with_for_update()).all()
    for row in rows:
        row.answered_at, row.answered_by = at, by
        row.answer = {"cancelled": reason}
        session.add(row)
        journal(session, case, kind=Kind.WAIT_CANCELLED, actor=by, at=at,
                reason=f"cancelled {row.kind}: {row.subject} ({reason})",
                data={"wait_kind": row.kind, "subject": row.subject})
    return len(rows)
