"""Facts about this installation, kept in the database (table `installation`).

`demo`: the database was set up as a demo by `utvag run`. The demo's helpers that answer
decisions for people (`utvag demo advance`) refuse on any database without it, so they
can never give a consent or decide a move on a real installation. `utvag run` marks only
a database that holds no case yet (or is already a demo): a database with real cases is
never turned into a demo.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import select

from adapters.db import table
from models.access_tables import Installation
from models.tables import Case
from services.runtime import Runtime

DEMO = "demo"


class NotADemo(Exception):
    """The database is not a demo (and cannot become one)."""


def is_demo(rt: Runtime) -> bool:
    with rt.uow() as session:
        return session.get(Installation, DEMO) is not None


def mark_demo(rt: Runtime) -> bool:
    """Mark the database as a demo; True when marked now, False when it already was.
    Raises `NotADemo` when it holds cases and no marker (a real installation)."""
    with rt.uow() as session:
        if session.get(Installation, DEMO) is not None:
            return False
        cases = session.exec(select(func.count()).select_from(Case)).one()
        if cases:
            raise NotADemo(f"the database holds {cases} case(s) and is not a demo: "
                           "`utvag run` starts the demo on a database of its own")
        session.execute(insert(table(Installation)).values(
            key=DEMO, value="utvag run", set_at=rt.now()).on_conflict_do_nothing())
    return True
