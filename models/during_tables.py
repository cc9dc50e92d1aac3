"""Tables of the collaboration meeting: the needs assessment and each invitee's
invitation and sign-off. Ids, codes and roles only: no personal data."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlmodel import Field, SQLModel

from models.columns import bigint_fk, identity_pk


class NeedsAssessment(SQLModel, table=True):
    __tablename__ = "needs_assessment"
    id: int | None = identity_pk()
    case_id: uuid.UUID = Field(foreign_key="case.id", unique=True)
    needs: list[str] = Field(default_factory=list, sa_type=pg.ARRAY(sa.String()))
    network: list[str] = Field(default_factory=list, sa_type=pg.ARRAY(sa.String()))
    recorded_by: str
    recorded_at: datetime


class MeetingInvitation(SQLModel, table=True):
    __tablename__ = "meeting_invitation"
    __table_args__ = (sa.UniqueConstraint("case_id", "invitee"),)
    id: int | None = identity_pk()
    case_id: uuid.UUID = Field(foreign_key="case.id", index=True)
    invitee: str
    units: list[str] = Field(default_factory=list, sa_type=pg.ARRAY(sa.String()))
    external: bool
    routing_version: str
    signed_off_by: str | None = None
    signed_off_at: datetime | None = None


class Provider(SQLModel, table=True):
    """An external provider of interventions (an organisation, never a person's data)."""

    id: int | None = identity_pk()
    name: str = Field(unique=True, max_length=200)
    vetted_by: str | None = None
    vetted_on: date | None = None
    next_follow_up_due: date | None = None
    created_at: datetime


class ProviderFollowUp(SQLModel, table=True):
    __tablename__ = "provider_follow_up"
    id: int | None = identity_pk()
    provider_id: int = Field(foreign_key="provider.id", index=True, sa_type=sa.BigInteger)
    verdict: str
    reported_by: str
    reported_on: date
    next_follow_up_due: date
    recorded_at: datetime


class Intervention(SQLModel, table=True):
    id: int | None = identity_pk()
    case_id: uuid.UUID = Field(foreign_key="case.id", index=True)
    kind: str
    provider_id: int | None = bigint_fk("provider.id")
    start: date
    planned_end: date
    cost_sek: int = Field(sa_type=sa.BigInteger())
    added_by: str
    added_at: datetime


class CoordinatorStatement(SQLModel, table=True):
    """The police defector coordinator's statement (utlåtande) for the grant application."""

    __tablename__ = "coordinator_statement"
    id: int | None = identity_pk()
    case_id: uuid.UUID = Field(foreign_key="case.id", unique=True)
    supports: bool
    recorded_by: str
    recorded_at: datetime


class GrantBudget(SQLModel, table=True):
    """One row per year: the appropriation and the cap; locked while a grant is booked."""

    __tablename__ = "grant_budget"
    year: int = Field(primary_key=True)
    appropriation_sek: int = Field(sa_type=sa.BigInteger())
    direct_operational_cap_sek: int = Field(sa_type=sa.BigInteger())


class GrantDecisionRow(SQLModel, table=True):
    """The decision on a case's grant application; granted rows are the year's ledger."""

    __tablename__ = "grant_decision"
    id: int | None = identity_pk()
    case_id: uuid.UUID = Field(foreign_key="case.id", unique=True)
    year: int = Field(foreign_key="grant_budget.year")
    kind: str
    status: str
    amount_sek: int | None = Field(default=None, sa_type=sa.BigInteger())
    reason: str | None = None
    decided_at: datetime


class Relocation(SQLModel, table=True):
    """Where the person moves: one row per move (emergency housing, then a lasting
    move, ...), numbered; the latest is where the person lives. Destination municipality
    and address are encrypted (the destination also as a keyed hash, to find it): only
    the social services of the responsible and the receiving municipality may read them
    (`services.relocation`)."""

    __table_args__ = (sa.UniqueConstraint("case_id", "sequence",
                                          name="uq_relocation_case_sequence"),)
    id: int | None = identity_pk()
    case_id: uuid.UUID = Field(foreign_key="case.id")
    sequence: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    kind: str = Field(default="lasting", max_length=10,
                      sa_column_kwargs={"server_default": "lasting"})
    destination_enc: bytes
    destination_hash: str | None = Field(default=None, max_length=64)
    address_enc: bytes
    # The destination organisation's keyed tag (adapters/org_tag.py, migration 0013_rls):
    # row-level security shows the destination the case without its code in clear.
    destination_tag: str | None = Field(default=None, max_length=64, index=True)
    housing_form: str
    fast_path: bool
    decided_by: str
    decided_at: datetime
    approval_due: datetime | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None


class OutcomeIndicator(SQLModel, table=True):
    """The follow-up model's indicators at 6, 12 and 24 months after closure."""

    __tablename__ = "outcome_indicator"
    __table_args__ = (sa.UniqueConstraint("case_id", "months"),)
    id: int | None = identity_pk()
    case_id: uuid.UUID = Field(foreign_key="case.id", index=True)
    months: int
    stable_housing: bool
    occupation: bool
    no_new_crime: bool
    recorded_by: str
    recorded_at: datetime


class TransferOffer(SQLModel, table=True):
    """An offer to transfer responsibility to the receiving municipality (the latest
    lasting relocation's destination, encrypted: never stored here in clear), made when
    the person is established or when a coordinator decides it with a reason; the
    answer with who pays from when and from when the receiver is responsible. A
    declined offer may be followed by a new one; one unanswered at a time."""

    __tablename__ = "transfer_offer"
    __table_args__ = (sa.Index("uq_transfer_offer_open", "case_id", unique=True,
                               postgresql_where=sa.text("answered_at IS NULL")),)
    id: int | None = identity_pk()
    case_id: uuid.UUID = Field(foreign_key="case.id", index=True)
    offered_by: str
    offered_at: datetime
    basis: str = Field(default="established", max_length=20,
                       sa_column_kwargs={"server_default": "established"})
    reason: str | None = Field(default=None, max_length=500)
    receiving_enc: bytes | None = None
    # The receiving organisation's keyed tag (SQL `utvag_org_tag`, migration 0013_rls): the
    # row-level security policies recognise the receiving municipality without its code.
    receiving_tag: str | None = Field(default=None, max_length=64, index=True)
    accepted: bool | None = None
    cost_payer: str | None = None  # 'placing' or 'receiving'
    cost_from: date | None = None
    responsible_from: date | None = None
    answered_by: str | None = None
    answered_at: datetime | None = None


class ProtectionRequest(SQLModel, table=True):
    """The Tax Agency's protection of the person's personal data after a relocation: the
    measure asked for and the decision. The request itself is an `agency_request` (key)."""

    __tablename__ = "protection_request"
    __table_args__ = (sa.UniqueConstraint("case_id", "relocation_sequence",
                                          name="uq_protection_case_relocation"),)
    id: int | None = identity_pk()
    case_id: uuid.UUID = Field(foreign_key="case.id")
    relocation_sequence: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    measure: str  # sekretessmarkering or skyddad_folkbokforing
    status: str  # requested, granted, rejected
    rejection_reason: str | None = None
    requested_at: datetime
    decided_at: datetime | None = None


class BelongingsMove(SQLModel, table=True):
    """The move of the person's belongings, ordered once the destination is decided and
    carried out through social services. The provider (vetted, from the registry) takes
    the belongings to the placing social services only; social services take them on to
    the address, which the provider never gets. No destination is stored here."""

    __tablename__ = "belongings_move"
    id: int | None = identity_pk()
    case_id: uuid.UUID = Field(foreign_key="case.id", unique=True)
    provider_id: int | None = bigint_fk("provider.id")
    status: str  # ordered, delivered
    ordered_by: str
    ordered_at: datetime
    delivered_by: str | None = None
    delivered_at: datetime | None = None
