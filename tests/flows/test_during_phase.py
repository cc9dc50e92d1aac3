"""The during phase's meeting in the case's flow: needs, routing, invitations with
per-agency consent, sign-offs and the meeting's decision, with recording fakes."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from adapters.repositories import journal
from models.action_plan import InterventionKind
from models.during_tables import MeetingInvitation, NeedsAssessment
from models.enums import Need, NetworkRole
from models.routing import CURRENT_VERSION
from models.tables import Case
from services import action_plan, decisions, meeting, snapshot
from services.agency import collect_open
from services.clear_text import journal_data
from services.runtime import Runtime
from tests.fakes.agencies import FakeAgencies
from tests.flows.conftest import CaseRunner
from tests.states import COORDINATOR, admitted, at_meeting, consents

ALL_AGENCIES = consents("police", "social_services", "kriminalvarden", "arbetsformedlingen",
                        "health_care", "sis")


def _journal(rt: Runtime, case_id: uuid.UUID, kind: str) -> list[dict[str, Any]]:
    with rt.uow() as session:
        # Legal bases are stored encrypted (issue 14): opened as a reader would.
        return [journal_data(e.data, rt.cipher) for e in journal.entries(session, case_id)
                if e.kind == kind]


def _invited(agencies: FakeAgencies) -> dict[str, int]:
    """Invitations each invited agency received (its resources, not its calls)."""
    return {agency: len(fake.by_key) for agency, fake in agencies.invitations.items()}


def test_the_meeting_calls_the_agencies_the_rules_name_and_each_signs_off(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner) -> None:
    opened = admitted(rt, agencies, custody_status="on_probation", consents=ALL_AGENCIES)
    meeting.record_needs(rt, opened.case_id,
                         needs=[Need.HOUSING, Need.OCCUPATION, Need.MENTAL_HEALTH],
                         network=[NetworkRole.MENTOR], by=COORDINATOR)
    result = run(opened.case_id)
    assert (result["step"], result["reason"]) == ("waiting", "action plan")
    [routed] = _journal(rt, opened.case_id, "routed")
    assert routed["routing_version"] == CURRENT_VERSION
    assert set(routed["invitees"]) == {"police", "social_services", "kriminalvarden",
                                       "arbetsformedlingen", "health_care", "network"}
    assert routed["invitees"]["network"]["units"] == ["mentor"]
    assert _invited(agencies) == {"kriminalvarden": 1, "arbetsformedlingen": 1,
                                  "health_care": 1, "sis": 0}, "an adult is not referred to SiS"
    sent = agencies.invited("kriminalvarden").calls[0].body
    assert (sent.case_number, sent.placing_municipality, sent.purpose) == (
        opened.case_number, "0180", "collaboration_meeting")
    [decision] = _journal(rt, opened.case_id, "meeting_decided")
    assert set(decision["sign_offs"]) == {"kriminalvarden", "arbetsformedlingen", "health_care"}
    assert decision["sign_offs"]["kriminalvarden"]["by"] == "kriminalvarden-officer"
    assert run(opened.case_id)["reason"] == "action plan"
    assert sum(_invited(agencies).values()) == 3, "nothing sent twice"
    action_plan.add_intervention(rt, opened.case_id, action_plan.InterventionIn(
        kind=InterventionKind.LONG_TERM_HOUSING, start=rt.now().date(),
        planned_end=rt.now().date(), cost_sek=30_000), by=COORDINATOR)
    action_plan.approve_plan(rt, opened.case_id, by=COORDINATOR)
    assert run(opened.case_id)["reason"] == "coordinator statement", "on to the grant"
    assert [w.kind for w in snapshot.load(rt, opened.case_id).waits] == ["grant_statement"]


def test_a_missing_sign_off_keeps_the_case_waiting_until_collected(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner) -> None:
    agencies.invited("kriminalvarden").sign_off_at_once = False
    opened = admitted(rt, agencies, custody_status="in_prison",
                      consents=consents("police", "social_services", "kriminalvarden"))
    meeting.record_needs(rt, opened.case_id, needs=[Need.DEBTS], network=[], by=COORDINATOR)
    result = run(opened.case_id)
    assert (result["step"], result["reason"]) == ("waiting", "meeting sign-off")
    assert [w.subject for w in snapshot.load(rt, opened.case_id).waits] == [
        "kriminalvarden:meeting_invitation"]
    assert _journal(rt, opened.case_id, "meeting_decided") == []
    assert collect_open(rt, agencies).answered == frozenset(), "Kriminalvården is still on it"
    agencies.invited("kriminalvarden").sign_off(opened.case_number)
    assert collect_open(rt, agencies).answered == {opened.case_id}
    assert run(opened.case_id)["reason"] == "action plan"
    assert _journal(rt, opened.case_id, "meeting_decided")


def test_consent_withdrawn_mid_flow_stops_the_disclosure_to_that_agency_only(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner) -> None:
    opened = admitted(rt, agencies, consents=ALL_AGENCIES)
    decisions.record_consent(rt, opened.case_id, agency="health_care", given=False,
                             by=COORDINATOR, legal_basis="samtycke återkallat")
    meeting.record_needs(rt, opened.case_id, needs=[Need.MENTAL_HEALTH, Need.OCCUPATION],
                         network=[], by=COORDINATOR)
    result = run(opened.case_id)
    assert (result["step"], result["reason"]) == ("waiting", "consent")
    assert agencies.invited("health_care").calls == [], "nothing to health care"
    assert _invited(agencies)["arbetsformedlingen"] == 1
    assert {"agency": "health_care", "state": "withdrawn",
            "legal_basis": "samtycke återkallat"} in _journal(rt, opened.case_id, "consent")
    refused = [d["agency"] for d in _journal(rt, opened.case_id, "disclosure_refused")]
    assert refused == ["health_care"]
    assert run(opened.case_id)["reason"] == "consent", "still nothing without consent"
    assert len(_journal(rt, opened.case_id, "disclosure_refused")) == 1, "refused once"
    decisions.record_consent(rt, opened.case_id, agency="health_care", given=True,
                             by=COORDINATOR, legal_basis="samtycke")
    assert run(opened.case_id)["reason"] == "action plan"
    assert _journal(rt, opened.case_id, "meeting_decided")
    assert _invited(agencies)["health_care"] == 1


def test_a_case_keeps_the_rules_version_it_was_opened_under(rt: Runtime) -> None:
    old = admitted(rt)
    new = admitted(rt, person={"identity_number": "19900101-0017", "name": "A B"})
    with rt.uow() as session:
        session.execute(sa.update(Case).where(col(Case.id) == new.case_id)
                        .values(routing_version="2026.2"))
    for opened in (old, new):
        meeting.record_needs(rt, opened.case_id, needs=[Need.SUBSTANCE_ABUSE], network=[],
                             by=COORDINATOR)
        meeting.route_meeting(rt, opened.case_id)
    with rt.uow() as session:
        rows = session.exec(select(MeetingInvitation.case_id, MeetingInvitation.invitee,
                                   MeetingInvitation.routing_version)).all()
    by_case = {o.case_id: {(i, v) for c, i, v in rows if c == o.case_id} for o in (old, new)}
    assert ("health_care", "2026.2") in by_case[new.case_id]
    assert all(v == CURRENT_VERSION for _, v in by_case[old.case_id])
    assert "health_care" not in {i for i, _ in by_case[old.case_id]}
    assert _journal(rt, new.case_id, "routed")[0]["routing_version"] == "2026.2"


def test_the_needs_can_be_replaced_until_the_meeting_is_routed_then_not(rt: Runtime) -> None:
    opened = admitted(rt)
    meeting.record_needs(rt, opened.case_id, needs=[Need.DEBTS], network=[], by=COORDINATOR)
    meeting.record_needs(rt, opened.case_id, needs=[Need.HOUSING, Need.HOUSING], network=[],
                         by=COORDINATOR)
    meeting.route_meeting(rt, opened.case_id)
    meeting.route_meeting(rt, opened.case_id)
    with pytest.raises(meeting.MeetingRouted, match="needs: the collaboration meeting"):
        meeting.record_needs(rt, opened.case_id, needs=[Need.OCCUPATION], network=[],
                             by=COORDINATOR)
    with rt.uow() as session:
        needs = session.exec(select(NeedsAssessment.needs).where(
            NeedsAssessment.case_id == opened.case_id)).one()
        invitees = session.exec(select(MeetingInvitation.invitee).where(
            MeetingInvitation.case_id == opened.case_id)).all()
    assert needs == ["housing"]
    assert sorted(invitees) == ["police", "social_services"], "routed once, on the last needs"
    assert len(_journal(rt, opened.case_id, "needs_assessed")) == 2
    assert len(_journal(rt, opened.case_id, "routed")) == 1


def test_the_meeting_is_decided_only_when_every_external_invitee_has_signed_off(
        rt: Runtime, agencies: FakeAgencies) -> None:
    opened = at_meeting(rt, agencies, needs=[Need.OCCUPATION],
                        consents=consents("police", "social_services", "arbetsformedlingen"))
    assert meeting.decide_meeting(rt, opened.case_id) is False
    assert _journal(rt, opened.case_id, "meeting_decided") == []
