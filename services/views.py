"""Reads for people: the case as a person sees it (`case_view`), built in one place for
the CLI, the case service's JSON and the console. Renderers only render.

Reading personal data is journaled BEFORE it is read, in its own committed transaction:
a reader that stops half-way (a closed pipe, a dropped connection) has still been
journaled. The destination is never part of a case view (`services.relocation`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, select

from adapters.repositories import answers, cases, journal, waits
from adapters.repositories.cases import CaseNotFound
from models.during_tables import (
    BelongingsMove,
    GrantDecisionRow,
    Intervention,
    MeetingInvitation,
    NeedsAssessment,
    ProtectionRequest,
    Provider,
    Relocation,
    TransferOffer,
)
from models.enums import Criterion
from models.journal import Kind
from models.key_tables import RetentionHold
from models.tables import Consent, Person, ThreatAssessment
from services.clear_text import legal_basis_of, note_of
from services.runtime import Runtime

__all__ = ["CaseNotFound", "CaseView", "WaitingView", "case_id_of", "case_view", "waiting"]


class PersonView(BaseModel):
    name: str
    identity_number: str
    protection_level: str


class CriterionView(BaseModel):
    criterion: str
    holds: bool | None
    recorded_by: str
    note: str


class ConsentView(BaseModel):
    agency: str
    state: str
    at: datetime
    legal_basis: str


class ThreatView(BaseModel):
    level: str
    relocation_required: bool
    exclusion_zones: list[str]
    valid_until: date


class InviteeView(BaseModel):
    invitee: str
    units: list[str]
    external: bool
    signed_off_by: str | None
    routing_version: str


class InterventionView(BaseModel):
    kind: str
    start: date
    planned_end: date
    cost_sek: int
    provider: str | None


class RelocationView(BaseModel):
    """Housing form and approval; never the destination or the address."""

    housing_form: str
    fast_path: bool
    approved_by: str | None
    approval_due: datetime | None


class ProtectionView(BaseModel):
    measure: str
    status: str
    decided_at: datetime | None
    rejection_reason: str | None


class BelongingsView(BaseModel):
    status: str
    provider: str | None
    delivered_by: str | None
    delivered_at: datetime | None


class TransferView(BaseModel):
    answered: bool
    accepted: bool | None
    answered_by: str | None
    cost_payer: str | None
    cost_from: date | None


class GrantView(BaseModel):
    status: str
    amount_sek: int | None
    reason: str | None


class WaitView(BaseModel):
    kind: str
    subject: str
    since: datetime
    deadline: datetime


class EntryView(BaseModel):
    at: datetime
    phase: str
    status: str
    kind: str
    reason: str
    actor: str


class RegisterDisclosureView(BaseModel):
    at: datetime
    register_name: str
    fields: list[str]
    agency: str
    reason: str
    actor: str
    sweep_run: str


class CaseView(BaseModel):
    case_id: uuid.UUID
    case_number: str
    phase: str
    status: str
    outcome: str | None
    blocked_reason: str | None
    person: PersonView
    placing_municipality: str
    milieu: str
    custody_status: str
    referring_agency: str
    opened_at: datetime
    closed_at: datetime | None
    criteria: list[CriterionView]
    consents: list[ConsentView]
    threat: ThreatView | None
    needs: list[str] | None
    network: list[str]
    meeting: list[InviteeView]
    plan: list[InterventionView]
    grant: GrantView | None
    relocation: RelocationView | None
    protection: ProtectionView | None
    protection_waits_for_consent: bool
    belongings: BelongingsView | None
    transfer: TransferView | None
    waits: list[WaitView]
    timeline: list[EntryView]
    register_disclosures: list[RegisterDisclosureView]
    legal_hold: bool = False  # kept from culling while it stands (services.legal_hold)


def case_view(rt: Runtime, case_ref: str | uuid.UUID, *, viewer: str,
              purpose: str = "case shown with personal data") -> CaseView:
    """The whole case for a person allowed to see it; the read is journaled first."""
    with rt.uow() as session:
        # Share-locked: two people reading one case do not wait for each other.
        case = cases.share_case(session, cases.find_case(session, case_ref).id)
        journal.journal(session, case, kind=Kind.READ, actor=viewer, at=rt.now(),
                        reason=purpose)
        case_id = case.id
    with rt.uow() as session:
        return _build(rt, session, case_id)


def _build(rt: Runtime, session: Session, case_id: uuid.UUID) -> CaseView:
    case = cases.get_case(session, case_id)
    person = session.get_one(Person, case.person_id)
    order = list(Criterion)
    criteria = sorted(answers.rows(session, case_id),
                      key=lambda a: order.index(Criterion(a.criterion)))
    threat = session.exec(select(ThreatAssessment).where(
        ThreatAssessment.case_id == case_id)).first()
    needs = session.exec(select(NeedsAssessment).where(NeedsAssessment.case_id == case_id)).first()
    open_rows = waits.open_waits(session, case_id)
    return CaseView(
        case_id=case.id, case_number=case.case_number, phase=case.phase, status=case.status,
        outcome=case.outcome, blocked_reason=case.blocked_reason,
        person=PersonView(name=rt.cipher.decrypt(person.name_enc),
                          identity_number=rt.cipher.decrypt(person.identity_enc),
                          protection_level=person.protection_level),
        placing_municipality=case.placing_municipality, milieu=case.milieu,
        custody_status=case.custody_status, referring_agency=case.referring_agency,
        opened_at=case.opened_at, closed_at=case.closed_at,
        criteria=[CriterionView(criterion=a.criterion, holds=a.holds, recorded_by=a.recorded_by,
                                note=note_of(a, rt.cipher)) for a in criteria],
        consents=[ConsentView(agency=c.agency, state=c.state, at=c.at,
                              legal_basis=legal_basis_of(c, rt.cipher))
                  for c in session.exec(select(Consent).where(Consent.case_id == case_id)
                                        .order_by(col(Consent.id)))],
        threat=ThreatView(level=threat.level, relocation_required=threat.relocation_required,
                          exclusion_zones=list(threat.exclusion_zones),
                          valid_until=threat.valid_until) if threat else None,
        needs=list(needs.needs) if needs else None,
        network=list(needs.network) if needs else [],
        meeting=[InviteeView(invitee=i.invitee, units=list(i.units), external=i.external,
                             signed_off_by=i.signed_off_by, routing_version=i.routing_version)
                 for i in session.exec(select(MeetingInvitation).where(
                     MeetingInvitation.case_id == case_id).order_by(col(MeetingInvitation.id)))],
        plan=[InterventionView(kind=item.kind, start=item.start, planned_end=item.planned_end,
                               cost_sek=item.cost_sek,
                               provider=provider.name if provider else None)
              for item, provider in session.exec(
                  select(Intervention, Provider).join(Provider, isouter=True)
                  .where(Intervention.case_id == case_id).order_by(col(Intervention.id)))],
        grant=_grant(session, case_id),
        relocation=_relocation(session, case_id),
        protection=_protection(session, case_id),
        legal_hold=session.get(RetentionHold, case_id) is not None,
        protection_waits_for_consent=any(w.kind == "consent" and w.subject == "tax_agency"
                                         for w in open_rows),
        belongings=_belongings(session, case_id),
        transfer=_transfer(session, case_id),
        waits=[WaitView(kind=w.kind, subject=w.subject, since=w.opened_at, deadline=w.deadline)
               for w in open_rows],
        timeline=[EntryView(at=e.at, phase=e.phase, status=e.status, kind=e.kind,
                            reason=_reason(e.reason, e.data, rt), actor=e.actor)
                  for e in journal.entries(session, case_id)],
        register_disclosures=[
            RegisterDisclosureView(at=d.at, register_name=d.register_name, fields=list(d.fields),
                                   agency=d.agency, reason=d.reason, actor=d.actor,
                                   sweep_run=d.sweep_run)
            for d in journal.register_disclosures(session, case_id)],
    )


def _grant(session: Session, case_id: uuid.UUID) -> GrantView | None:
    row = session.exec(select(GrantDecisionRow).where(
        GrantDecisionRow.case_id == case_id)).first()
    return GrantView(status=row.status, amount_sek=row.amount_sek, reason=row.reason) \
        if row else None


def _relocation(session: Session, case_id: uuid.UUID) -> RelocationView | None:
    row = session.exec(select(Relocation).where(Relocation.case_id == case_id)
                       .order_by(col(Relocation.sequence).desc())).first()
    return RelocationView(housing_form=row.housing_form, fast_path=row.fast_path,
                          approved_by=row.approved_by, approval_due=row.approval_due) \
        if row else None


def _protection(session: Session, case_id: uuid.UUID) -> ProtectionView | None:
    row = session.exec(select(ProtectionRequest).where(
        ProtectionRequest.case_id == case_id).order_by(
            col(ProtectionRequest.relocation_sequence).desc())).first()
    return ProtectionView(measure=row.measure, status=row.status, decided_at=row.decided_at,
                          rejection_reason=row.rejection_reason) if row else None


def _belongings(session: Session, case_id: uuid.UUID) -> BelongingsView | None:
    found = session.exec(select(BelongingsMove, Provider).join(Provider, isouter=True)
                         .where(BelongingsMove.case_id == case_id)).first()
    if found is None:
        return None
    move, provider = found
    return BelongingsView(status=move.status, provider=provider.name if provider else None,
                          delivered_by=move.delivered_by, delivered_at=move.delivered_at)


def _transfer(session: Session, case_id: uuid.UUID) -> TransferView | None:
    offer = session.exec(select(TransferOffer).where(TransferOffer.case_id == case_id)
                         .order_by(col(TransferOffer.id).desc())).first()
    if offer is None:
        return None
    return TransferView(answered=offer.answered_at is not None, accepted=offer.accepted,
                        answered_by=offer.answered_by, cost_payer=offer.cost_payer,
                        cost_from=offer.cost_from)


def case_id_of(rt: Runtime, case_ref: str | uuid.UUID) -> tuple[uuid.UUID, str]:
    """(id, case number) of a case, without personal data."""
    with rt.uow() as session:
        case = cases.find_case(session, case_ref)
        return case.id, case.case_number


class WaitingView(BaseModel):
    """Where a case stands and what it waits for: no personal data, so not journaled."""

    case_id: uuid.UUID
    case_number: str
    phase: str
    status: str
    placing_municipality: str
    waits: list[WaitView]


def waiting(rt: Runtime, case_ref: str | uuid.UUID) -> WaitingView:
    with rt.uow() as session:
        case = cases.find_case(session, case_ref)
        return WaitingView(
            case_id=case.id, case_number=case.case_number, phase=case.phase,
            status=case.status, placing_municipality=case.placing_municipality,
            waits=[WaitView(kind=w.kind, subject=w.subject, since=w.opened_at,
                            deadline=w.deadline)
                   for w in waits.open_waits(session, case.id)])


def _reason(reason: str, data: dict[str, Any], rt: Runtime) -> str:
    """The entry's reason, with the encrypted words a person gave (a reopening's) opened."""
    token = data.get("reason_enc")
    return f"{reason}: {rt.cipher.decrypt(token.encode())}" if isinstance(token, str) \
        else reason
