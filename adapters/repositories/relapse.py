"""Relapse flags after the sweep wrote them: the outbox of notifications to social
services, and the assessment waits they open."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from adapters.db import table
from adapters.repositories.cases import CASE, consent_given_expr
from models.enums import WaitKind
from models.relapse import RelapseFlag
from models.tables import CaseWait
from models.waits import Wait

FLAG = table(RelapseFlag)
WAIT = table(CaseWait)


class PendingFlag(NamedTuple):
    """A flag not notified yet, with what its notification carries (no personal data)."""

    flag_id: int
    case_id: uuid.UUID
    register: str
    kind: str
    entry_date: date
    case_number: str
    municipality: str
    consent: bool  # to the agency notified, by its latest consent record


def pending(session: Session, *, agency: str, limit: int) -> list[PendingFlag]:
    """The oldest `limit` flags not notified yet (the partial index
    `ix_relapse_flag_unnotified` holds exactly these)."""
    rows = session.execute(
        sa.select(FLAG.c.id, FLAG.c.case_id, FLAG.c.register, FLAG.c.entry_kind,
                  FLAG.c.entry_date, CASE.c.case_number, CASE.c.placing_municipality,
                  consent_given_expr(agency, FLAG.c.case_id))
        .select_from(FLAG.join(CASE, CASE.c.id == FLAG.c.case_id))
        .where(FLAG.c.notified_at.is_(None))
        .order_by(FLAG.c.id).limit(limit)).all()
    return [PendingFlag(*row) for row in rows]


def lock_cases(session: Session, case_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Any]:
    """(id, phase, status) of the cases, locked in id order: two notifiers never
    deadlock."""
    rows = session.execute(
        sa.select(CASE.c.id, CASE.c.phase, CASE.c.status)
        .where(CASE.c.id.in_(sorted(case_ids))).order_by(CASE.c.id).with_for_update()).all()
    return {row.id: row for row in rows}


# Only the flags still not notified are marked: a flag notified meanwhile by another
# sweep is journaled by that sweep alone.
_MARK_NOTIFIED = sa.text("""
UPDATE relapse_flag f SET notified_at = :at, notification_id = u.notification_id
FROM unnest(CAST(:ids AS bigint[]), CAST(:notification_ids AS text[]))
     AS u(id, notification_id)
WHERE f.id = u.id AND f.notified_at IS NULL
RETURNING f.id, f.case_id, f.register, f.entry_kind, f.entry_date, f.notification_id
""")


def mark_notified(session: Session, notification_ids: Mapping[int, str], *,
                  at: datetime) -> Sequence[sa.Row[Any]]:
    """Mark the flags notified (flag id -> the agency's notification id); the rows of
    those this call marked."""
    return session.execute(_MARK_NOTIFIED, {
        "at": at, "ids": list(notification_ids),
        "notification_ids": list(notification_ids.values())}).all()


def open_assessment_waits(session: Session, flags: Sequence[tuple[uuid.UUID, int]], *,
                          at: datetime, deadline: datetime) -> list[tuple[uuid.UUID, str]]:
    """An assessment wait per (case id, flag id) unless one is open; (case id, subject)
    of those opened. The case's status is left alone: waiting on an assessment is not
    a step back for the person."""
    if not flags:
        return []
    rows = session.execute(
        insert(WAIT).values([
            {"case_id": case_id, "kind": WaitKind.RELAPSE_ASSESSMENT.value,
             "subject": Wait.relapse_assessment(flag_id).subject, "opened_at": at,
             "deadline": deadline} for case_id, flag_id in flags])
        .on_conflict_do_nothing(index_elements=["case_id", "kind", "subject"],
                                index_where=WAIT.c.answered_at.is_(None))
        .returning(WAIT.c.case_id, WAIT.c.subject)).all()
    return [(row.case_id, row.subject) for row in rows]


def lock_flag(session: Session, case_id: uuid.UUID, *, flag_id: int) -> RelapseFlag | None:
    return session.exec(select(RelapseFlag).where(
        col(RelapseFlag.id) == flag_id, col(RelapseFlag.case_id) == case_id)
        .with_for_update()).first()


def lock_open_wait(session: Session, case_id: uuid.UUID, *, wait: Wait) -> CaseWait | None:
    return session.exec(select(CaseWait).where(
        CaseWait.case_id == case_id, CaseWait.kind == wait.kind.value,
        CaseWait.subject == wait.subject, col(CaseWait.answered_at).is_(None))
        .with_for_update()).first()
