"""The transfer of responsibility to the municipality the person moved to.

After a lasting move the case stays with the placing municipality until the person is
established there (more lasting housing and an occupation, recorded by social
services) and still needs support: then the transfer is offered (seed 004). A
coordinator of the responsible municipality may also offer it earlier, with a reason.
The receiving social services answer: accepted, responsibility moves on the agreed date
(`services.responsibility`: the residence municipality changes, its history kept; the
costs move to the agreed payer from the agreed date); declined, the case stays with the
placing municipality and waits for a new offer.

The receiving municipality is a destination: it is stored encrypted and never journaled.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from adapters.org_tag import org_tag
from adapters.repositories import cases, journal, waits
from models.during_tables import TransferOffer
from models.enums import CaseStatus, WaitKind
from models.journal import Kind
from models.lifecycle_tables import Establishment
from models.relocation import DisclosureDenied, check_disclosure
from models.tables import Case
from models.waits import Wait
from services import responsibility
from services.relocation import NoRelocation, relocation_of
from services.runtime import Runtime

SYSTEM = "utvag"
PAYERS = ("placing", "receiving")


class TransferError(ValueError):
    """A transfer step that may not be taken; the message names the field and why."""


def record_establishment(rt: Runtime, case_ref: str | uuid.UUID, *, stable_housing: bool,
                         occupation: bool, support_needed: bool, by: str) -> bool:
    """Social services record how the person is established in the new town; whether
    that makes them established (housing and occupation) with a need of support left,
    which is what a transfer is offered on."""
    at = rt.now()
    with rt.uow() as session:
        case = cases.lock_case_ref(session, case_ref)
        relocation_of(session, case)
        session.add(Establishment(case_id=case.id, stable_housing=stable_housing,
                                  occupation=occupation, support_needed=support_needed,
                                  recorded_by=by, recorded_at=at))
        established = stable_housing and occupation
        journal.journal(session, case, kind=Kind.ESTABLISHMENT, actor=by, at=at,
                        reason="established in the new town" if established
                        else "not yet established in the new town",
                        data={"stable_housing": stable_housing, "occupation": occupation,
                              "support_needed": support_needed})
        waits.close_wait(session, case, Wait.of(WaitKind.ESTABLISHMENT), by=by, at=at,
                         answer={"established": established})
    return established and support_needed


def _open_offer(session: Session, rt: Runtime, case: Case, *, basis: str, reason: str | None,
                by: str, at: datetime) -> bool:
    """Offer the transfer to the latest relocation's destination unless an offer is open
    already; True when offered. Closes what the case waited for instead."""
    destination = rt.cipher.decrypt(relocation_of(session, case).destination_enc)
    if destination == responsibility.responsible(session, rt.cipher, case, on=at.date()):
        raise TransferError(f"case: {case.case_number} is already the responsibility of the "
                            "municipality the person lives in")
    # The receiving municipality as the row-level security policies recognise it: a
    # keyed tag (never the code in clear, not even to the server).
    tag = org_tag(session, f"municipality:{destination}")
    inserted = session.execute(
        insert(TransferOffer).values(case_id=case.id, offered_by=by, offered_at=at,
                                     basis=basis, reason=reason, receiving_tag=tag,
                                     receiving_enc=rt.cipher.encrypt(destination))
        .on_conflict_do_nothing(index_elements=["case_id"],
                                index_where=col(TransferOffer.answered_at).is_(None))
        .returning(col(TransferOffer.id))).first()
    if inserted is None:
        return False
    journal.journal(session, case, kind=Kind.TRANSFER_OFFERED, actor=by, at=at,
                    reason="transfer of responsibility offered to the receiving municipality"
                           + (" (the person is established)" if basis == "established"
                              else f" by decision: {reason}"),
                    data={"basis": basis})
    for wait in (Wait.of(WaitKind.ESTABLISHMENT), Wait.of(WaitKind.TRANSFER_OFFER)):
        waits.close_wait(session, case, wait, by=by, at=at, answer={"offered": True})
    wait = Wait.of(WaitKind.TRANSFER)
    waits.open_wait(session, case, wait, at=at, deadline=rt.deadline(wait.kind, at=at))
    return True


def offer_transfer(rt: Runtime, case_id: uuid.UUID) -> None:
    """The case's run offers the transfer: the person is established (once per offer)."""
    at = rt.now()
    with rt.uow() as session:
        case = cases.lock_case(session, case_id)
        _open_offer(session, rt, case, basis="established", reason=None, by=SYSTEM, at=at)


def decide_offer(rt: Runtime, case_ref: str | uuid.UUID, *, reason: str, by: str) -> bool:
    """A coordinator of the responsible municipality offers the transfer with a reason
    (before establishment, or again after a decline); False when one is open already."""
    reason = reason.strip()
    if not 3 <= len(reason) <= 500:
        raise TransferError("reason: 3-500 characters")
    at = rt.now()
    with rt.uow() as session:
        case = cases.lock_case_ref(session, case_ref)
        if case.status == CaseStatus.CLOSED:
            raise TransferError(f"case: {case.case_number} is closed")
        try:
            return _open_offer(session, rt, case, basis="coordinator", reason=reason, by=by,
                               at=at)
        except NoRelocation:
            raise TransferError(f"case: {case.case_number} has no relocation: there is no "
                                "municipality to transfer to") from None


def latest_offer(session: Session, case: Case, *, lock: bool = False) -> TransferOffer | None:
    query = select(TransferOffer).where(TransferOffer.case_id == case.id).order_by(
        col(TransferOffer.id).desc())
    return session.exec(query.with_for_update() if lock else query).first()


def answer_transfer(rt: Runtime, case_ref: str | uuid.UUID, *, accept: bool, cost_payer: str,
                    cost_from: date, viewer_municipality: str, by: str,
                    responsible_from: date | None = None) -> Case:
    """The receiving social services accept or decline the latest offer; only they may
    answer it, once (the same answer again changes nothing). Accepted: responsibility
    moves from `responsible_from` (the agreed date; the cost date unless given).
    `DisclosureDenied` for anyone else, `TransferError` without an offer or against an
    earlier answer; nothing written."""
    if cost_payer not in PAYERS:
        raise ValueError("cost_payer: placing or receiving")
    agreed = responsible_from or cost_from
    at = rt.now()
    with rt.uow() as session:
        case = cases.lock_case_ref(session, case_ref)
        offer = latest_offer(session, case, lock=True)
        if offer is None:
            raise TransferError(f"case: no transfer of responsibility offered for "
                                f"{case.case_number} yet")
        receiving = rt.cipher.decrypt(offer.receiving_enc) if offer.receiving_enc \
            else rt.cipher.decrypt(relocation_of(session, case).destination_enc)
        placing = responsibility.responsible(session, rt.cipher, case, on=at.date())
        check_disclosure(viewer_agency="social_services", viewer_municipality=viewer_municipality,
                         placing=placing, receiving=receiving)
        if viewer_municipality != receiving:
            raise DisclosureDenied("viewer: only the receiving social services answer the offer")
        if offer.answered_at is not None:
            if (offer.accepted, offer.cost_payer, offer.cost_from,
                    offer.responsible_from or offer.cost_from) == (accept, cost_payer,
                                                                   cost_from, agreed):
                return case
            raise TransferError(f"transfer: {case.case_number} was answered already "
                                f"({'accepted' if offer.accepted else 'declined'} by "
                                f"{offer.answered_by})")
        offer.accepted, offer.cost_payer, offer.cost_from = accept, cost_payer, cost_from
        offer.responsible_from = agreed if accept else None
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
        # Declined: the case's run, woken by this answer, opens the wait for a new offer
        # (the receiving municipality answering here may write nothing more to the case).
        if accept:
            responsibility.move(session, rt.cipher, case, receiving, responsible_from=agreed,
                                cost_payer=cost_payer, cost_from=cost_from, by=by, at=at)
            journal.journal(session, case, kind=Kind.RESPONSIBILITY, actor=by, at=at,
                            reason=f"responsibility for the case moves to the receiving "
                                   f"municipality from {agreed} (residence municipality); "
                                   f"costs: the {cost_payer} municipality from {cost_from}",
                            data={"role": "residence", "from": agreed.isoformat(),
                                  "cost_payer": cost_payer,
                                  "cost_from": cost_from.isoformat()})
    return case
