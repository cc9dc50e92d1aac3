"""Break-glass: someone outside a case's scope opens it in an emergency, stating a
reason. The opening lasts `settings.break_glass_hours`, is journaled in the access log
and on the case (its coordinators see the entry in the timeline), and is listed for the
auditor until someone has reviewed it. The reason is encrypted: it may describe the
person."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select

from adapters.repositories import cases, journal
from models.access_tables import BreakGlass
from models.journal import Kind
from models.principal import Principal
from models.tables import Case
from services.runtime import Runtime

MAX_REASON = 1000


class BreakGlassError(ValueError):
    """`field: problem`, nothing written."""


@dataclass(frozen=True)
class Opening:
    id: int
    case_number: str
    staff_id: str
    organisation: str
    opened_at: datetime
    expires_at: datetime
    reason: str
    reviewed_by: str | None


def open_glass(rt: Runtime, principal: Principal, case_id: uuid.UUID, *,
               reason: str) -> Opening:
    reason = reason.strip()
    if not 10 <= len(reason) <= MAX_REASON:
        raise BreakGlassError(f"reason: 10-{MAX_REASON} characters saying why")
    at = rt.now()
    expires = at + timedelta(hours=rt.settings.break_glass_hours)
    with rt.uow() as session:
        # The opening first: under row-level security it is what makes the case visible
        # (and lockable) to the principal.
        row = BreakGlass(case_id=case_id, subject=principal.subject,
                         staff_id=principal.staff_id, organisation=principal.organisation,
                         reason_enc=rt.cipher.encrypt(reason), opened_at=at, expires_at=expires)
        session.add(row)
        session.flush()
        case = cases.lock_case(session, case_id)
        # Told to the case's coordinators: they see it in the case's timeline.
        journal.journal(session, case, kind=Kind.NOTE, actor=principal.staff_id, at=at,
                        reason=f"break-glass: emergency access opened by {principal.staff_id}"
                               f" ({principal.organisation}) until {expires:%Y-%m-%d %H:%M} "
                               "UTC; the auditor reviews it",
                        data={"break_glass": True, "organisation": principal.organisation})
        session.flush()
        assert row.id is not None
        return Opening(row.id, case.case_number, row.staff_id, row.organisation, at, expires,
                       reason, None)


def unreviewed(rt: Runtime) -> list[Opening]:
    """Every opening no one has reviewed yet, oldest first (for the auditor)."""
    with rt.uow() as session:
        # The auditor sees the openings, not the cases: the number by the database's
        # `utvag_audit_case_number` (migration 0013_rls).
        number = func.coalesce(Case.case_number, func.utvag_audit_case_number(
            BreakGlass.case_id))
        rows = session.exec(select(BreakGlass, number)
                            .join(Case, col(Case.id) == col(BreakGlass.case_id), isouter=True)
                            .where(col(BreakGlass.reviewed_at).is_(None))
                            .order_by(col(BreakGlass.opened_at))).all()
        return [Opening(r.id or 0, number, r.staff_id, r.organisation, r.opened_at,
                        r.expires_at, rt.cipher.decrypt(r.reason_enc), r.reviewed_by)
                for r, number in rows]


def review(rt: Runtime, opening_id: int, *, by: str) -> bool:
    """Mark an opening reviewed; False when there is no such opening (reviewing twice
    keeps the first review)."""
    with rt.uow() as session:
        row = session.exec(select(BreakGlass).where(BreakGlass.id == opening_id)
                           .with_for_update()).first()
        if row is None:
            return False
        if row.reviewed_at is None:
            row.reviewed_at, row.reviewed_by = rt.now(), by
            session.add(row)
        return True
