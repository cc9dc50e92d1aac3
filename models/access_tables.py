"""Who is tied to a case, emergency access, the access log and the installation's own
facts. Created by migration 0012_access.

- `case_assignment`: a named person of an organisation assigned to a case in a role
  (handler, police contact...); the access policy reads it.
- `break_glass`: an emergency opening of a case by someone outside its scope, with a
  reason (encrypted: it may describe the person), bounded in time, until reviewed.
- `access_log`: every read of personal data and every refused attempt, written in its
  own committed transaction before the data leaves the service. Append-only.
- `installation`: facts about this database (`demo` = created by `utvag run`).
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlmodel import Field, SQLModel

from models.columns import identity_pk


class CaseAssignment(SQLModel, table=True):
    __tablename__ = "case_assignment"
    __table_args__ = (sa.Index("uq_case_assignment_active", "case_id", "staff_id", "role",
                               unique=True, postgresql_where=sa.text("ended_at IS NULL")),)
    id: int | None = identity_pk()
    case_id: uuid.UUID = Field(foreign_key="case.id", index=True)
    staff_id: str = Field(max_length=100)
    organisation: str = Field(max_length=100)
    role: str = Field(max_length=40)
    assigned_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    assigned_by: str = Field(max_length=100)
    ended_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class BreakGlass(SQLModel, table=True):
    __tablename__ = "break_glass"
    __table_args__ = (sa.Index("ix_break_glass_case_staff", "case_id", "staff_id"),)
    id: int | None = identity_pk()
    case_id: uuid.UUID = Field(foreign_key="case.id")
    subject: str = Field(max_length=200)
    staff_id: str = Field(max_length=100)
    organisation: str = Field(max_length=100)
    reason_enc: bytes
    opened_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    reviewed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    reviewed_by: str | None = Field(default=None, max_length=100)


class AccessLog(SQLModel, table=True):
    __tablename__ = "access_log"
    __table_args__ = (
        sa.Index("ix_access_log_case_at", "case_id", "at"),
        sa.Index("ix_access_log_org_at", "organisation", "at"),
        sa.CheckConstraint("outcome IN ('allowed', 'denied', 'break_glass')",
                           name="ck_access_log_outcome"),
    )
    id: int | None = identity_pk()
    at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    subject: str = Field(max_length=200)
    staff_id: str = Field(max_length=100)
    organisation: str = Field(max_length=100)
    roles: list[str] = Field(sa_type=pg.ARRAY(sa.String(40)))
    action: str = Field(max_length=60)
    case_id: uuid.UUID | None = None
    purpose: str = Field(max_length=200)
    outcome: str = Field(max_length=20)
    fields: list[str] = Field(default_factory=list, sa_type=pg.ARRAY(sa.String(60)))


class Installation(SQLModel, table=True):
    key: str = Field(primary_key=True, max_length=40)
    value: str = Field(max_length=200)
    set_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
