"""The sweep's counts outside a batch: the ongoing cases, and what one run checked and
flagged; from the shared conditions of `repositories.cases`."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from adapters.repositories.cases import CASE, consent_given_expr, ongoing
from adapters.repositories.sweep import CHECK, FLAG, POLICE
from models.relapse import RegisterName


def count_ongoing(session: Session) -> int:
    return int(session.execute(
        sa.select(sa.func.count()).select_from(CASE).where(ongoing())).scalar_one())


def _checked(run: str) -> sa.CTE:
    """The cases run `run` checked in both registers (hash-aggregated: a sort for a
    count(DISTINCT) cost 1.5x as much at 100,000 cases)."""
    u = sa.func.unnest(CHECK.c.case_ids).table_valued(
        sa.column("id", sa.Uuid())).render_derived(name="u")
    both = sa.and_(*(sa.func.bool_or(CHECK.c.register == register.value)
                     for register in RegisterName))
    return (sa.select(u.c.id).select_from(CHECK).join(u, sa.true())
            .where(CHECK.c.sweep_run == run).group_by(u.c.id).having(both).cte("checked"))


def run_counts(session: Session, run: str) -> Any:
    """(ongoing, checked, no_consent): the ongoing cases, those the run checked in both
    registers, and of the rest those without consent to the police."""
    checked = _checked(run)
    return session.execute(
        sa.select(sa.func.count().label("ongoing"), sa.func.count(checked.c.id).label("checked"),
                  sa.func.count().filter(sa.and_(checked.c.id.is_(None),
                                                 sa.not_(consent_given_expr(POLICE))))
                  .label("no_consent"))
        .select_from(CASE.outerjoin(checked, checked.c.id == CASE.c.id))
        .where(ongoing())).one()


def not_checked(session: Session, run: str, *, limit: int) -> list[str]:
    """Case numbers of ongoing cases the run did not check in both registers."""
    checked = _checked(run)
    return list(session.execute(
        sa.select(CASE.c.case_number)
        .select_from(CASE.outerjoin(checked, checked.c.id == CASE.c.id))
        .where(ongoing(), checked.c.id.is_(None))
        .order_by(CASE.c.case_number).limit(limit)).scalars().all())


def flags_by_kind(session: Session, run: str) -> dict[str, int]:
    rows = session.execute(sa.select(FLAG.c.entry_kind, sa.func.count())
                           .where(FLAG.c.sweep_run == run).group_by(FLAG.c.entry_kind)).all()
    return {kind: int(n) for kind, n in rows}


def notifications_pending(session: Session) -> int:
    return int(session.execute(sa.select(sa.func.count()).select_from(FLAG)
                               .where(FLAG.c.notified_at.is_(None))).scalar_one())
