"""SQLModel tables. Created only by the Alembic migrations in `migrations/`.

Personal data lives in `person` alone, encrypted; every other table refers to a
person or a case by id, so a dump of any other table holds no one's identity.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlmodel import Field, SQLModel

from models.columns import identity_pk


def _uuid() -> uuid.UUID:
    return uuid.uuid4()


class County(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=2)
    name: str = Field(unique=True)


class Municipality(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=4)
    name: str
    county_code: str = Field(foreign_key="county.code", max_length=2)


class Person(SQLModel, table=True):
    id: uuid.UUID = Field(default_factory=_uuid, primary_key=True)
    identity_enc: bytes
    name_enc: bytes
    identity_hash: str = Field(unique=True, max_length=64)
    protection_level: str
    # Encrypted (the clear columns dropped by migration 0021).
    sex_enc: bytes | None = None
    birth_date_enc: bytes | None = None
    created_at: datetime


class Case(SQLModel, table=True):
    # One open case per person, enforced by the database, not only by the intake code.
    __table_args__ = (sa.Index("uq_case_open_per_person", "person_id", unique=True,
                               postgresql_where=sa.text("status <> 'closed'")),)
    id: uuid.UUID = Field(default_factory=_uuid, primary_key=True)
    case_number: str = Field(unique=True, max_length=15)
    person_id: uuid.UUID = Field(foreign_key="person.id")
    placing_municipality: str = Field(foreign_key="municipality.code", max_length=4)
    referring_agency: str
    milieu: str
    custody_status: str
    phase: str
    status: str
    outcome: str | None = None
    blocked_reason: str | None = None
    routing_version: str | None = None  # meeting routing rules the case is pinned to
    opened_at: datetime
    closed_at: datetime | None = None
    updated_at: datetime


class JournalEntry(SQLModel, table=True):
    __tablename__ = "case_journal"
    # The sweep finds each case's admission without reading the rest of its journal.
    __table_args__ = (sa.Index("ix_case_journal_admitted", "case_id",
                               postgresql_where=sa.text("kind = 'admitted'")),)
    id: int | None = identity_pk()
    case_id: uuid.UUID = Field(foreign_key="case.id", index=True)
    at: datetime
    actor: str
    kind: str
    phase: str
    status: str
    reason: str
    data: dict[str, Any] = Field(default_factory=dict, sa_type=pg.JSONB,
                                 sa_column_kwargs={"server_default": sa.text("'{}'::jsonb")})


class Consent(SQLModel, table=True):
    id: int | None = identity_pk()
    case_id: uuid.UUID = Field(foreign_key="case.id", index=True)
    agency: str
    state: str
    at: datetime
    recorded_by: str
    legal_basis_enc: bytes | None = None


class EligibilityAnswer(SQLModel, table=True):
    __tablename__ = "eligibility_assessment"
    __table_args__ = (sa.UniqueConstraint("case_id", "criterion"),)
    id: int | None = identity_pk()
    case_id: uuid.UUID = Field(foreign_key="case.id")
    criterion: str
    holds: bool | None = None
    evidence_note_enc: bytes | None = None
    recorded_by: str
    recorded_at: datetime


class ThreatAssessment(SQLModel, table=True):
    __tablename__ = "threat_assessment"
    id: int | None = identity_pk()
    case_id: uuid.UUID = Field(foreign_key="case.id", unique=True)
    level: str
    exclusion_zones: list[str] = Field(default_factory=list, sa_type=pg.ARRAY(sa.String(4)))
    relocation_required: bool
    valid_until: date
    received_at: datetime
    request_id: str


class AgencyRequest(SQLModel, table=True):
    __tablename__ = "agency_request"
    id: int | None = identity_pk()
    case_id: uuid.UUID = Field(foreign_key="case.id", index=True)
    agency: str
    kind: str
    idempotency_key: str = Field(unique=True)
    status: str
    external_id: str | None = None
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    last_error: str | None = None
    created_at: datetime
    sent_at: datetime | None = None
    answered_at: datetime | None = None


class CaseWait(SQLModel, table=True):
    __tablename__ = "case_wait"
    # A case waits for a given thing at most once at a time.
    __table_args__ = (sa.Index("uq_case_wait_open", "case_id", "kind", "subject", unique=True,
                               postgresql_where=sa.text("answered_at IS NULL")),)
    id: int | None = identity_pk()
    case_id: uuid.UUID = Field(foreign_key="case.id", index=True)
    kind: str
    subject: str
    opened_at: datetime
    deadline: datetime
    answered_at: datetime | None = None
    answered_by: str | None = None
    answer: dict[str, Any] | None = Field(default=None, sa_type=pg.JSONB)
    flow_run_id: uuid.UUID | None = None
    overdue_flagged_at: datetime | None = None


class CaseNumberCounter(SQLModel, table=True):
    __tablename__ = "case_number_counter"
    year: int = Field(primary_key=True)
    last: int = 0


# The register sweep's tables live beside their rules; registered here so that every
# user of `models.tables` (and the migration check) sees the whole schema.
# The state grant model (applications beyond cases, decisions, payouts): same reason.
from models.grant_model import GrantApplication, GrantPayout  # noqa: E402, F401
from models.lifecycle_tables import CaseResponsibility, Establishment  # noqa: E402, F401
from models.relapse import RegisterCheck, RegisterDisclosure, RelapseFlag  # noqa: E402, F401
