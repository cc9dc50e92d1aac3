"""What needs an operator: cases waiting (for what), overdue, blocked (why).
Case numbers, wait kinds and reasons only: nothing personal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import col, select

from adapters.db import unit_of_work
from models.enums import CaseStatus
from models.tables import Case, CaseWait
from tasks.cases import now


@dataclass(frozen=True)
class WaitLine:
    case_number: str
    kind: str
    subject: str
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


def operator_status(*, at: datetime | None = None) -> Status:
    at = at or now()
    status = Status()
    with unit_of_work() as session:
        cases = session.exec(select(Case.status)).all()
        for value in cases:
            status.counts[value] = status.counts.get(value, 0) + 1
        rows = session.exec(
            select(CaseWait, Case.case_number)
            .join(Case, col(Case.id) == col(CaseWait.case_id))
            .where(col(CaseWait.answered_at).is_(None))
            .order_by(col(CaseWait.deadline))
        ).all()
        status.waiting = [
            WaitLine(number, w.kind, w.subject, w.opened_at, w.deadline, w.deadline < at)
            for w, number in rows
        ]
        status.blocked = [
            (number, reason or "")
            for number, reason in session.exec(
                select(Case.case_number, Case.blocked_reason)
                .where(Case.status == CaseStatus.BLOCKED).order_by(col(Case.case_number))
            ).all()
        ]
    return status
