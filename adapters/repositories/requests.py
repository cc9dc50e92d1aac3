"""Agency requests: one row per case and subject, keyed by its idempotency key under a
unique constraint. The row is claimed before the agency is called, so a retry, a rerun
after a crash or a second run sends the same key and the agency gives back the same
resource."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, select

from models.enums import RequestStatus
from models.tables import AgencyRequest
from models.waits import AgencySubject


def idempotency_key(case_id: uuid.UUID, subject: AgencySubject) -> str:
    """Derived from the case and the purpose, never from the attempt."""
    return f"{case_id}:{subject.agency}:{subject.kind}"


def claim(session: Session, case_id: uuid.UUID, subject: AgencySubject, *,
          at: datetime) -> AgencyRequest:
    """The request row, created as pending unless it exists; locked."""
    key = idempotency_key(case_id, subject)
    session.execute(
        insert(AgencyRequest)
        .values(case_id=case_id, agency=subject.agency, kind=subject.kind, idempotency_key=key,
                status=RequestStatus.PENDING, created_at=at)
        .on_conflict_do_nothing(index_elements=["idempotency_key"]))
    return session.exec(select(AgencyRequest).where(AgencyRequest.idempotency_key == key)
                        .with_for_update()).one()


def get(session: Session, case_id: uuid.UUID, subject: AgencySubject, *,
        lock: bool = False) -> AgencyRequest | None:
    query = select(AgencyRequest).where(
        AgencyRequest.idempotency_key == idempotency_key(case_id, subject))
    return session.exec(query.with_for_update() if lock else query).first()


def for_case(session: Session, case_id: uuid.UUID) -> list[AgencyRequest]:
    return list(session.exec(select(AgencyRequest).where(AgencyRequest.case_id == case_id)))
