"""The year's appropriation and ledger, read from the dated records: what a grant
decision is checked against. Prefect-free; takes the caller's session.

`budget_for` replaces the constant `models.grants.Budget(year)` for the case flow
(`services/grants.py`); `check_new_grant` is the whole check (caps in force on the day,
the allocation decision, every grant of the year whether it came from a case or not),
under a transaction-scoped lock per year so that two decisions cannot both take the
last kronor.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.appropriation import (
    AllocationRule,
    AppropriationStep,
    CapsInForce,
    allocation_in_force,
    caps_in_force,
    refusal,
)
from models.grant_model import GrantAllocationDecision, GrantAppropriation
from models.grants import Budget, BudgetExceeded, GrantKind, LedgerEntry, check_grant

# The view of migration 0011 (not a table of the models: it has no migration of its own).
LEDGER = sa.Table(
    "grant_ledger", sa.MetaData(),
    sa.Column("application_id", sa.BigInteger), sa.Column("case_decision_id", sa.BigInteger),
    sa.Column("year", sa.Integer), sa.Column("kind", sa.String),
    sa.Column("applicant_kind", sa.String), sa.Column("applicant_name", sa.String),
    sa.Column("municipality_code", sa.String), sa.Column("status", sa.String),
    sa.Column("amount_sek", sa.BigInteger), sa.Column("rejection_reason", sa.String),
    sa.Column("decided_on", sa.Date),
)
_LOCK_SPACE = 0x6772616E  # "gran": the advisory-lock key space of the grant ledger


def appropriation_steps(session: Session) -> list[AppropriationStep]:
    rows = session.exec(select(GrantAppropriation).order_by(
        col(GrantAppropriation.year), col(GrantAppropriation.in_force_from))).all()
    return [AppropriationStep(year=r.year, in_force_from=r.in_force_from, kind=r.kind,
                              total_cap_sek=r.total_cap_sek,
                              direct_operational_cap_sek=r.direct_operational_cap_sek,
                              includes_joint_assignment=r.includes_joint_assignment,
                              decided_on=r.decided_on, reference=r.reference)
            for r in rows]


def allocation_rules(session: Session, *, year: int) -> list[AllocationRule]:
    rows = session.exec(select(GrantAllocationDecision).where(
        GrantAllocationDecision.year == year)).all()
    return [AllocationRule(decided_on=r.decided_on, allowed_kinds=frozenset(r.allowed_kinds))
            for r in rows]


def caps_for(session: Session, *, year: int, on: date) -> CapsInForce:
    """Raises `models.appropriation.NoAppropriation` before the first recorded year."""
    return caps_in_force(appropriation_steps(session), year=year, on=on)


def budget_for(session: Session, *, year: int, on: date) -> Budget:
    """The appropriation and the direct-support cap in force on `on` for grants of
    `year`, as the ledger rules of `models.grants` take them."""
    return caps_for(session, year=year, on=on).budget()


def lock_ledger(session: Session, *, year: int) -> None:
    """Serialise grant decisions of `year` until the transaction ends."""
    session.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK_SPACE, year)))


def ledger_entries(session: Session, *, year: int) -> list[LedgerEntry]:
    """Every grant of `year`: from cases and recorded by the grants officer or imported."""
    rows = session.execute(sa.select(LEDGER.c.kind, LEDGER.c.amount_sek).where(
        LEDGER.c.year == year, LEDGER.c.status == "granted")).all()
    return [LedgerEntry(GrantKind(kind), amount) for kind, amount in rows]


def check_new_grant(session: Session, *, year: int, on: date, kind: GrantKind,
                    amount_sek: int) -> CapsInForce:
    """Lock the year's ledger and raise `BudgetExceeded` (a message naming the field)
    unless a grant of `amount_sek` may be made on `on`."""
    lock_ledger(session, year=year)
    caps = caps_for(session, year=year, on=on)
    allocation = allocation_in_force(allocation_rules(session, year=year), on=on)
    why = refusal(kind, caps=caps, allocation=allocation)
    if why is not None:
        raise BudgetExceeded(why)
    check_grant(caps.budget(), ledger_entries(session, year=year), kind=kind,
                amount_sek=amount_sek)
    return caps
