"""The during phase in `utvag case show`: meeting, plan, grant, relocation, protected
personal data, the move of belongings (never the destination: that is `utvag during
destination`, for social services only)."""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

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
from models.enums import WaitKind
from models.tables import CaseWait
from utvag_cli.output import out


def show_during(session: Session, case_id: uuid.UUID) -> None:
    needs = session.exec(select(NeedsAssessment).where(NeedsAssessment.case_id == case_id)).first()
    if needs:
        out(f"  needs:        {', '.join(needs.needs) or 'none'}"
            + (f"   network: {', '.join(needs.network)}" if needs.network else ""))
    for inv in session.exec(select(MeetingInvitation).where(MeetingInvitation.case_id == case_id)
                            .order_by(col(MeetingInvitation.id))):
        signed = (f"signed off by {inv.signed_off_by}" if inv.signed_off_at
                  else "sign-off pending" if inv.external else "participant")
        units = f" ({', '.join(inv.units)})" if inv.units else ""
        out(f"  meeting   {inv.invitee + units:<40} {signed}  [rules {inv.routing_version}]")
    for item, provider in session.exec(
            select(Intervention, Provider).join(Provider, isouter=True)
            .where(Intervention.case_id == case_id).order_by(col(Intervention.id))):
        out(f"  plan      {item.kind:<28} {item.start} - {item.planned_end}  "
            f"{item.cost_sek:>9} kr  {provider.name if provider else 'the municipality'}")
    grant = session.exec(select(GrantDecisionRow).where(
        GrantDecisionRow.case_id == case_id)).first()
    if grant:
        out(f"  grant:        {grant.status}"
            + (f" {grant.amount_sek} kr" if grant.amount_sek is not None else "")
            + (f" ({grant.reason})" if grant.reason else ""))
    move = session.exec(select(Relocation).where(Relocation.case_id == case_id)).first()
    if move:
        approval = ("" if not move.fast_path else
                    f", fast path, approved by {move.approved_by}" if move.approved_at else
                    f", fast path, approval due {move.approval_due:%Y-%m-%d %H:%M}")
        out(f"  relocation:   {move.housing_form}{approval} (destination: social services only)")
        _show_protection(session, case_id)
        _show_belongings(session, case_id)
    offer = session.exec(select(TransferOffer).where(TransferOffer.case_id == case_id)).first()
    if offer:
        answer = ("awaiting the receiving municipality" if offer.answered_at is None else
                  f"{'accepted' if offer.accepted else 'declined'} by {offer.answered_by}; "
                  f"costs: the {offer.cost_payer} municipality from {offer.cost_from}")
        out(f"  transfer:     {answer}")


def _show_protection(session: Session, case_id: uuid.UUID) -> None:
    asked = session.exec(select(ProtectionRequest).where(
        ProtectionRequest.case_id == case_id)).first()
    if asked is None:
        consent = session.exec(select(CaseWait.id).where(
            CaseWait.case_id == case_id, CaseWait.kind == WaitKind.CONSENT.value,
            CaseWait.subject == "tax_agency", col(CaseWait.answered_at).is_(None))).first()
        out("  protection:   not requested"
            + (": no recorded consent for the Tax Agency (waits for it)" if consent else ""))
        return
    decided = (f"{asked.status} {asked.decided_at:%Y-%m-%d}" if asked.decided_at else
               "awaiting the Tax Agency's decision")
    out(f"  protection:   {asked.measure} requested from the Tax Agency: {decided}"
        + (f" ({asked.rejection_reason})" if asked.rejection_reason else ""))


def _show_belongings(session: Session, case_id: uuid.UUID) -> None:
    found = session.exec(select(BelongingsMove, Provider).join(Provider, isouter=True)
                         .where(BelongingsMove.case_id == case_id)).first()
    if found is None:
        return
    move, provider = found
    by = (f"{provider.name} to the placing social services, then social services"
          if provider else "social services")
    state = (f"delivered, confirmed by {move.delivered_by} {move.delivered_at:%Y-%m-%d}"
             if move.delivered_at else "ordered, awaiting social services' confirmation")
    out(f"  belongings:   {state} (moved by {by})")
