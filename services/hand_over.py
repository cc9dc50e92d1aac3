"""Hand-over after the move: Frivården and Arbetsförmedlingen requests (through the
agency's invitation API with a `purpose`), and the transfer of responsibility to the
receiving municipality (accepted or declined by it, with who pays from when)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from adapters.common import SubmittedRequest
from adapters.invitations.schemas import InvitationRequest, InvitationResult
from adapters.org_tag import org_tag
from adapters.registry import AgencyPorts
from adapters.repositories import cases, journal, waits
from models.during_tables import TransferOffer
from models.enums import WaitKind
from models.journal import Kind
from models.progress import hand_over
from models.relocation import DisclosureDenied, check_disclosure
from models.tables import Case
from models.waits import AgencySubject, Wait
from services.agency import Personal, Recorded
from services.before_steps import wire_subject
from services.relocation import relocation_of
from services.runtime import Runtime

SYSTEM = "utvag"
Purpose = Literal["release_measures", "lay_supervisor", "office_hand_over"]
PURPOSES: tuple[Purpose, ...] = ("release_measures", "lay_supervisor", "office_hand_over")


@dataclass(frozen=True)
class HandOverStep:
    agency: str
    purpose: Purpose

    @property
    def subject(self) -> AgencySubject:
        return hand_over(self.agency, self.purpose)

    def body(self, session: Session, case: Case, person: Personal, *, key: str,
             at: datetime) -> InvitationRequest:
        return InvitationRequest(case_number=case.case_number, subject=wire_subject(person),
                                 placing_municipality=case.placing_municipality, units=[],
                                 routing_version=case.routing_version or "",
                                 purpose=self.purpose)

    def submit(self, ports: AgencyPorts, *, key: str, body: InvitationRequest) -> SubmittedRequest:
        return ports.invitation(self.agency).invite(idempotency_key=key, request=body)

    def poll(self, ports: AgencyPorts, *, external_id: str) -> InvitationResult | None:
        result = ports.invitation(self.agency).get_invitation(request_id=external_id)
        return result if result.status == "signed_off" else None

    def record(self, session: Session, case: Case, answer: InvitationResult, *,
               at: datetime) -> Recorded:
        return Recorded(f"{self.agency} accepted the hand-over ({self.purpose})", {})


def hand_over_step(subject: AgencySubject) -> HandOverStep | None:
    for purpose in PURPOSES:
        if subject == hand_over(subject.agency, purpose):
            return HandOverStep(subject.agency, purpose)
    return None


def offer_transfer(rt: Runtime, case_id: uuid.UUID) -> None:
    """Offer the transfer of responsibility to the receiving municipality (once)."""
    at = rt.now()
    with rt.uow() as session:
        case = cases.lock_case(session, case_id)
        # The receiving municipality as the row-level security policies recognise it: a
        # keyed tag (never the code in clear, not even to the server).
        receiving = rt.cipher.decrypt(relocation_of(session, case).destination_enc)
        tag = org_tag(session, f"municipality:{receiving}")
        inserted = session.execute(
            insert(TransferOffer).values(case_id=case_id, offered_by=SYSTEM, offered_at=at,
                                         receiving_tag=tag)
            .on_conflict_do_nothing(index_elements=["case_id"]).returning(col(TransferOffer.id))
        ).first()
        if inserted is None:
            return
        journal.journal(session, case, kind=Kind.TRANSFER_OFFERED, actor=SYSTEM, at=at,
                        reason="transfer of responsibility offered to the receiving municipality")
        wait = Wait.of(WaitKind.TRANSFER)
        waits.open_wait(session, case, wait, at=at, deadline=rt.deadline(wait.kind, at=at))


class TransferError(ValueError):
    """An answer to a transfer offer that may not be given; the message says why."""


def answer_transfer(rt: Runtime, case_ref: str | uuid.UUID, *, accept: bool, cost_payer: str,
                    cost_from: date, viewer_municipality: str, by: str) -> Case:
    """The receiving social services accept or decline; only they may answer, once (the
    same answer again changes nothing). `DisclosureDenied` for anyone else,
    `TransferError` without an offer or against an earlier answer; nothing written."""
    if cost_payer not in ("placing", "receiving"):
        raise ValueError("cost_payer: placing or receiving")
    at = rt.now()
    with rt.uow() as session:
        case = cases.lock_case_ref(session, case_ref)
        receiving = rt.cipher.decrypt(relocation_of(session, case).destination_enc)
        check_disclosure(viewer_agency="social_services", viewer_municipality=viewer_municipality,
                         placing=case.placing_municipality, receiving=receiving)
        if viewer_municipality != receiving:
            raise DisclosureDenied("viewer: only the receiving social services answer the offer")
        offer = session.exec(select(TransferOffer).where(
            TransferOffer.case_id == case.id).with_for_update()).first()
        if offer is None:
            raise TransferError(f"case: no transfer of responsibility offered for "
                                f"{case.case_number} yet")
        if offer.answered_at is not None:
            if (offer.accepted, offer.cost_payer, offer.cost_from) == (accept, cost_payer,
                                                                        cost_from):
                return case
            raise TransferError(f"transfer: {case.case_number} was answered already "
                                f"({'accepted' if offer.accepted else 'declined'} by "
                                f"{offer.answered_by})")
        offer.accepted, offer.cost_payer, offer.cost_from = accept, cost_payer, cost_from
        offer.answered_by, offer.answered_at = by, at
        session.add(offer)
        verdict = "accepted" if accept else "declined"
        journal.journal(session, case, kind=Kind.TRANSFER_ANSWERED, actor=by, at=at,
                        reason=f"transfer of responsibility {verdict} by the receiving "
                               f"municipality; costs paid by the {cost_payer} municipality "
                               f"from {cost_from}",
                        data={"accepted": accept, "cost_payer": cost_payer,
                              "cost_from": cost_from.isoformat()})
        waits.close_wait(session, case, Wait.of(WaitKind.TRANSFER), by=by, at=at,
                         answer={"accepted": accept})
    return case
