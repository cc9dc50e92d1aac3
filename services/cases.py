"""Moving a case between states: close, admit, block, unblock, establish. One
transaction each; every change journaled with it (`repositories.journal.transition`)."""

from __future__ import annotations

import uuid

from adapters.logs import get_logger
from adapters.repositories import cases, journal, waits
from models.enums import CaseStatus, Outcome, Phase
from models.journal import Kind
from services.runtime import Runtime

SYSTEM = "utvag"


def close(rt: Runtime, case_id: uuid.UUID, *, outcome: Outcome, reason: str) -> None:
    with rt.uow() as session:
        case = cases.lock_case(session, case_id)
        if case.status == CaseStatus.CLOSED:
            return
        waits.cancel_open(session, case, by=SYSTEM, at=rt.now(), reason="case closed")
        journal.transition(session, case, kind=Kind.CLOSED, actor=SYSTEM, at=rt.now(),
                           status=CaseStatus.CLOSED, reason=reason,
                           data={"outcome": outcome.value})
    get_logger(case_number=case.case_number).info("case.closed", outcome=outcome.value)


def admit(rt: Runtime, case_id: uuid.UUID) -> None:
    with rt.uow() as session:
        case = cases.lock_case(session, case_id)
        if case.phase != Phase.BEFORE or case.status == CaseStatus.CLOSED:
            return
        journal.transition(session, case, kind=Kind.ADMITTED, actor=SYSTEM, at=rt.now(),
                           phase=Phase.DURING, status=CaseStatus.ADMITTED,
                           reason="all six criteria hold and the threat assessment is in: "
                                  "admitted")
    get_logger(case_number=case.case_number).info("case.admitted")


def block(rt: Runtime, case_id: uuid.UUID, *, reason: str) -> None:
    with rt.uow() as session:
        case = cases.lock_case(session, case_id)
        journal.transition(session, case, kind=Kind.BLOCKED, actor=SYSTEM, at=rt.now(),
                           status=CaseStatus.BLOCKED, reason=reason)
    get_logger(case_number=case.case_number).warning("case.blocked", reason=reason)


def unblock(rt: Runtime, case_id: uuid.UUID) -> None:
    with rt.uow() as session:
        case = cases.lock_case(session, case_id)
        if case.status != CaseStatus.BLOCKED:
            return
        journal.transition(session, case, kind=Kind.UNBLOCKED, actor=SYSTEM, at=rt.now(),
                           status=CaseStatus.OPEN, reason="run again after being blocked")


def establish(rt: Runtime, case_id: uuid.UUID) -> None:
    """The during phase is done: the case moves to the after phase (follow-up)."""
    with rt.uow() as session:
        case = cases.lock_case(session, case_id)
        if case.phase != Phase.DURING or case.status == CaseStatus.CLOSED:
            return
        journal.transition(session, case, kind=Kind.ESTABLISHED, actor=SYSTEM, at=rt.now(),
                           phase=Phase.AFTER, status=CaseStatus.OPEN,
                           reason="hand-overs done: follow-up (after phase)")
