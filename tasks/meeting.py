"""The collaboration meeting (samverkansmöte): needs, routing, invitations, sign-offs,
and the meeting's one decision. One side effect per task.

Routing uses the rules version the case is pinned to (`case.routing_version`, set at
intake; pinned here for older cases) and journals which version decided. Invitations to
external agencies go through `tasks.agency.send_request`: consent for that agency is
checked at every send, the disclosure journaled, the idempotency key unique.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from adapters import repo
from adapters.db import unit_of_work
from adapters.invitations.port import InvitationPort
from adapters.logs import get_logger
from models.during_tables import MeetingInvitation, NeedsAssessment
from models.enums import CustodyStatus, Need, NetworkRole, WaitKind
from models.journal import Kind
from models.routing import CURRENT_VERSION, Facts, is_child, route
from models.tables import Case, JournalEntry, Person
from tasks.agency import AGENCY_TASK_OPTIONS, Disclosure, SendOutcome, mark_answered, send_request
from tasks.agency import sent_request as _sent
from tasks.cases import SYSTEM, now
from tasks.waits import close_wait_in

KIND = "meeting_invitation"
NEEDS_SUBJECT = "needs"


class InviteeView(BaseModel):
    invitee: str
    units: list[str]
    external: bool
    signed_off: bool


class MeetingView(BaseModel):
    """What the during-phase flow branches on: codes and roles only."""

    needs_recorded: bool
    routing_version: str | None
    invitees: list[InviteeView]
    decided: bool


def record_needs(case_ref: str | uuid.UUID, *, needs: list[Need], network: list[NetworkRole],
                 by: str) -> Case:
    """The coordinator's needs assessment (CLI or UI form); replaces an earlier one
    until the meeting has been routed, and is journaled."""
    at = now()
    with unit_of_work() as session:
        case = repo.find_case(session, str(case_ref))
        case = repo.get_case(session, case.id, lock=True)
        need_values = sorted({n.value for n in needs})
        network_values = sorted(r.value for r in network)
        values = {"needs": need_values, "network": network_values, "recorded_by": by,
                  "recorded_at": at}
        session.execute(insert(NeedsAssessment).values(case_id=case.id, **values)
                        .on_conflict_do_update(index_elements=["case_id"], set_=values))
        repo.journal(session, case, kind=Kind.NEEDS_ASSESSED, actor=by, at=at,
                     reason="needs assessed: " + (", ".join(need_values) or "none"),
                     data={"needs": need_values, "network": network_values})
        close_wait_in(session, case, kind=WaitKind.NEEDS_ASSESSMENT, subject=NEEDS_SUBJECT,
                      by=by, at=at, answer={"needs": need_values})
    return case


def _decided(session: Session, case_id: uuid.UUID) -> bool:
    return session.exec(select(JournalEntry.id).where(
        JournalEntry.case_id == case_id, JournalEntry.kind == Kind.MEETING_DECIDED)).first() \
        is not None


def _view(session: Session, case: Case, *, needs_recorded: bool) -> MeetingView:
    rows = session.exec(select(MeetingInvitation).where(MeetingInvitation.case_id == case.id)
                        .order_by(col(MeetingInvitation.id))).all()
    return MeetingView(
        needs_recorded=needs_recorded, routing_version=case.routing_version,
        invitees=[InviteeView(invitee=r.invitee, units=r.units, external=r.external,
                              signed_off=r.signed_off_at is not None) for r in rows],
        decided=_decided(session, case.id))


@task(name="route-meeting", cache_policy=NO_CACHE, persist_result=False)
def route_meeting(case_id: uuid.UUID) -> MeetingView:
    """Decide (once) who is called to the meeting, under the case's rules version."""
    at = now()
    with unit_of_work() as session:
        case = repo.get_case(session, case_id, lock=True)
        needs = session.exec(select(NeedsAssessment).where(
            NeedsAssessment.case_id == case_id)).first()
        if needs is None:
            return _view(session, case, needs_recorded=False)
        existing = _view(session, case, needs_recorded=True)
        if existing.invitees:
            return existing
        if case.routing_version is None:
            case.routing_version = CURRENT_VERSION
            session.add(case)
        person = session.exec(select(Person).where(Person.id == case.person_id)).one()
        facts = Facts(needs=frozenset(Need(n) for n in needs.needs),
                      custody_status=CustodyStatus(case.custody_status),
                      is_child=is_child(person.birth_date, today=at.date()),
                      network=tuple(NetworkRole(r) for r in needs.network))
        invitations = route(facts, version=case.routing_version)
        for inv in invitations:
            session.add(MeetingInvitation(case_id=case_id, invitee=inv.invitee,
                                          units=list(inv.units), external=inv.external,
                                          routing_version=case.routing_version))
        repo.journal(
            session, case, kind=Kind.ROUTED, actor=SYSTEM, at=at,
            reason=f"collaboration meeting routed by rules {case.routing_version}: "
                   + ", ".join(i.invitee for i in invitations),
            data={"routing_version": case.routing_version,
                  "invitees": {i.invitee: {"units": list(i.units), "reasons": list(i.reasons)}
                               for i in invitations}})
        session.flush()
        view = _view(session, case, needs_recorded=True)
    get_logger(case_number=case.case_number).info(
        "meeting.routed", routing_version=view.routing_version, invitees=len(view.invitees))
    return view


@task(name="invite-to-meeting", **AGENCY_TASK_OPTIONS)
def invite_to_meeting(case_id: uuid.UUID, *, units: list[str], routing_version: str,
                      port: InvitationPort) -> SendOutcome:
    def submit(d: Disclosure) -> object:
        return port.invite(idempotency_key=d.key, case_number=d.case_number, subject=d.subject,
                           placing_municipality=d.municipality, units=units,
                           routing_version=routing_version)

    return send_request(case_id, agency=port.agency, kind=KIND,
                        submit=submit)  # type: ignore[arg-type]


@task(name="collect-sign-off", **AGENCY_TASK_OPTIONS)
def collect_sign_off(case_id: uuid.UUID, port: InvitationPort) -> bool:
    """True once the agency has signed off; False while it has not (or was not invited)."""
    request = _sent(case_id, agency=port.agency, kind=KIND)
    if request is None or request.external_id is None:
        return False
    if request.status == "answered":
        return True
    result = port.get_invitation(request_id=request.external_id)
    if result.status != "signed_off":
        return False
    with unit_of_work() as session:
        case = repo.get_case(session, case_id, lock=True)
        row = session.exec(select(MeetingInvitation).where(
            MeetingInvitation.case_id == case_id,
            MeetingInvitation.invitee == port.agency)).one()
        row.signed_off_by, row.signed_off_at = result.signed_off_by, result.signed_off_at
        session.add(row)
        mark_answered(session, case, agency=port.agency, kind=KIND,
                      reason=f"{port.agency} signed off the collaboration meeting",
                      data={"signed_off_by": result.signed_off_by})
    get_logger(case_number=case.case_number).info("meeting.signed_off", agency=port.agency)
    return True


@task(name="decide-meeting", cache_policy=NO_CACHE, persist_result=False)
def decide_meeting(case_id: uuid.UUID) -> bool:
    """The meeting's one decision, once every external invitee has signed off.
    False while a sign-off is missing."""
    at = now()
    with unit_of_work() as session:
        case = repo.get_case(session, case_id, lock=True)
        if _decided(session, case_id):
            return True
        rows = session.exec(select(MeetingInvitation).where(
            MeetingInvitation.case_id == case_id)).all()
        if not rows or any(r.external and r.signed_off_at is None for r in rows):
            return False
        sign_offs = {r.invitee: {"by": r.signed_off_by, "at": _iso(r.signed_off_at)}
                     for r in rows if r.external}
        repo.journal(session, case, kind=Kind.MEETING_DECIDED, actor=SYSTEM, at=at,
                     reason="collaboration meeting decided; signed off by "
                            + (", ".join(sign_offs) or "no external agency"),
                     data={"routing_version": case.routing_version,
                           "participants": [r.invitee for r in rows], "sign_offs": sign_offs})
    get_logger(case_number=case.case_number).info("meeting.decided")
    return True


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None
