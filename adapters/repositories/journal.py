"""The case journal: every state change of a case goes through `transition`, which
writes the journal entry in the same transaction, so the case row and its journal never
disagree. The journal is append-only (a trigger refuses updates and deletes)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.journal import Kind
from models.relapse import RegisterDisclosure
from models.tables import Case, JournalEntry


def journal(session: Session, case: Case, *, kind: Kind, actor: str, reason: str,
            at: datetime, data: dict[str, Any] | None = None) -> JournalEntry:
    entry = JournalEntry(case_id=case.id, at=at, actor=actor, kind=kind.value,
                         phase=case.phase, status=case.status, reason=reason, data=data or {})
    session.add(entry)
    session.flush()
    return entry


def transition(session: Session, case: Case, *, kind: Kind, actor: str, reason: str,
               at: datetime, phase: str | None = None, status: str | None = None,
               data: dict[str, Any] | None = None) -> JournalEntry:
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


def entries(session: Session, case_id: uuid.UUID, *, since: int = 0) -> list[JournalEntry]:
    """The case's entries, oldest first; `since` skips that many."""
    query = select(JournalEntry).where(JournalEntry.case_id == case_id).order_by(
        col(JournalEntry.id)).offset(since)
    return list(session.exec(query))


def count(session: Session, case_id: uuid.UUID) -> int:
    query = sa.select(sa.func.count()).where(col(JournalEntry.case_id) == case_id)
    return int(session.execute(query).scalar_one())


def has_entry(session: Session, case_id: uuid.UUID, kind: Kind) -> bool:
    return session.exec(select(JournalEntry.id).where(
        JournalEntry.case_id == case_id, JournalEntry.kind == kind.value)).first() is not None


def last_id(session: Session, case_id: uuid.UUID, kind: Kind) -> int | None:
    """The id of the case's latest entry of this kind (entries are ordered by id)."""
    return session.exec(select(sa.func.max(JournalEntry.id)).where(
        JournalEntry.case_id == case_id, JournalEntry.kind == kind.value)).one()


def register_disclosures(session: Session, case_id: uuid.UUID) -> list[RegisterDisclosure]:
    """The register sweeps' disclosures of this case's identity number (journaled per
    request in ``register_disclosure``, not in ``case_journal``), oldest first."""
    query = select(RegisterDisclosure).where(
        col(RegisterDisclosure.case_ids).contains([case_id])).order_by(col(RegisterDisclosure.id))
    return list(session.exec(query))
