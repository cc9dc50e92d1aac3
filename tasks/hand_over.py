"""Hand-over after the move: Frivården and Arbetsförmedlingen requests (through the
agency's invitation API, `purpose`), the transfer of responsibility to the receiving
municipality (accepted or declined by it, with who pays from when), and the case's move
into the after phase. One side effect per task.
"""

from __future__ import annotations

import uuid
from datetime import date

from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, select

from adapters import repo
from adapters.db import unit_of_work
from adapters.invitations.port import InvitationPort
from adapters.vault import get_cipher
from models.during_tables import NeedsAssessment, Relocation, TransferOffer
from models.enums import CaseStatus, CustodyStatus, Need, Phase, WaitKind
from models.journal import Kind
from models.relocation import DisclosureDenied, check_disclosure
from models.routing import Facts, HandOver, hand_overs
from models.tables import Case
from tasks.agency import AGENCY_TASK_OPTIONS, Disclosure, SendOutcome, mark_answered, send_request
from tasks.agency import sent_request as _sent
from tasks.cases import SYSTEM, now
from tasks.waits import close_wait_in

TRANSFER_SUBJECT = "transfer_of_responsibility"


def _kind(purpose: str) -> str:
    return f"hand_over_{purpose}"


@task(name="planned-hand-overs", cache_policy=NO_CACHE, persist_result=False)
def planned_hand_overs(case_id: uuid.UUID) -> tuple[list[HandOver], bool]:
    """(hand-overs due, relocated) from the case's facts."""
    with unit_of_work() as session:
        case = repo.get_case(session, case_id)
        needs = session.exec(select(NeedsAssessment.needs).where(
            NeedsAssessment.case_id == case_id)).first() or []
        relocated = session.exec(select(Relocation.id).where(
            Relocation.case_id == case_id)).first() is not None
    facts = Facts(needs=frozenset(Need(n) for n in needs),
                  custody_status=CustodyStatus(case.custody_status), is_child=False)
    return hand_overs(facts, relocated=relocated), relocated


@task(name="request-hand-over", **AGENCY_TASK_OPTIONS)
def request_hand_over(case_id: uuid.UUID, *, purpose: str, routing_version: str,
                      port: InvitationPort) -> SendOutcome:
    def submit(d: Disclosure) -> object:
        return port.invite(idempotency_key=d.key, case_number=d.case_number, subject=d.subject,
                           placing_municipality=d.municipality, units=[],
                           routing_version=routing_version, purpose=purpose)

    return send_request(case_id, agency=port.agency, kind=_kind(purpose),
                        submit=submit)  # type: ignore[arg-type]


@task(name="collect-hand-over", **AGENCY_TASK_OPTIONS)
def collect_hand_over(case_id: uuid.UUID, *, purpose: str, port: InvitationPort) -> bool:
    request = _sent(case_id, agency=port.agency, kind=_kind(purpose))
    if request is None or request.external_id is None:
        return False
    if request.status == "answered":
        return True
    if port.get_invitation(request_id=request.external_id).status != "signed_off":
        return False
    with unit_of_work() as session:
        case = repo.get_case(session, case_id, lock=True)
        mark_answered(session, case, agency=port.agency, kind=_kind(purpose),
                      reason=f"{port.agency} accepted the hand-over ({purpose})")
    return True


@task(name="transfer-status", cache_policy=NO_CACHE, persist_result=False)
def transfer_status(case_id: uuid.UUID) -> str:
    """'none', 'offered' or 'answered'; offers the transfer when a relocated case has none."""
    at = now()
    with unit_of_work() as session:
        case = repo.get_case(session, case_id, lock=True)
        offer = session.exec(select(TransferOffer).where(
            TransferOffer.case_id == case_id)).first()
        if offer is not None:
            return "answered" if offer.answered_at else "offered"
        session.execute(insert(TransferOffer).values(case_id=case_id, offered_by=SYSTEM,
                                                     offered_at=at)
                        .on_conflict_do_nothing(index_elements=["case_id"]))
        repo.journal(session, case, kind=Kind.TRANSFER_OFFERED, actor=SYSTEM, at=at,
                     reason="transfer of responsibility offered to the receiving municipality")
    return "offered"


def answer_transfer(case_ref: str | uuid.UUID, *, accept: bool, cost_payer: str,
                    cost_from: date, viewer_municipality: str, by: str) -> Case:
    """The receiving social services accept or decline; only they may answer."""
    if cost_payer not in ("placing", "receiving"):
        raise ValueError("cost_payer: placing or receiving")
    at = now()
    with unit_of_work() as session:
        case = _case(session, case_ref)
        move = session.exec(select(Relocation).where(Relocation.case_id == case.id)).one()
        receiving = get_cipher().decrypt(move.destination_enc)
        check_disclosure(viewer_agency="social_services", viewer_municipality=viewer_municipality,
                         placing=case.placing_municipality, receiving=receiving)
        if viewer_municipality != receiving:
            raise DisclosureDenied("viewer: only the receiving social services answer the offer")
        offer = session.exec(select(TransferOffer).where(
            TransferOffer.case_id == case.id)).one()
        offer.accepted, offer.cost_payer, offer.cost_from = accept, cost_payer, cost_from
        offer.answered_by, offer.answered_at = by, at
        session.add(offer)
        verdict = "accepted" if accept else "declined"
        repo.journal(session, case, kind=Kind.TRANSFER_ANSWERED, actor=by, at=at,
                     reason=f"transfer of responsibility {verdict} by the receiving "
                            f"municipality; costs paid by the {cost_payer} municipality "
                            f"from {cost_from}",
                     data={"accepted": accept, "cost_payer": cost_payer,
                           "cost_from": cost_from.isoformat()})
        close_wait_in(session, case, kind=WaitKind.TRANSFER, subject=TRANSFER_SUBJECT, by=by,
                      at=at, answer={"accepted": accept})
    return case


@task(name="establish-case", cache_policy=NO_CACHE, persist_result=False)
def establish(case_id: uuid.UUID) -> None:
    """The during phase is done: the case moves to the after phase (follow-up)."""
    with unit_of_work() as session:
        case = repo.get_case(session, case_id, lock=True)
        if case.phase != Phase.DURING or case.status == CaseStatus.CLOSED:
            return
        repo.transition(session, case, kind=Kind.ESTABLISHED, actor=SYSTEM, at=now(),
                        phase=Phase.AFTER, status=CaseStatus.OPEN,
                        reason="hand-overs done: follow-up (after phase)")


def _case(session: Session, case_ref: str | uuid.UUID) -> Case:
    case = repo.find_case(session, str(case_ref))
    return repo.get_case(session, case.id, lock=True)
