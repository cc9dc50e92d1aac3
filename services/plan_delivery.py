"""The collaboration meeting as an event, and the agreed plan shared with the agencies.

`record_meeting`: the date, the organisations that took part (by role, never a name),
and whether the defector took part and agreed to the plan. Interventions under the
Social Services Act are voluntary: a plan whose latest meeting says the defector did not
take part or did not agree is not approved (`check_agreed`, called by the approval).

`send_plans`: every approved plan version goes to each participating agency of the
latest meeting that has a recorded consent, through the one agency step
(`services.agency`: consent checked again, the disclosure journaled, one request per
case, agency and version by its idempotency key). Each agency acknowledges it: an
agency-answer wait, collected like every other agency answer (`collect-agency-answers`).
Re-entrant: a pass finds what is still unsent and sends only that.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from adapters.common import SubmittedRequest
from adapters.errors import AgencyError
from adapters.invitations.schemas import (
    InvitationRequest,
    InvitationResult,
    PlannedItem,
    PlanSummary,
)
from adapters.registry import INVITED, AgencyPorts
from adapters.repositories import cases, journal, waits
from models.action_plan import InterventionRefused
from models.during_tables import Intervention
from models.enums import WaitKind
from models.journal import Kind
from models.plan_tables import MeetingRecord, PlanVersion
from models.tables import AgencyRequest, Case
from models.waits import AgencySubject, Wait
from services import agency
from services.agency import Personal, Recorded
from services.before_steps import wire_subject
from services.runtime import Runtime

PLAN_KIND = "action_plan_v"


class Participant(StrEnum):
    """Who took part in the meeting, by organisation and role: never a name."""

    SOCIAL_SERVICES = "social_services"
    POLICE = "police"
    KRIMINALVARDEN = "kriminalvarden"
    ARBETSFORMEDLINGEN = "arbetsformedlingen"
    HEALTH_CARE = "health_care"
    SIS = "sis"
    NETWORK = "network"  # a resource in the person's own network, by role elsewhere
    GUARDIAN = "guardian"  # a child's guardian (recorded by role in `guardian`)


class MeetingError(ValueError):
    """The message names the field."""


def record_meeting(rt: Runtime, case_ref: str | uuid.UUID, *, held_on: date,
                   participants: list[Participant], defector_participated: bool,
                   defector_agreed: bool, by: str) -> Case:
    """Record (or correct, by date) the meeting; journaled."""
    at = rt.now()
    if held_on > at.date():
        raise MeetingError("held_on: a meeting is recorded after it was held")
    if defector_agreed and not defector_participated:
        raise MeetingError("defector_agreed: the defector agrees to the plan at the meeting")
    if not participants:
        raise MeetingError("participants: at least one organisation")
    roles = sorted({p.value for p in participants})
    values = {"participants": roles, "defector_participated": defector_participated,
              "defector_agreed": defector_agreed, "recorded_by": by, "recorded_at": at}
    with rt.uow() as session:
        case = cases.lock_case_ref(session, case_ref)
        session.execute(insert(MeetingRecord).values(case_id=case.id, held_on=held_on,
                                                     **values)
                        .on_conflict_do_update(index_elements=["case_id", "held_on"],
                                               set_=values))
        journal.journal(session, case, kind=Kind.MEETING_RECORDED, actor=by, at=at,
                        reason=f"collaboration meeting of {held_on} recorded: "
                               + ", ".join(roles) + "; defector "
                               + ("agreed" if defector_agreed else "did not agree"
                                  if defector_participated else "absent"),
                        data={"held_on": held_on.isoformat(), "participants": roles,
                              "defector_participated": defector_participated,
                              "defector_agreed": defector_agreed})
    return case


def _latest_meeting(session: Session, case_id: uuid.UUID) -> MeetingRecord | None:
    return session.exec(select(MeetingRecord).where(MeetingRecord.case_id == case_id)
                        .order_by(col(MeetingRecord.held_on).desc())).first()


def check_agreed(session: Session, case: Case) -> None:
    """Refuse the approval when the latest meeting says the defector did not agree."""
    meeting = _latest_meeting(session, case.id)
    if meeting is not None and not meeting.defector_agreed:
        raise InterventionRefused(
            f"action_plan: the defector did not agree to the plan at the meeting of "
            f"{meeting.held_on}; support is voluntary (record a meeting where they agree)")


def plan_subject(agency_name: str, version: int) -> AgencySubject:
    return AgencySubject(agency_name, f"{PLAN_KIND}{version}")


@dataclass(frozen=True)
class PlanDeliveryStep:
    """The approved plan (one version) to one participating agency, and its
    acknowledgement (the invitation API's sign-off, purpose `action_plan`)."""

    agency: str
    version: int

    @property
    def subject(self) -> AgencySubject:
        return plan_subject(self.agency, self.version)

    def body(self, session: Session, case: Case, person: Personal, *, key: str,
             at: datetime) -> InvitationRequest:
        row = session.exec(select(PlanVersion).where(
            PlanVersion.case_id == case.id, PlanVersion.version == self.version)).one()
        items = session.exec(select(Intervention).where(
            col(Intervention.id).in_(list(row.intervention_ids)))
            .order_by(col(Intervention.id))).all()
        return InvitationRequest(
            case_number=case.case_number, subject=wire_subject(person),
            placing_municipality=case.placing_municipality, units=[],
            routing_version=case.routing_version or "", purpose="action_plan",
            plan=PlanSummary(version=self.version, interventions=[
                PlannedItem(kind=i.kind, start=i.start, planned_end=i.planned_end)
                for i in items]))

    def submit(self, ports: AgencyPorts, *, key: str, body: InvitationRequest) -> SubmittedRequest:
        return ports.invitation(self.agency).invite(idempotency_key=key, request=body)

    def poll(self, ports: AgencyPorts, *, external_id: str) -> InvitationResult | None:
        result = ports.invitation(self.agency).get_invitation(request_id=external_id)
        return result if result.status == "signed_off" else None

    def record(self, session: Session, case: Case, answer: InvitationResult, *,
               at: datetime) -> Recorded:
        return Recorded(f"{self.agency} acknowledged action plan version {self.version}",
                        {"version": self.version, "acknowledged_by": answer.signed_off_by})


def step_for_kind(subject: AgencySubject) -> PlanDeliveryStep | None:
    if not subject.kind.startswith(PLAN_KIND):
        return None
    return PlanDeliveryStep(subject.agency, int(subject.kind.removeprefix(PLAN_KIND)))


_UNSENT = sa.text("""
SELECT v.case_id, v.version, p.agency
FROM plan_version v
JOIN LATERAL (SELECT m.participants FROM meeting_record m WHERE m.case_id = v.case_id
              AND m.defector_agreed ORDER BY m.held_on DESC LIMIT 1) m ON true
CROSS JOIN LATERAL unnest(m.participants) AS p(agency)
JOIN "case" c ON c.id = v.case_id AND c.status <> 'closed'
WHERE v.status = 'approved' AND p.agency = ANY(:invited)
  AND v.version = (SELECT max(w.version) FROM plan_version w
                   WHERE w.case_id = v.case_id AND w.status = 'approved')
  AND NOT EXISTS (SELECT 1 FROM agency_request r WHERE r.case_id = v.case_id
                  AND r.agency = p.agency AND r.kind = :prefix || v.version
                  AND r.status <> 'pending')
ORDER BY v.case_id, p.agency
""")


@dataclass(frozen=True)
class Delivered:
    sent: int = 0
    no_consent: int = 0
    failed: int = 0


def send_plans(rt: Runtime, ports: AgencyPorts) -> Delivered:
    """Send every approved plan not yet sent to a participating agency with consent."""
    with rt.uow() as session:
        rows = session.execute(_UNSENT, {"invited": list(INVITED),
                                         "prefix": PLAN_KIND}).all()
    sent = no_consent = failed = 0
    for case_id, version, agency_name in rows:
        step = PlanDeliveryStep(agency_name, version)
        at = rt.now()
        with rt.uow() as session:
            if not cases.consent_given(session, case_id, agency_name):
                no_consent += 1  # the plan goes only where consent was recorded
                continue
            case = cases.lock_case(session, case_id)
            waits.open_wait(session, case, Wait.answer(step.subject), at=at,
                            deadline=rt.deadline(WaitKind.AGENCY_ANSWER, at=at),
                            change_status=False)
        try:
            result = agency.send(rt, ports, case_id, step)
        except AgencyError:
            failed += 1
            continue
        sent += isinstance(result, agency.Sent)
    return Delivered(sent=sent, no_consent=no_consent, failed=failed)


def acknowledged(rt: Runtime, case_id: uuid.UUID) -> dict[str, str]:
    """agency -> status of the latest plan request to it (sent, answered)."""
    with rt.uow() as session:
        rows = session.exec(select(AgencyRequest.agency, AgencyRequest.status).where(
            AgencyRequest.case_id == case_id,
            col(AgencyRequest.kind).startswith(PLAN_KIND))
            .order_by(col(AgencyRequest.id))).all()
    return dict(rows)
