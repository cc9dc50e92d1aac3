"""The state grant as the police account for it: the appropriation and its dated changes,
the year's allocation decision, applicants, applications of three kinds, decisions with
an amount or a rejection reason, what a grant is used for, and payouts as records of
their own. Tables are created by migration `0011_grant_model`.

Applications that come from a case are not copied here: their decision is the case's
`grant_decision` row (written by the case flow). The view `grant_ledger` (same
migration) puts both kinds side by side with the same columns, and a payout refers to
either an application recorded here or a case's decision. Organisations only: no
person's data, no case numbers (`grant_ledger` carries a case decision's row id).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlmodel import Field, SQLModel

import models.during_tables  # noqa: F401 - grant_decision, which payouts refer to
from models.action_plan import InterventionKind
from models.columns import identity_pk
from models.grants import GrantKind, RejectionReason

TS = sa.DateTime(timezone=True)


class ApplicantKind(StrEnum):
    MUNICIPALITY = "municipality"
    CITY_DISTRICT = "city_district"  # stadsdel(snämnd) of a municipality
    AGENCY = "agency"  # within the joint government assignment (SiS, Socialstyrelsen)
    PRIVATE_ORGANISATION = "private_organisation"  # direct operational support


# Who may apply for what (the police report, sections 2.3 and 2.4).
APPLICANTS_FOR: dict[GrantKind, frozenset[ApplicantKind]] = {
    GrantKind.INDIVIDUAL_CASE: frozenset({ApplicantKind.MUNICIPALITY,
                                          ApplicantKind.CITY_DISTRICT}),
    GrantKind.AGENCY_DEVELOPMENT: frozenset({ApplicantKind.AGENCY}),
    GrantKind.DIRECT_OPERATIONAL: frozenset({ApplicantKind.PRIVATE_ORGANISATION}),
}


class DecisionOutcome(StrEnum):
    GRANTED = "granted"
    REJECTED = "rejected"


# A case's grant refused because the year's appropriation could not pay it
# (`grant_decision.status = 'refused_budget'`); shown beside the police's reasons.
APPROPRIATION_EXHAUSTED = "appropriation_exhausted"
ACCOUNT_REASONS: tuple[str, ...] = (*(r.value for r in RejectionReason), APPROPRIATION_EXHAUSTED)


class DecidingFunction(StrEnum):
    """Who decides: the head of the National Operations Department, or the delegate."""

    NOA_HEAD = "noa_head"
    NOA_DELEGATE = "noa_delegate"


class AppropriationDecisionKind(StrEnum):
    LETTER_OF_APPROPRIATION = "letter_of_appropriation"  # regleringsbrev
    AMENDING_DECISION = "amending_decision"  # ändringsbeslut


class ApplicationSource(StrEnum):
    OFFICER = "officer"  # recorded by the grants officer
    IMPORT = "import"  # imported from an earlier year's records (CSV)


USE_CATEGORIES: tuple[str, ...] = tuple(k.value for k in InterventionKind)


class GrantAppropriation(SQLModel, table=True):
    """One decision on the year's caps, in force from a date until the next one."""

    __tablename__ = "grant_appropriation"
    __table_args__ = (sa.UniqueConstraint("year", "in_force_from"),)
    id: int | None = identity_pk()
    year: int
    in_force_from: date
    kind: str = Field(max_length=40)
    decided_on: date | None = None
    reference: str | None = Field(default=None, max_length=200)
    total_cap_sek: int = Field(sa_type=sa.BigInteger())
    # None: no separate cap stated (the whole appropriation may go to direct support).
    direct_operational_cap_sek: int | None = Field(default=None, sa_type=sa.BigInteger())
    # Whether the appropriation also pays the agencies' joint government assignment.
    includes_joint_assignment: bool = False
    recorded_by: str = Field(max_length=100)


class GrantAllocationDecision(SQLModel, table=True):
    """The police's decision on how the year's money is distributed (e.g. 8 April 2022:
    only applications tied to an individual, through a municipality)."""

    __tablename__ = "grant_allocation_decision"
    __table_args__ = (sa.UniqueConstraint("year", "decided_on"),)
    id: int | None = identity_pk()
    year: int
    decided_on: date
    reference: str | None = Field(default=None, max_length=200)
    allowed_kinds: list[str] = Field(sa_type=pg.ARRAY(sa.String(40)))
    note: str = Field(max_length=1000)
    recorded_by: str = Field(max_length=100)


class GrantApplicant(SQLModel, table=True):
    """An organisation that applies: a municipality (named as in the reference data), a
    city district, an agency or a private organisation."""

    __tablename__ = "grant_applicant"
    __table_args__ = (sa.UniqueConstraint("kind", "name"),)
    id: int | None = identity_pk()
    kind: str = Field(max_length=40)
    name: str = Field(max_length=200)
    municipality_code: str | None = Field(default=None, foreign_key="municipality.code",
                                          max_length=4)


class GrantApplication(SQLModel, table=True):
    """An application that does not come from a case. `reference` is the police's
    reference (diarienummer) or the importer's: unique, so a re-import adds nothing."""

    __tablename__ = "grant_application"
    id: int | None = identity_pk()
    reference: str = Field(max_length=64, unique=True)
    year: int = Field(index=True)
    kind: str = Field(max_length=40)
    applicant_id: int = Field(foreign_key="grant_applicant.id", sa_type=sa.BigInteger,
                              index=True)
    received_on: date | None = None
    amount_applied_sek: int | None = Field(default=None, sa_type=sa.BigInteger())
    # What an agency or organisation grant is for. Never for an individual case, where
    # free text could carry a person's data.
    purpose: str | None = Field(default=None, max_length=500)
    source: str = Field(max_length=20)
    # sha256 of the imported row: the same reference with other values is refused.
    import_digest: str | None = Field(default=None, max_length=64)
    recorded_by: str = Field(max_length=100)
    recorded_at: datetime = Field(sa_type=TS)


class GrantApplicationDecision(SQLModel, table=True):
    __tablename__ = "grant_application_decision"
    id: int | None = identity_pk()
    application_id: int = Field(foreign_key="grant_application.id", sa_type=sa.BigInteger,
                                unique=True)
    outcome: str = Field(max_length=20)
    amount_sek: int | None = Field(default=None, sa_type=sa.BigInteger())
    rejection_reason: str | None = Field(default=None, max_length=40)
    decided_on: date
    decided_by: str = Field(max_length=40)
    recorded_by: str = Field(max_length=100)
    recorded_at: datetime = Field(sa_type=TS)


class GrantUse(SQLModel, table=True):
    """What an individual-case grant recorded here pays for, by intervention category.
    (A case's grant is used for its action plan: `intervention`.)"""

    __tablename__ = "grant_use"
    __table_args__ = (sa.UniqueConstraint("application_id", "category"),)
    id: int | None = identity_pk()
    application_id: int = Field(foreign_key="grant_application.id", sa_type=sa.BigInteger)
    category: str = Field(max_length=40)
    amount_sek: int = Field(sa_type=sa.BigInteger())


class GrantPayout(SQLModel, table=True):
    """Money paid out on a granted application (recorded here) or on a case's granted
    decision; exactly one of the two. `reference` makes recording it again a no-op."""

    __tablename__ = "grant_payout"
    id: int | None = identity_pk()
    reference: str = Field(max_length=64, unique=True)
    application_id: int | None = Field(default=None, foreign_key="grant_application.id",
                                       sa_type=sa.BigInteger, index=True)
    case_decision_id: int | None = Field(default=None, foreign_key="grant_decision.id",
                                         sa_type=sa.BigInteger, index=True)
    amount_sek: int = Field(sa_type=sa.BigInteger())
    paid_on: date
    recorded_by: str = Field(max_length=100)
    recorded_at: datetime = Field(sa_type=TS)
