"""Tables of the plan and the people around it (migration 0016_plan_and_people): the relapse
event outbox, plan versions, closure proposals, the meeting as an event, guardians of a
child, and the permits a provider holds. Ids, codes and roles only, except a guardian's
name, which is encrypted like every name."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlmodel import Field, SQLModel

from models.columns import identity_pk


class RelapseEvent(SQLModel, table=True):
    """One row per relapse flag: the Prefect event `utvag.relapse.flagged` and the
    notification to the responsible municipality's coordinators, each done once."""

    __tablename__ = "relapse_event"
    id: int | None = identity_pk()
    flag_id: int = Field(foreign_key="relapse_flag.id", unique=True, sa_type=sa.BigInteger)
    case_id: uuid.UUID = Field(foreign_key="case.id", index=True)
    municipality: str = Field(max_length=4)
    created_at: datetime
    emitted_at: datetime | None = None
    notified_at: datetime | None = None


class PlanVersion(SQLModel, table=True):
    """A version of a case's action plan. Version 1 is the first approved plan; an
    assessment's `adjust_plan` opens the next as a draft, approved like the first."""

    __tablename__ = "plan_version"
    __table_args__ = (sa.UniqueConstraint("case_id", "version"),
                      sa.CheckConstraint("status IN ('draft', 'approved')",
                                         name="ck_plan_version_status"))
    id: int | None = identity_pk()
    case_id: uuid.UUID = Field(foreign_key="case.id", index=True)
    version: int
    status: str
    reason: str = Field(max_length=500)
    opened_by: str
    opened_at: datetime
    intervention_ids: list[int] = Field(default_factory=list,
                                        sa_type=pg.ARRAY(sa.BigInteger()))
    cost_sek: int | None = Field(default=None, sa_type=sa.BigInteger())
    approved_by: str | None = None
    approved_at: datetime | None = None


class ClosureProposal(SQLModel, table=True):
    """A proposed closure (from an assessment's `end_support`): takes effect when a second,
    different person confirms it."""

    __tablename__ = "closure_proposal"
    __table_args__ = (sa.Index("uq_closure_proposal_open", "case_id", unique=True,
                               postgresql_where=sa.text("decided_at IS NULL")),
                      sa.CheckConstraint("decided_by IS NULL OR decided_by <> proposed_by",
                                         name="ck_closure_two_people"))
    id: int | None = identity_pk()
    case_id: uuid.UUID = Field(foreign_key="case.id")
    flag_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    outcome: str
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    confirmed: bool | None = None


class MeetingRecord(SQLModel, table=True):
    """The collaboration meeting as it happened: when, which organisations took part (by
    role), and whether the defector took part and agreed to the plan."""

    __tablename__ = "meeting_record"
    __table_args__ = (sa.UniqueConstraint("case_id", "held_on"),)
    id: int | None = identity_pk()
    case_id: uuid.UUID = Field(foreign_key="case.id", index=True)
    held_on: date
    participants: list[str] = Field(default_factory=list, sa_type=pg.ARRAY(sa.String()))
    defector_participated: bool
    defector_agreed: bool
    recorded_by: str
    recorded_at: datetime


class Guardian(SQLModel, table=True):
    """A child's guardian (vårdnadshavare): the role in clear, the name encrypted."""

    __tablename__ = "guardian"
    __table_args__ = (sa.UniqueConstraint("case_id", "role"),)
    id: int | None = identity_pk()
    case_id: uuid.UUID = Field(foreign_key="case.id")
    role: str
    name_enc: bytes
    consents: bool
    recorded_by: str
    recorded_at: datetime


class ProviderPermit(SQLModel, table=True):
    """A permit a provider holds, e.g. the permit protected housing needs since
    1 April 2024 (kind `protected_housing`)."""

    __tablename__ = "provider_permit"
    __table_args__ = (sa.UniqueConstraint("provider_id", "kind"),)
    id: int | None = identity_pk()
    provider_id: int = Field(foreign_key="provider.id", sa_type=sa.BigInteger)
    kind: str
    reference: str = Field(max_length=100)
    valid_from: date
    valid_until: date | None = None
    recorded_by: str
    recorded_at: datetime
