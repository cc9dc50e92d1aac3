"""The grants officer's records: applications that do not come from a case (agency
development work, direct operational support, and individual cases handled outside
Utväg), their decisions, what an individual-case grant is used for, and payouts (also
on a case's granted decision). Prefect-free; the caller's session is the transaction.

Every function is idempotent by its reference: recording the same thing again returns
`created=False`; the same reference with other values is refused. Refusals are
`GrantRecordError`, whose message starts with the field it is about.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Self

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from models.appropriation import NoAppropriation
from models.during_tables import GrantDecisionRow
from models.grant_model import (
    APPLICANTS_FOR,
    USE_CATEGORIES,
    ApplicantKind,
    ApplicationSource,
    DecidingFunction,
    DecisionOutcome,
    GrantApplicant,
    GrantApplication,
    GrantApplicationDecision,
    GrantPayout,
    GrantUse,
)
from models.grants import BudgetExceeded, GrantKind, RejectionReason
from models.tables import Case, Municipality
from services.reports.budget import check_new_grant

REFERENCE = r"^[A-Za-z0-9][A-Za-z0-9._/:-]{0,63}$"


class GrantRecordError(ValueError):
    """A record that may not be made; the message names the field and why."""


class ApplicationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    reference: str = Field(pattern=REFERENCE, description="The police's reference (Dnr).")
    year: int = Field(ge=2000, le=2100)
    kind: GrantKind
    applicant_kind: ApplicantKind
    applicant: str | None = Field(default=None, min_length=1, max_length=200)
    municipality_code: str | None = Field(default=None, pattern=r"^\d{4}$")
    received_on: date | None = None
    amount_applied_sek: int | None = Field(default=None, gt=0)
    purpose: str | None = Field(default=None, min_length=1, max_length=500)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.applicant_kind not in APPLICANTS_FOR[self.kind]:
            allowed = " or ".join(sorted(APPLICANTS_FOR[self.kind]))
            raise ValueError(f"applicant_kind: a {self.kind.value} application comes from "
                             f"a {allowed}")
        local = self.applicant_kind in (ApplicantKind.MUNICIPALITY, ApplicantKind.CITY_DISTRICT)
        if local and self.municipality_code is None:
            raise ValueError("municipality_code: required for a municipality or city district")
        if not local and self.municipality_code is not None:
            raise ValueError("municipality_code: only for a municipality or city district")
        if self.applicant_kind != ApplicantKind.MUNICIPALITY and self.applicant is None:
            raise ValueError("applicant: the organisation's name is required")
        if self.kind == GrantKind.INDIVIDUAL_CASE and self.purpose is not None:
            raise ValueError("purpose: not for an individual case (free text could carry "
                             "personal data; record uses by category)")
        return self


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    outcome: DecisionOutcome
    amount_sek: int | None = Field(default=None, gt=0)
    rejection_reason: RejectionReason | None = None
    decided_on: date
    decided_by: DecidingFunction

    @model_validator(mode="after")
    def _amount_or_reason(self) -> Self:
        granted = self.outcome == DecisionOutcome.GRANTED
        if granted != (self.amount_sek is not None):
            raise ValueError("amount_sek: required when granted, empty when rejected")
        if granted == (self.rejection_reason is not None):
            raise ValueError("rejection_reason: required when rejected, empty when granted")
        return self


@dataclass(frozen=True)
class Recorded:
    reference: str
    created: bool


def _applicant(session: Session, item: ApplicationIn) -> int:
    name = item.applicant
    if item.municipality_code is not None:
        municipality = session.get(Municipality, item.municipality_code)
        if municipality is None:
            raise GrantRecordError("municipality_code: no municipality has this code")
        if item.applicant_kind == ApplicantKind.MUNICIPALITY:
            if name is not None and name != municipality.name:
                raise GrantRecordError(f"applicant: {item.municipality_code} is "
                                       f"{municipality.name}, not {name}")
            name = municipality.name
    session.execute(insert(GrantApplicant).values(
        kind=item.applicant_kind.value, name=name, municipality_code=item.municipality_code,
    ).on_conflict_do_nothing(index_elements=["kind", "name"]))
    row = session.exec(select(GrantApplicant).where(
        GrantApplicant.kind == item.applicant_kind.value, GrantApplicant.name == name)).one()
    if row.municipality_code != item.municipality_code:
        raise GrantRecordError(f"municipality_code: {name} is recorded under "
                               f"{row.municipality_code}")
    assert row.id is not None
    return row.id


def _by_reference(session: Session, reference: str) -> GrantApplication:
    found = session.exec(select(GrantApplication).where(
        GrantApplication.reference == reference)).first()
    if found is None:
        raise GrantRecordError(f"reference: no application {reference} is recorded")
    return found


def record_application(session: Session, item: ApplicationIn, *, by: str, now: datetime,
                       source: ApplicationSource = ApplicationSource.OFFICER,
                       digest: str | None = None) -> Recorded:
    applicant_id = _applicant(session, item)
    values = {"year": item.year, "kind": item.kind.value, "applicant_id": applicant_id,
              "received_on": item.received_on, "amount_applied_sek": item.amount_applied_sek,
              "purpose": item.purpose}
    inserted = session.execute(insert(GrantApplication).values(
        reference=item.reference, source=source.value, import_digest=digest, recorded_by=by,
        recorded_at=now, **values,
    ).on_conflict_do_nothing(index_elements=["reference"]).returning(
        sa.literal_column("id"))).first()
    if inserted is not None:
        return Recorded(item.reference, True)
    existing = _by_reference(session, item.reference)
    if any(getattr(existing, k) != v for k, v in values.items()):
        raise GrantRecordError(f"reference: {item.reference} is already recorded with other "
                               "values")
    return Recorded(item.reference, False)


def record_decision(session: Session, *, reference: str, decision: DecisionIn, by: str,
                    now: datetime, check_budget: bool = True) -> Recorded:
    """`check_budget=False` for earlier years' imported decisions: they are history."""
    application = _by_reference(session, reference)
    assert application.id is not None
    if decision.decided_on.year != application.year:
        raise GrantRecordError(f"decided_on: not in {application.year}, the application's "
                               "year")
    values = {"outcome": decision.outcome.value, "amount_sek": decision.amount_sek,
              "rejection_reason": decision.rejection_reason, "decided_on": decision.decided_on,
              "decided_by": decision.decided_by.value}
    existing = session.exec(select(GrantApplicationDecision).where(
        GrantApplicationDecision.application_id == application.id)).first()
    if existing is not None:
        if any(getattr(existing, k) != v for k, v in values.items()):
            raise GrantRecordError(f"reference: {reference} is already decided otherwise")
        return Recorded(reference, False)
    if check_budget and decision.amount_sek is not None:
        try:
            check_new_grant(session, year=application.year, on=decision.decided_on,
                            kind=GrantKind(application.kind), amount_sek=decision.amount_sek)
        except (BudgetExceeded, NoAppropriation) as exc:
            raise GrantRecordError(str(exc)) from None
    session.add(GrantApplicationDecision.model_validate(
        {"application_id": application.id, "recorded_by": by, "recorded_at": now, **values}))
    session.flush()
    return Recorded(reference, True)


def record_uses(session: Session, *, reference: str, uses: Mapping[str, int]) -> Recorded:
    """What an individual-case grant recorded here is used for, by intervention category
    (the action plan's); at most the granted amount in all."""
    application = _by_reference(session, reference)
    decision = session.exec(select(GrantApplicationDecision).where(
        GrantApplicationDecision.application_id == application.id)).first()
    if application.kind != GrantKind.INDIVIDUAL_CASE or decision is None \
            or decision.amount_sek is None:
        raise GrantRecordError("uses: only for a granted individual-case application")
    unknown = sorted(set(uses) - set(USE_CATEGORIES))
    if unknown:
        raise GrantRecordError(f"uses: unknown category {', '.join(unknown)}")
    if any(amount <= 0 for amount in uses.values()):
        raise GrantRecordError("uses: amounts are positive whole kronor")
    if sum(uses.values()) > decision.amount_sek:
        raise GrantRecordError(f"uses: {sum(uses.values())} kr is more than the "
                               f"{decision.amount_sek} kr granted")
    stored = {u.category: u.amount_sek for u in session.exec(select(GrantUse).where(
        GrantUse.application_id == application.id)).all()}
    if stored:
        if stored != dict(uses):
            raise GrantRecordError(f"uses: {reference} already has other uses recorded")
        return Recorded(reference, False)
    assert application.id is not None
    session.add_all([GrantUse(application_id=application.id, category=c, amount_sek=a)
                     for c, a in sorted(uses.items())])
    session.flush()
    return Recorded(reference, True)


def _granted_target(session: Session, *, application: str | None,
                    case_number: str | None) -> tuple[dict[str, int], int]:
    """({column: id}, granted amount) of the application or case decision paid."""
    if (application is None) == (case_number is None):
        raise GrantRecordError("application: give an application reference or a case number")
    if application is not None:
        found = _by_reference(session, application)
        decision = session.exec(select(GrantApplicationDecision).where(
            GrantApplicationDecision.application_id == found.id).with_for_update()).first()
        if decision is None or decision.amount_sek is None or found.id is None:
            raise GrantRecordError(f"application: {application} is not granted")
        return {"application_id": found.id}, decision.amount_sek
    row = session.exec(select(GrantDecisionRow).join(
        Case, col(Case.id) == col(GrantDecisionRow.case_id)).where(
        Case.case_number == case_number, GrantDecisionRow.status == "granted")
        .with_for_update(of=GrantDecisionRow)).first()
    if row is None or row.id is None or row.amount_sek is None:
        raise GrantRecordError(f"case_number: {case_number} has no granted state grant")
    return {"case_decision_id": row.id}, row.amount_sek


def record_payout(session: Session, *, reference: str, amount_sek: int, paid_on: date,
                  by: str, now: datetime, application: str | None = None,
                  case_number: str | None = None) -> Recorded:
    """A payout on a granted application (its reference) or case (its number); all
    payouts together at most the granted amount."""
    if isinstance(amount_sek, bool) or not isinstance(amount_sek, int) or amount_sek <= 0:
        raise GrantRecordError("amount_sek: positive whole kronor")
    target, granted = _granted_target(session, application=application,
                                      case_number=case_number)
    (column, target_id), = target.items()
    existing = session.exec(select(GrantPayout).where(GrantPayout.reference == reference)).first()
    if existing is not None:
        same = (getattr(existing, column), existing.amount_sek, existing.paid_on) == (
            target_id, amount_sek, paid_on)
        if not same:
            raise GrantRecordError(f"reference: payout {reference} is already recorded with "
                                   "other values")
        return Recorded(reference, False)
    paid = session.execute(sa.select(sa.func.coalesce(sa.func.sum(
        GrantPayout.amount_sek), 0)).where(getattr(GrantPayout, column) == target_id)).scalar_one()
    if paid + amount_sek > granted:
        raise GrantRecordError(f"amount_sek: {amount_sek} kr is more than the {granted - paid} "
                               "kr left to pay of the grant")
    # The decision row stays locked until commit: two payouts cannot both take the rest.
    session.add(GrantPayout(reference=reference, amount_sek=amount_sek, paid_on=paid_on,
                            recorded_by=by, recorded_at=now, **target))
    session.flush()
    return Recorded(reference, True)
