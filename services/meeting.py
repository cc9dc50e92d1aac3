"""The collaboration meeting (samverkansmöte): needs, routing, invitations and
sign-offs, and the meeting's one decision.

Routing uses the rules version the case is pinned to (`case.routing_version`, set at
intake; pinned here for older cases) and journals which version decided. Invitations go
through the one agency step (`services.agency`): consent checked at every send, the
disclosure journaled, the idempotency key unique.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from adapters.common import SubmittedRequest
from adapters.invitations.schemas import InvitationRequest, InvitationResult
from adapters.logs import get_logger
from adapters.registry import AgencyPorts
from adapters.repositories import cases, journal, waits
from models.during_tables import MeetingInvitation, NeedsAssessment
from models.enums import CustodyStatus, Need, NetworkRole, WaitKind
from models.journal import Kind
from models.progress import MEETING_INVITATION
from models.routing import CURRENT_VERSION, Facts, is_child, route
from models.tables import Case, Person
from models.waits import AgencySubject, Wait
from services.agency import Personal, Recorded
from services.before_steps import wire_subject
from services.clear_text import birth_date_of
from services.runtime import Runtime

SYSTEM = "utvag"


class MeetingRouted(ValueError):
    """The needs can no longer change: the meeting was called on the recorded ones."""


def record_needs(rt: Runtime, case_ref: str | uuid.UUID, *, needs: list[Need],
                 network: list[NetworkRole], by: str) -> Case:
    """The coordinator's needs assessment; replaces an earlier one until the meeting has
    been routed (then `MeetingRouted`, nothing written), and is journaled."""
    at = rt.now()
    with rt.uow() as session:
        case = cases.lock_case_ref(session, case_ref)
        if _invitations(session, case.id):
            raise MeetingRouted(f"needs: the collaboration meeting of {case.case_number} was "
                                "already called on the needs recorded then")
        need_values = sorted({n.value for n in needs})
        network_values = sorted(r.value for r in network)
        values = {"needs": need_values, "network": network_values, "recorded_by": by,
                  "recorded_at": at}
        session.execute(insert(NeedsAssessment).values(case_id=case.id, **values)
                        .on_conflict_do_update(index_elements=["case_id"], set_=values))
        journal.journal(session, case, kind=Kind.NEEDS_ASSESSED, actor=by, at=at,
                        reason="needs assessed: " + (", ".join(need_values) or "none"),
                        data={"needs": need_values, "network": network_values})
        waits.close_wait(session, case, Wait.of(WaitKind.NEEDS_ASSESSMENT), by=by, at=at,
                         answer={"needs": need_values})
    return case


def route_meeting(rt: Runtime, case_id: uuid.UUID) -> None:
    """Decide (once) who is called to the meeting, under the case's rules version."""
    at = rt.now()
    with rt.uow() as session:
        case = cases.lock_case(session, case_id)
        needs = session.exec(select(NeedsAssessment).where(
            NeedsAssessment.case_id == case_id)).first()
        if needs is None or _invitations(session, case_id):
            return
        if case.routing_version is None:
            case.routing_version = CURRENT_VERSION
            session.add(case)
        person = session.get_one(Person, case.person_id)
        facts = Facts(needs=frozenset(Need(n) for n in needs.needs),
                      custody_status=CustodyStatus(case.custody_status),
                      is_child=is_child(birth_date_of(person, rt.cipher), today=at.date()),
                      network=tuple(NetworkRole(r) for r in needs.network))
        invitations = route(facts, version=case.routing_version)
        for inv in invitations:
            session.add(MeetingInvitation(case_id=case_id, invitee=inv.invitee,
                                          units=list(inv.units), external=inv.external,
                                          routing_version=case.routing_version))
        journal.journal(
            session, case, kind=Kind.ROUTED, actor=SYSTEM, at=at,
            reason=f"collaboration meeting routed by rules {case.routing_version}: "
                   + ", ".join(i.invitee for i in invitations),
            data={"routing_version": case.routing_version,
                  "invitees": {i.invitee: {"units": list(i.units), "reasons": list(i.reasons)}
                               for i in invitations}})
    get_logger(case_number=case.case_number).info("meeting.routed", invitees=len(invitations))


def _invitations(session: Session, case_id: uuid.UUID) -> list[MeetingInvitation]:
    return list(session.exec(select(MeetingInvitation).where(
        MeetingInvitation.case_id == case_id).order_by(col(MeetingInvitation.id))))


def decide_meeting(rt: Runtime, case_id: uuid.UUID) -> bool:
    """The meeting's one decision, once every external invitee has signed off.
    False while a sign-off is missing."""
    at = rt.now()
    with rt.uow() as session:
        case = cases.lock_case(session, case_id)
        if journal.has_entry(session, case_id, Kind.MEETING_DECIDED):
            return True
        rows = _invitations(session, case_id)
        if not rows or any(r.external and r.signed_off_at is None for r in rows):
            return False
        sign_offs = {r.invitee: {"by": r.signed_off_by, "at": _iso(r.signed_off_at)}
                     for r in rows if r.external}
        journal.journal(session, case, kind=Kind.MEETING_DECIDED, actor=SYSTEM, at=at,
                        reason="collaboration meeting decided; signed off by "
                               + (", ".join(sign_offs) or "no external agency"),
                        data={"routing_version": case.routing_version,
                              "participants": [r.invitee for r in rows],
                              "sign_offs": sign_offs})
    get_logger(case_number=case.case_number).info("meeting.decided")
    return True


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


@dataclass(frozen=True)
class InvitationStep:
    """An invited agency's invitation to the meeting, and its sign-off."""

    agency: str

    @property
    def subject(self) -> AgencySubject:
        return AgencySubject(self.agency, MEETING_INVITATION)

    def body(self, session: Session, case: Case, person: Personal, *, key: str,
             at: datetime) -> InvitationRequest:
        row = session.exec(select(MeetingInvitation).where(
            MeetingInvitation.case_id == case.id,
            MeetingInvitation.invitee == self.agency)).one()
        return InvitationRequest(case_number=case.case_number, subject=wire_subject(person),
                                 placing_municipality=case.placing_municipality,
                                 units=list(row.units), routing_version=row.routing_version)

    def submit(self, ports: AgencyPorts, *, key: str, body: InvitationRequest) -> SubmittedRequest:
        return ports.invitation(self.agency).invite(idempotency_key=key, request=body)

    def poll(self, ports: AgencyPorts, *, external_id: str) -> InvitationResult | None:
        result = ports.invitation(self.agency).get_invitation(request_id=external_id)
        return result if result.status == "signed_off" else None

    def record(self, session: Session, case: Case, answer: InvitationResult, *,
               at: datetime) -> Recorded:
        row = session.exec(select(MeetingInvitation).where(
            MeetingInvitation.case_id == case.id, MeetingInvitation.invitee == self.agency)
            .with_for_update()).one()
        row.signed_off_by, row.signed_off_at = answer.signed_off_by, answer.signed_off_at
        session.add(row)
        return Recorded(f"{self.agency} signed off the collaboration meeting",
                        {"signed_off_by": answer.signed_off_by})
