"""Queries and writes on the case tables, used inside a unit of work.

Every state change of a case goes through `transition`, which writes the journal
entry in the same transaction: the case row and its journal can never disagree.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from models.enums import ConsentState
from models.journal import Kind
from models.relapse import RegisterDisclosure
from models.rules import format_case_number
from models.tables import (
    Case,
    CaseNumberCounter,
    CaseWait,
    Consent,
    EligibilityAnswer,
    JournalEntry,
)


class CaseNotFound(LookupError):
    pass


def get_case(session: Session, case_id: uuid.UUID, *, lock: bool = False) -> Case:
    query = select(Case).where(Case.id == case_id)
    if lock:
        query = query.with_for_update()
    case = session.exec(query).first()
    if case is None:
        raise CaseNotFound(f"case: no case with id {case_id}")
    return case


def find_case(session: Session, ref: str) -> Case:
    """A case by its number (UTV-YYYY-NNNNNN) or id."""
    query = select(Case).where(Case.case_number == ref.strip().upper())
    case = session.exec(query).first()
    if case is None:
        try:
            return get_case(session, uuid.UUID(ref))
        except ValueError:
            pass
        raise CaseNotFound(f"case: no case {ref.strip()}")
    return case


def next_case_number(session: Session, *, year: int) -> str:
    stmt = (
        insert(CaseNumberCounter)
        .values(year=year, last=1)
        .on_conflict_do_update(
            index_elements=["year"], set_={"last": col(CaseNumberCounter.last) + 1}
        )
        .returning(col(CaseNumberCounter.last))
    )
    serial = session.execute(stmt).scalar_one()
    return format_case_number(year, serial)


def journal(
    session: Session,
    case: Case,
    *,
    kind: Kind,
    actor: str,
    reason: str,
    at: datetime,
    data: dict[str, Any] | None = None,
) -> JournalEntry:
    entry = JournalEntry(
        case_id=case.id, at=at, actor=actor, kind=kind.value, phase=case.phase,
        status=case.status, reason=reason, data=data or {},
    )
    session.add(entry)
    session.flush()
    return entry


def transition(
    session: Session,
    case: Case,
    *,
    kind: Kind,
    actor: str,
    reason: str,
    at: datetime,
    phase: str | None = None,
    status: str | None = None,
    data: dict[str, Any] | None = None,
) -> JournalEntry:
    """Change the case's phase/status and journal it in the same transaction."""
    case.phase = phase or case.phase
    case.status = status or case.status
    case.blocked_reason = reason if case.status == "blocked" else None
    if case.status == "closed":
        case.closed_at = case.closed_at or at
        case.outcome = (data or {}).get("outcome", case.outcome)
    case.updated_at = at
    session.add(case)
    return journal(session, case, kind=kind, actor=actor, reason=reason, at=at, data=data)


def journal_entries(session: Session, case_id: uuid.UUID) -> list[JournalEntry]:
    query = select(JournalEntry).where(JournalEntry.case_id == case_id).order_by(
        col(JournalEntry.id)
    )
    return list(session.exec(query))


def register_disclosures(session: Session, case_id: uuid.UUID) -> list[RegisterDisclosure]:
    """The register sweeps' disclosures of this case's identity number (journaled per
    request in ``register_disclosure``, not in ``case_journal``), oldest first."""
    query = select(RegisterDisclosure).where(
        col(RegisterDisclosure.case_ids).contains([case_id])).order_by(col(RegisterDisclosure.id))
    return list(session.exec(query))


def journal_count(session: Session, case_id: uuid.UUID) -> int:
    query = sa.select(sa.func.count()).where(col(JournalEntry.case_id) == case_id)
    return int(session.execute(query).scalar_one())


def consent_given(session: Session, case_id: uuid.UUID, agency: str) -> bool:
    """The latest consent record for the agency decides; none means no consent."""
    query = (
        select(Consent)
        .where(Consent.case_id == case_id, Consent.agency == agency)
        .order_by(col(Consent.id).desc())
    )
    latest = session.exec(query).first()
    return latest is not None and latest.state == ConsentState.GIVEN


def answers(session: Session, case_id: uuid.UUID) -> dict[str, bool | None]:
    rows = session.exec(select(EligibilityAnswer).where(EligibilityAnswer.case_id == case_id))
    return {row.criterion: row.holds for row in rows}


def upsert_answer(
    session: Session,
    *,
    case_id: uuid.UUID,
    criterion: str,
    holds: bool | None,
    note: str,
    recorded_by: str,
    at: datetime,
) -> None:
    values = dict(case_id=case_id, criterion=criterion, holds=holds, evidence_note=note,
                  recorded_by=recorded_by, recorded_at=at)
    stmt = insert(EligibilityAnswer).values(**values).on_conflict_do_update(
        index_elements=["case_id", "criterion"],
        set_={k: v for k, v in values.items() if k not in ("case_id", "criterion")},
    )
    session.execute(stmt)


def open_waits(session: Session, case_id: uuid.UUID) -> list[CaseWait]:
    query = (
        select(CaseWait)
        .where(CaseWait.case_id == case_id, col(CaseWait.answered_at).is_(None))
        .order_by(col(CaseWait.id))
    )
    return list(session.exec(query))
