"""The meeting as an event and the agreed plan shared (`services.plan_delivery`): a plan
the defector did not agree to is not approved; the approved plan goes to each
participating agency with consent (once, by key, identity number only), and each
acknowledgement is collected like every agency answer."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.repositories import requests
from models.action_plan import InterventionKind, InterventionRefused
from services import action_plan, agency, decisions, plan_delivery
from services.action_plan import InterventionIn
from services.plan_delivery import MeetingError, Participant
from services.runtime import Runtime
from tests.fakes.agencies import FakeAgencies
from tests.sweep_support import NAME, admitted_case, count

P = Participant


def test_the_agreed_plan_reaches_the_participating_agencies_with_consent_and_is_acknowledged(
        rt: Runtime) -> None:
    agencies = FakeAgencies()
    for a in agencies.invitations.values():
        a.sign_off_at_once = False
    case = admitted_case(rt, 801, consents=["police", "social_services", "kriminalvarden",
                                            "arbetsformedlingen"])
    action_plan.add_intervention(rt, case.case_id, InterventionIn(
        kind=InterventionKind.OCCUPATION, start=date(2026, 11, 1),
        planned_end=date(2027, 5, 1), cost_sek=0), by="h1")
    plan_delivery.record_meeting(rt, case.case_id, held_on=date(2026, 10, 20),
                                 participants=[P.SOCIAL_SERVICES, P.POLICE],
                                 defector_participated=True, defector_agreed=False, by="h1")
    with pytest.raises(InterventionRefused, match="^action_plan: the defector did not agree"):
        action_plan.approve_plan(rt, case.case_id, by="boss")

    plan_delivery.record_meeting(
        rt, case.case_number, held_on=date(2026, 10, 30), by="h1",
        participants=[P.SOCIAL_SERVICES, P.POLICE, P.KRIMINALVARDEN, P.ARBETSFORMEDLINGEN,
                      P.HEALTH_CARE],
        defector_participated=True, defector_agreed=True)
    action_plan.approve_plan(rt, case.case_id, by="boss")
    # health care took part but has no consent; the police are not sent the plan here.
    assert plan_delivery.send_plans(rt, agencies) == plan_delivery.Delivered(sent=2,
                                                                             no_consent=1)
    assert plan_delivery.send_plans(rt, agencies) == plan_delivery.Delivered(no_consent=1)
    sent = {a: agencies.invited(a).calls for a in ("kriminalvarden", "arbetsformedlingen",
                                                   "health_care", "sis")}
    assert {a: len(c) for a, c in sent.items()} == {"kriminalvarden": 1,
                                                    "arbetsformedlingen": 1,
                                                    "health_care": 0, "sis": 0}
    body = sent["kriminalvarden"][0].body
    assert body.purpose == "action_plan" and body.plan is not None
    assert (body.plan.version, [i.kind for i in body.plan.interventions]) == (1, ["occupation"])
    assert body.subject.name is None and NAME not in body.model_dump_json()
    assert {c.key for calls in sent.values() for c in calls} == {
        requests.idempotency_key(case.case_id, plan_delivery.plan_subject(a, 1))
        for a in ("kriminalvarden", "arbetsformedlingen")}
    assert plan_delivery.acknowledged(rt, case.case_id) == {
        "kriminalvarden": "sent", "arbetsformedlingen": "sent"}

    agencies.invited("kriminalvarden").sign_off(case.case_number, purpose="action_plan")
    report = agency.collect_open(rt, agencies)
    assert report.answered == {case.case_id}
    assert plan_delivery.acknowledged(rt, case.case_id) == {
        "kriminalvarden": "answered", "arbetsformedlingen": "sent"}
    assert count(rt, "SELECT count(*) FROM case_wait WHERE case_id = :c AND kind = "
                 "'agency_answer' AND answered_at IS NULL", c=case.case_id) == 1

    # Consent to health care recorded later: the next pass sends it the plan too.
    decisions.record_consent(rt, case.case_id, agency="health_care", given=True,
                             by="h1", legal_basis="samtycke")
    assert plan_delivery.send_plans(rt, agencies).sent == 1


def test_a_meeting_is_recorded_by_roles_and_checked(rt: Runtime) -> None:
    case = admitted_case(rt, 802)
    with pytest.raises(MeetingError, match="^held_on: "):
        plan_delivery.record_meeting(rt, case.case_id, held_on=date(2099, 1, 1),
                                     participants=[P.POLICE], defector_participated=True,
                                     defector_agreed=True, by="h1")
    with pytest.raises(MeetingError, match="^defector_agreed: "):
        plan_delivery.record_meeting(rt, case.case_id, held_on=date(2026, 10, 1),
                                     participants=[P.POLICE], defector_participated=False,
                                     defector_agreed=True, by="h1")
    plan_delivery.record_meeting(rt, case.case_id, held_on=date(2026, 10, 1),
                                 participants=[P.POLICE, P.GUARDIAN],
                                 defector_participated=True, defector_agreed=True, by="h1")
    assert count(rt, "SELECT count(*) FROM case_journal WHERE case_id = :c AND kind = "
                 "'meeting_recorded' AND data->'participants' = '[\"guardian\", \"police\"]'",
                 c=case.case_id) == 1
