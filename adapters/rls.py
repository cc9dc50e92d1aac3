"""Who the current transaction acts for, as PostgreSQL sees it.

The case service binds the authenticated principal at the start of every transaction
(`SET LOCAL` through `set_config(..., true)`); the row-level security policies of the
migrations read these settings, so a query that forgets a filter still returns nothing
outside the principal's scope. Workers bind nothing and connect with their own role.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session

from models.principal import Principal

_BIND = text(
    "SELECT set_config('utvag.subject', :subject, true),"
    " set_config('utvag.staff_id', :staff_id, true),"
    " set_config('utvag.org', :org, true),"
    " set_config('utvag.roles', :roles, true),"
    " set_config('utvag.now', :now, true)")


def bind(session: Session, principal: Principal, *, now: datetime | None = None) -> None:
    """`now`: the service's clock (an injected one in tests), for break-glass expiry;
    the server's `now()` without it."""
    session.execute(_BIND, {"subject": principal.subject, "staff_id": principal.staff_id,
                            "org": principal.organisation,
                            "roles": ",".join(sorted(principal.roles)),
                            "now": now.isoformat() if now is not None else ""})


# What row-level security hides from the service but a use case needs, each through one
# narrow SECURITY DEFINER function of migration 0013_rls (docs/database-roles.md).

def hidden_case_id(session: Session, case_number: str) -> uuid.UUID | None:
    """The id of a case, in the bound principal's scope or not (None: no such case):
    to journal a refusal with its case, and for break-glass; nothing else of it."""
    found: uuid.UUID | None = session.execute(text("SELECT utvag_case_id(:n)"),
                                              {"n": case_number}).scalar_one()
    return found


def person_id(session: Session, identity_hash: str) -> uuid.UUID | None:
    """The registered person's id by the identity number's keyed hash, visible or not
    (bound municipality only)."""
    found: uuid.UUID | None = session.execute(text("SELECT utvag_person_id(:h)"),
                                              {"h": identity_hash}).scalar_one()
    return found


def waiting_run(session: Session, case_id: uuid.UUID) -> uuid.UUID | None:
    """The flow run holding a case the bound principal sees, though the wait it holds
    may be hidden from them (the destination sees only its own waits)."""
    found: uuid.UUID | None = session.execute(text("SELECT utvag_waiting_run(:c)"),
                                              {"c": case_id}).scalar_one()
    return found


def intake_probe(session: Session, identity_hash: str) -> uuid.UUID | None:
    """The person's open case placed by another municipality, its coordinators told in
    its journal that a referral from the bound one is reviewed; None (nothing written)
    when there is none."""
    found: uuid.UUID | None = session.execute(text("SELECT utvag_intake_probe(:h)"),
                                              {"h": identity_hash}).scalar_one()
    return found
