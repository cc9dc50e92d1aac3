"""Waits as use cases: open the ones a step needs, remember the run that holds them,
and flag the overdue ones."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from adapters import rls
from adapters.logs import get_logger
from adapters.repositories import cases, journal, waits
from models.journal import Kind
from models.waits import Wait
from services.runtime import Runtime

SYSTEM = "utvag"


def open_waits(rt: Runtime, case_id: uuid.UUID, wanted: Sequence[Wait]) -> int:
    """Open each wait unless it is open already; how many were opened."""
    at = rt.now()
    opened = 0
    with rt.uow() as session:
        case = cases.lock_case(session, case_id)
        for wait in wanted:
            opened += waits.open_wait(session, case, wait, at=at,
                                      deadline=rt.deadline(wait.kind, at=at))
    if opened:
        get_logger(case_number=case.case_number).info("wait.opened", opened=opened)
    return opened


def hold(rt: Runtime, case_id: uuid.UUID, flow_run_id: uuid.UUID) -> None:
    """Remember which flow run holds the case's open waits, so an answer can resume it."""
    with rt.uow() as session:
        waits.set_run(session, case_id, flow_run_id)


def holding_run(rt: Runtime, case_id: uuid.UUID) -> uuid.UUID | None:
    with rt.uow() as session:
        if rt.principal is not None:
            # The case service, under row-level security: the principal who answered
            # may not see the wait the run holds (docs/database-roles.md).
            return rls.waiting_run(session, case_id)
        return waits.waiting_run(session, case_id)


def note_resumed_without_answer(rt: Runtime, case_id: uuid.UUID) -> None:
    """Journal a resume that brought nothing new, so the next suspend gets a new key."""
    with rt.uow() as session:
        case = cases.lock_case(session, case_id)
        journal.journal(session, case, kind=Kind.NOTE, actor=SYSTEM, at=rt.now(),
                        reason="flow run resumed without an answer; still waiting")


@dataclass(frozen=True)
class OverdueWait:
    case_number: str
    kind: str
    subject: str
    since: datetime
    deadline: datetime


def flag_overdue_waits(rt: Runtime) -> tuple[list[OverdueWait], list[OverdueWait]]:
    """Mark and journal waits that passed their deadline (each once).
    Returns (newly flagged, all overdue)."""
    at = rt.now()
    newly: list[OverdueWait] = []
    overdue: list[OverdueWait] = []
    with rt.uow() as session:
        for wait, case in waits.overdue(session, at=at):
            row = OverdueWait(case.case_number, wait.kind, wait.subject, wait.opened_at,
                              wait.deadline)
            overdue.append(row)
            if wait.overdue_flagged_at is None:
                wait.overdue_flagged_at = at
                session.add(wait)
                journal.journal(session, case, kind=Kind.WAIT_OVERDUE, actor=SYSTEM, at=at,
                                reason=f"overdue: {wait.kind} {wait.subject}",
                                data={"wait_kind": wait.kind, "subject": wait.subject})
                newly.append(row)
    return newly, overdue
