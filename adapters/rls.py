"""Who the current transaction acts for, as PostgreSQL sees it.

The case service binds the authenticated principal at the start of every transaction
(`SET LOCAL` through `set_config(..., true)`); the row-level security policies of the
migrations read these settings, so a query that forgets a filter still returns nothing
outside the principal's scope. Workers bind nothing and connect with their own role.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

from models.principal import Principal

_BIND = text(
    "SELECT set_config('utvag.subject', :subject, true),"
    " set_config('utvag.staff_id', :staff_id, true),"
    " set_config('utvag.org', :org, true),"
    " set_config('utvag.roles', :roles, true)")


def bind(session: Session, principal: Principal) -> None:
    session.execute(_BIND, {"subject": principal.subject, "staff_id": principal.staff_id,
                            "org": principal.organisation,
                            "roles": ",".join(sorted(principal.roles))})
