"""The database as the case service and the workers see it: connections that take the
role `utvag_app` / `utvag_worker` (migration 0013_rls) and, for the service, bind a
principal per transaction as the service does (`adapters.rls.bind`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from adapters import rls
from adapters.db import Database
from models.principal import Principal, Role


def principal(org: str, *roles: Role, staff_id: str = "staff-1") -> Principal:
    return Principal(subject=f"sub-{staff_id}", staff_id=staff_id, name=staff_id,
                     organisation=org, roles=frozenset(roles or (Role.COORDINATOR,)))


def coordinator(municipality: str, staff_id: str = "coordinator-x") -> Principal:
    return principal(f"municipality:{municipality}", Role.COORDINATOR, staff_id=staff_id)


def bound(url: str, who: Principal, *, role: str = "utvag_app") -> tuple[Database, Database]:
    """(the role's database, the same bound to `who` for every unit of work): what a
    service call does behind the case service, under row-level security."""
    base = Database(url, pool_size=1, max_overflow=2, role=role)
    return base, base.acting_for(who)


@contextmanager
def acting(db: Database, who: Principal | None) -> Iterator[Session]:
    """One transaction on `db`, bound to `who` (None: nothing bound)."""
    with db.uow() as session:
        if who is not None:
            rls.bind(session, who)
        yield session


def ids(session: Session, sql: str, **params: Any) -> set[Any]:
    """The first column of every row a query returns."""
    return {row[0] for row in session.execute(text(sql), params)}
