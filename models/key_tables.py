"""The master key's record in the database, and a rotation's staged values.

`master_key` holds the fingerprint and id of every key the installation has used (never
the key): the `active` one every process must hold, at most one `next` (a rotation under
way) and the `retired` ones. `key_rotation_stage` holds each encrypted value re-encrypted
under the next key until the rotation swaps them in, in one transaction, at its end: so
processes holding the active key keep working until then (docs/keys.md).
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

TS = sa.DateTime(timezone=True)


class MasterKey(SQLModel, table=True):
    __tablename__ = "master_key"
    __table_args__ = (
        sa.CheckConstraint("state IN ('active', 'next', 'retired')", name="ck_master_key_state"),
        sa.Index("uq_master_key_active", "state", unique=True,
                 postgresql_where=sa.text("state IN ('active', 'next')")),
    )
    key_id: str = Field(primary_key=True, max_length=16)
    fingerprint: str = Field(unique=True, max_length=64)
    state: str = Field(max_length=10)
    created_at: datetime = Field(sa_type=TS)
    activated_at: datetime | None = Field(default=None, sa_type=TS)
    retired_at: datetime | None = Field(default=None, sa_type=TS)


class KeyRotationStage(SQLModel, table=True):
    """One column of one row re-encrypted (or, for `identity_hash`, re-keyed) under the
    next key. `source_digest` is the SHA-256 of the value it replaces: a row changed after
    it was staged no longer matches and is staged again before the swap."""

    __tablename__ = "key_rotation_stage"
    table_name: str = Field(primary_key=True, max_length=63)
    row_id: str = Field(primary_key=True, max_length=64)
    column_name: str = Field(primary_key=True, max_length=63)
    key_id: str = Field(foreign_key="master_key.key_id", max_length=16)
    source_digest: bytes
    value: bytes


class PersonKey(SQLModel, table=True):
    """A person's own data key, wrapped by the master key. Culling destroys it (`wrapped`
    NULL): every value sealed with it is then unreadable, in backups too."""

    __tablename__ = "person_key"
    person_id: uuid.UUID = Field(foreign_key="person.id", primary_key=True)
    key_id: str = Field(max_length=16)  # the master key that wrapped it
    wrapped: bytes | None = None
    created_at: datetime = Field(sa_type=TS)
    destroyed_at: datetime | None = Field(default=None, sa_type=TS)


class RetentionHold(SQLModel, table=True):
    """A legal hold: the case is not culled while it stands (a court order, a complaint,
    a research exception decided for the case)."""

    __tablename__ = "retention_hold"
    case_id: uuid.UUID = Field(foreign_key="case.id", primary_key=True)
    reason_enc: bytes
    set_by: str = Field(max_length=100)
    set_at: datetime = Field(sa_type=TS)
