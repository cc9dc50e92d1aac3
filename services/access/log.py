"""The access log: who (subject, staff id, organisation, roles), what (action, fields),
when, why (purpose) and the outcome. Each entry is written in its OWN committed
transaction, before anything is read for the person: a response that is cut off, or a
read that fails half-way, has been journaled all the same."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from enum import StrEnum

from models.access_tables import AccessLog
from models.principal import Principal
from services.runtime import Runtime


class Outcome(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"
    BREAK_GLASS = "break_glass"


def log_access(rt: Runtime, principal: Principal, *, action: str, outcome: Outcome,
               purpose: str, case_id: uuid.UUID | None = None,
               fields: Iterable[str] = ()) -> None:
    # Bound to the principal whatever runtime the caller holds: under row-level security
    # the insert returns the row, which must pass the read policy (one's own rows).
    acting = rt if rt.principal == principal else rt.acting_as(principal)
    with acting.uow() as session:
        session.add(AccessLog(
            at=rt.now(), subject=principal.subject[:200], staff_id=principal.staff_id[:100],
            organisation=principal.organisation[:100],
            roles=sorted(r.value for r in principal.roles), action=action[:60],
            case_id=case_id, purpose=purpose[:200], outcome=outcome.value,
            fields=[f[:60] for f in fields]))
