"""The case as its flow sees it (`models.progress.CaseSnapshot`), read in one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlmodel import Session, col, select

from adapters.repositories import answers, cases, journal, requests, waits
from models.action_plan import InterventionKind
from models.crypto import Cipher
from models.during_tables import (
    BelongingsMove,
    CoordinatorStatement,
    GrantDecisionRow,
    Intervention,
    MeetingInvitation,
    NeedsAssessment,
    Relocation,
    TransferOffer,
)
from models.enums import Criterion, CustodyStatus, Need, Phase
from models.journal import Kind
from models.lifecycle_tables import Establishment as EstablishmentRow
from models.plan_tables import PlanVersion
from models.progress import (
    Belongings,
    CaseSnapshot,
    Establishment,
    Invitee,
    Transfer,
    hand_over,
)
from models.progress import Relocation as RelocationState
from models.routing import Facts, hand_overs
from models.tables import CaseWait, ThreatAssessment
from models.waits import AgencySubject, Wait
from services import responsibility
from services.operator_view import WaitLine, party
from services.runtime import Runtime


def load(rt: Runtime, case_id: uuid.UUID) -> CaseSnapshot:
    with rt.uow() as session:
        return read(session, case_id, cipher=rt.cipher, on=rt.now().date())


def read(session: Session, case_id: uuid.UUID, *, cipher: Cipher,
         on: date) -> CaseSnapshot:
    case = cases.get_case(session, case_id)
    threat = session.exec(select(ThreatAssessment).where(
        ThreatAssessment.case_id == case_id)).first()
    open_rows = waits.open_waits(session, case_id)
    # A wait cancelled by a closure was not answered.
    answered = session.exec(select(CaseWait.kind).where(
        CaseWait.case_id == case_id, col(CaseWait.answered_at).is_not(None),
        sa.or_(col(CaseWait.answer).is_(None),
               sa.not_(sa.type_coerce(col(CaseWait.answer), pg.JSONB)
                       .has_key("cancelled")))).distinct()).all()
    base = CaseSnapshot(
        case_id=case.id, case_number=case.case_number, phase=case.phase, status=case.status,
        journal_count=journal.count(session, case_id),
        answers={Criterion(k): v for k, v in answers.for_case(session, case_id).items()},
        requests={AgencySubject(r.agency, r.kind): r.status
                  for r in requests.for_case(session, case_id)},
        waits=tuple(Wait(w.kind, w.subject) for w in open_rows),  # type: ignore[arg-type]
        answered=frozenset(answered),  # type: ignore[arg-type]
        threat_assessment_in=threat is not None,
        relocation_required=bool(threat and threat.relocation_required),
    )
    if case.phase == Phase.BEFORE:
        return base
    during = _during(session, base, custody=CustodyStatus(case.custody_status))
    latest = session.exec(select(Relocation.destination_enc).where(
        Relocation.case_id == case_id).order_by(col(Relocation.sequence).desc())).first()
    if latest is None:
        return during
    at_home = cipher.decrypt(latest) == responsibility.responsible(session, cipher, case, on=on)
    return CaseSnapshot(**{**during.__dict__, "lives_where_responsible": at_home})


def _during(session: Session, base: CaseSnapshot, *, custody: CustodyStatus) -> CaseSnapshot:
    case_id = base.case_id
    needs = session.exec(select(NeedsAssessment.needs).where(
        NeedsAssessment.case_id == case_id)).first()
    invitations = session.exec(select(MeetingInvitation).where(
        MeetingInvitation.case_id == case_id).order_by(col(MeetingInvitation.id))).all()
    relocation = session.exec(select(Relocation).where(Relocation.case_id == case_id)
                              .order_by(col(Relocation.sequence).desc())).first()
    moved = relocation is not None
    number = relocation.sequence if relocation is not None else 0
    since = relocation.decided_at if relocation is not None else None
    facts = Facts(needs=frozenset(Need(n) for n in needs or []), custody_status=custody,
                  is_child=False)
    return CaseSnapshot(
        **{**base.__dict__,
           "needs_recorded": needs is not None,
           "routed": bool(invitations),
           "invitees": tuple(Invitee(r.invitee, r.external) for r in invitations),
           "meeting_decided": journal.has_entry(session, case_id, Kind.MEETING_DECIDED),
           "plan_approved": _plan_approved(session, case_id),
           "statement_recorded": _exists(session, CoordinatorStatement, case_id),
           "grant_decided": _exists(session, GrantDecisionRow, case_id),
           "relocation": _relocation(base, relocation),
           "relocation_number": number,
           "emergency_only": relocation is not None and relocation.kind == "emergency",
           "belongings": _belongings(session, case_id),
           "hand_overs": tuple(hand_over(a, p, max(number, 1))
                               for a, p in hand_overs(facts, relocated=moved)),
           "transfer": _transfer(session, case_id, since),
           "establishment": _establishment(session, case_id, since)})


def _plan_approved(session: Session, case_id: uuid.UUID) -> bool:
    """The plan's latest version is approved: none is a plan never approved, a draft a
    revision (`services.plan_versions`) still to be approved like the first."""
    status = session.exec(select(PlanVersion.status).where(PlanVersion.case_id == case_id)
                          .order_by(col(PlanVersion.version).desc())).first()
    return status == "approved"


def _exists(session: Session, model: type[CoordinatorStatement] | type[GrantDecisionRow],
            case_id: uuid.UUID) -> bool:
    return session.exec(select(model.id).where(model.case_id == case_id)).first() is not None


def _relocation(base: CaseSnapshot, row: Relocation | None) -> RelocationState:
    if row is None:
        return RelocationState.UNDECIDED if base.relocation_required \
            else RelocationState.NOT_REQUIRED
    if row.fast_path and row.approved_at is None:
        return RelocationState.AWAITING_APPROVAL
    return RelocationState.RELOCATED


def _belongings(session: Session, case_id: uuid.UUID) -> Belongings:
    status = session.exec(select(BelongingsMove.status).where(
        BelongingsMove.case_id == case_id)).first()
    if status is not None:
        return Belongings(status)
    planned = session.exec(select(Intervention.id).where(
        Intervention.case_id == case_id,
        Intervention.kind == InterventionKind.MOVING_BELONGINGS.value)).first()
    return Belongings.PLANNED if planned is not None else Belongings.NOT_PLANNED


def _transfer(session: Session, case_id: uuid.UUID, since: datetime | None) -> Transfer:
    """The latest offer made since the latest move (a later move starts anew)."""
    offer = session.exec(select(TransferOffer).where(TransferOffer.case_id == case_id)
                         .order_by(col(TransferOffer.id).desc())).first()
    if offer is None or (since is not None and offer.offered_at < since):
        return Transfer.NONE
    if offer.answered_at is None:
        return Transfer.OFFERED
    return Transfer.ACCEPTED if offer.accepted else Transfer.DECLINED


def _establishment(session: Session, case_id: uuid.UUID,
                   since: datetime | None) -> Establishment:
    row = session.exec(select(EstablishmentRow).where(EstablishmentRow.case_id == case_id)
                       .order_by(col(EstablishmentRow.id).desc())).first()
    if row is None or (since is not None and row.recorded_at < since):
        return Establishment.NOT_RECORDED
    if not (row.stable_housing and row.occupation):
        return Establishment.NOT_YET
    return Establishment.ESTABLISHED if row.support_needed else Establishment.NO_SUPPORT_NEEDED


@dataclass(frozen=True)
class OperatorLines:
    case_number: str
    phase: str
    status: str
    journal_count: int
    waits: list[WaitLine]


def operator_lines(rt: Runtime, case_id: uuid.UUID) -> OperatorLines:
    """The case as an operator may see it (`services.operator_view`)."""
    with rt.uow() as session:
        case = cases.get_case(session, case_id)
        rows = waits.open_waits(session, case_id)
        return OperatorLines(case.case_number, case.phase, case.status,
                             journal.count(session, case_id),
                             [WaitLine(party(w.kind), w.opened_at, w.deadline) for w in rows])
