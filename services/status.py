"""What needs an operator: cases by status, every open wait (whether a person or an
agency is to answer, since, deadline, overdue), every blocked case with its reason;
and the cases that should be moving but are not (a flow run that died with its worker).
Case numbers and counts only: nothing personal, nothing that tells a category."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import col, select

from models.enums import CaseStatus, Phase
from models.tables import Case, CaseWait
from services.operator_view import party
from services.runtime import Runtime


@dataclass(frozen=True)
class WaitLine:
    case_number: str
    waits_for: str
    since: datetime
    deadline: datetime
    overdue: bool


@dataclass
class Status:
    waiting: list[WaitLine] = field(default_factory=list)
    blocked: list[tuple[str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def overdue(self) -> list[WaitLine]:
        return [w for w in self.waiting if w.overdue]


def operator_status(rt: Runtime) -> Status:
    at = rt.now()
    status = Status()
    with rt.uow() as session:
        for value in session.exec(select(Case.status)).all():
            status.counts[value] = status.counts.get(value, 0) + 1
        rows = session.exec(
            select(CaseWait, Case.case_number)
            .join(Case, col(Case.id) == col(CaseWait.case_id))
            .where(col(CaseWait.answered_at).is_(None))
            .order_by(col(CaseWait.deadline))).all()
        status.waiting = [WaitLine(number, party(w.kind), w.opened_at, w.deadline,
                                   w.deadline < at) for w, number in rows]
        status.blocked = [(number, reason or "") for number, reason in session.exec(
            select(Case.case_number, Case.blocked_reason)
            .where(Case.status == CaseStatus.BLOCKED).order_by(col(Case.case_number))).all()]
    return status


def stalled_cases(rt: Runtime, *, quiet_for: timedelta) -> dict[uuid.UUID, str]:
    """case id -> case number for every before/during-phase case that is open or just
    admitted (no open wait, not blocked, not closed) and untouched for `quiet_for`.
    An open case in the after phase is at rest (follow-up), not stalled."""
    cutoff = rt.now() - quiet_for
    with rt.uow() as session:
        rows = session.exec(
            select(Case.id, Case.case_number)
            .where(col(Case.phase).in_([Phase.BEFORE, Phase.DURING]),
                   col(Case.status).in_([CaseStatus.OPEN, CaseStatus.ADMITTED]),
                   col(Case.updated_at) < cutoff)
            .order_by(col(Case.opened_at)))
        return {case_id: number for case_id, number in rows}
