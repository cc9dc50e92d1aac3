"""The auditor's view of the access log: who read or tried what, when, why.

Under row-level security the auditor sees the log, not the cases: their numbers come
from the database's `utvag_audit_case_number` / `utvag_audit_case_id` (the auditor's
alone; a number is an identifier, nothing personal)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import col, select

from models.access_tables import AccessLog
from models.tables import Case
from services.runtime import Runtime


@dataclass(frozen=True)
class AccessEntry:
    at: datetime
    subject: str
    staff_id: str
    organisation: str
    roles: list[str]
    action: str
    case_number: str | None
    purpose: str
    outcome: str
    fields: list[str]


def access_entries(rt: Runtime, *, case_number: str | None = None,
                   outcome: str | None = None, limit: int = 200) -> list[AccessEntry]:
    """The newest entries first."""
    with rt.uow() as session:
        query = (select(AccessLog, func.coalesce(Case.case_number,
                                                 func.utvag_audit_case_number(AccessLog.case_id)))
                 .join(Case, col(Case.id) == col(AccessLog.case_id), isouter=True))
        if case_number is not None:
            number = case_number.strip().upper()
            query = query.where(or_(col(Case.case_number) == number,
                                    col(AccessLog.case_id) == func.utvag_audit_case_id(number)))
        if outcome is not None:
            query = query.where(AccessLog.outcome == outcome)
        rows = session.exec(query.order_by(col(AccessLog.id).desc()).limit(limit)).all()
        return [AccessEntry(r.at, r.subject, r.staff_id, r.organisation, list(r.roles),
                            r.action, number, r.purpose, r.outcome, list(r.fields))
                for r, number in rows]
