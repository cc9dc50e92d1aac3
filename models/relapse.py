"""Relapse rules and the sweep's tables. Pure rules: no I/O, no Prefect.

An entry in a police register flags a relapse when it is dated on or after the day the
case was admitted (the day itself counts: a person who answers for it is better than a
relapse missed, and a flag only asks a human to assess). Earlier entries are the history
the person came in with and never flag.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Field, SQLModel

from models.columns import identity_pk


class RegisterName(StrEnum):
    CRIMINAL_RECORDS = "criminal_records"
    SUSPICIONS = "suspicions"


class AssessmentDecision(StrEnum):
    CONTINUE = "continue"
    ADJUST_PLAN = "adjust_plan"
    END_SUPPORT = "end_support"


ONGOING_PHASES = ("during", "after")


@dataclass(frozen=True)
class Finding:
    case_id: uuid.UUID
    register: str
    entry_id: str
    kind: str
    entry_date: date


def is_relapse(entry_date: date, *, admitted_on: date) -> bool:
    return entry_date >= admitted_on


def relapses(findings: Iterable[Finding], *, admitted_on: dict[uuid.UUID, date]) -> list[Finding]:
    """The findings that flag: dated on/after their case's admission; one per entry."""
    seen: set[tuple[uuid.UUID, str, str]] = set()
    out: list[Finding] = []
    for f in findings:
        key = (f.case_id, f.register, f.entry_id)
        admitted = admitted_on.get(f.case_id)
        if admitted is None or key in seen or not is_relapse(f.entry_date, admitted_on=admitted):
            continue
        seen.add(key)
        out.append(f)
    return out


class RelapseFlag(SQLModel, table=True):
    __tablename__ = "relapse_flag"
    __table_args__ = (sa.UniqueConstraint("case_id", "register", "entry_id",
                                          name="uq_relapse_flag_entry"),
                      # The notifier reads only the flags it has not sent yet.
                      sa.Index("ix_relapse_flag_unnotified", "id",
                               postgresql_where=sa.text("notified_at IS NULL")))
    id: int | None = identity_pk()
    case_id: uuid.UUID = Field(foreign_key="case.id")
    # "register" in the database; the attribute would shadow BaseModel.register.
    register_name: str = Field(sa_column=sa.Column("register", sa.String(), nullable=False))
    entry_id: str
    entry_kind: str
    entry_date: date
    found_at: datetime
    sweep_run: str
    notified_at: datetime | None = None
    notification_id: str | None = None
    decision: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None


class RegisterCheck(SQLModel, table=True):
    """One successful look-up request of a sweep run: exactly these cases were checked in
    this register (written with the request's flags, in one transaction)."""

    __tablename__ = "register_check"
    __table_args__ = (sa.Index("ix_register_check_run", "sweep_run", "register"),)
    id: int | None = identity_pk()
    sweep_run: str
    register_name: str = Field(sa_column=sa.Column("register", sa.String(), nullable=False))
    checked_at: datetime
    case_ids: list[uuid.UUID] = Field(sa_column=sa.Column(
        postgresql.ARRAY(sa.Uuid()), nullable=False))


class RegisterDisclosure(SQLModel, table=True):
    """The disclosure of identity numbers to a register in one look-up request, journaled
    before the request is sent (append-only, like ``case_journal``)."""

    __tablename__ = "register_disclosure"
    # A case's disclosures are found with `case_ids @> ARRAY[id]`.
    __table_args__ = (sa.Index("ix_register_disclosure_case_ids", "case_ids",
                               postgresql_using="gin"),)
    id: int | None = identity_pk()
    at: datetime
    actor: str
    agency: str
    register_name: str = Field(sa_column=sa.Column("register", sa.String(), nullable=False))
    sweep_run: str
    fields: list[str] = Field(sa_column=sa.Column(postgresql.ARRAY(sa.String()),
                                                  nullable=False))
    reason: str
    case_ids: list[uuid.UUID] = Field(sa_column=sa.Column(
        postgresql.ARRAY(sa.Uuid()), nullable=False))
