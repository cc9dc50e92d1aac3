"""After the relocation, in the case's flow with recording fakes: protected personal data
from the Tax Agency (consent, once by key through retries and a rerun after a crash, the
decision in the case view) and the move of belongings through social services."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from adapters.common import SubmittedRequest
from adapters.registry import AgencyPorts
from adapters.repositories import journal
from adapters.tax_agency.port import TaxAgencyPort
from adapters.tax_agency.schemas import ProtectionDecision, ProtectionRequest
from models.action_plan import FollowUpVerdict
from models.during_tables import BelongingsMove
from models.during_tables import ProtectionRequest as ProtectionRow
from models.relocation import DisclosureDenied
from models.tables import AgencyRequest, Person
from services import action_plan, agency, belongings, decisions, snapshot
from services.agency import collect_open
from services.protection import ProtectionStep
from services.runtime import Runtime
from services.views import CaseView, case_view
from tests.fakes.agencies import FakeAgencies
from tests.flows.conftest import CaseRunner
from tests.states import DESTINATION, MOVER, consents, relocated

WITHOUT_TAX = consents("police", "social_services")
KEY_SUFFIX = ":tax_agency:protected_personal_data"


def _kinds(rt: Runtime, case_id: uuid.UUID) -> list[str]:
    with rt.uow() as session:
        return [e.kind for e in journal.entries(session, case_id)]


def _shown(rt: Runtime, case_id: uuid.UUID) -> CaseView:
    """What `utvag case show` renders."""
    return case_view(rt, case_id, viewer="coordinator-anna")


def _waits(rt: Runtime, case_id: uuid.UUID) -> list[tuple[str, str]]:
    return [(w.kind, w.subject) for w in snapshot.load(rt, case_id).waits]


def test_without_consent_for_the_tax_agency_nothing_is_sent_and_the_case_shows_why(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner) -> None:
    case_id = relocated(rt, agencies, consents=WITHOUT_TAX).case_id
    assert run(case_id)["reason"] == "consent"
    assert agencies.tax_agency.calls == []
    assert _waits(rt, case_id) == [("consent", "tax_agency")]
    assert "disclosure_refused" in _kinds(rt, case_id)
    shown = _shown(rt, case_id)
    assert shown.protection is None and shown.protection_waits_for_consent
    assert "no recorded consent for tax_agency: nothing disclosed" in [
        e.reason for e in shown.timeline]

    decisions.record_consent(rt, case_id, agency="tax_agency", given=True,
                             by="coordinator-anna", legal_basis="samtycke")
    assert run(case_id)["reason"] == "move of belongings"
    assert agencies.tax_agency.keys_sent() == [f"{case_id}{KEY_SUFFIX}"]
    shown = _shown(rt, case_id)
    assert shown.protection is not None and not shown.protection_waits_for_consent
    assert (shown.protection.measure, shown.protection.status) == ("skyddad_folkbokforing",
                                                                   "granted")
    assert shown.person.protection_level == "skyddad_folkbokforing"
    with rt.uow() as session:
        [disclosure] = [e for e in journal.entries(session, case_id)
                        if e.kind == "disclosure" and e.data["agency"] == "tax_agency"]
    assert disclosure.data["fields"] == ["identity_number"]


class CrashAfterFiling:
    """The Tax Agency files the request, then the worker dies before Utväg records it."""

    def __init__(self, real: TaxAgencyPort) -> None:
        self.real = real

    def request_protection(self, *, idempotency_key: str,
                           request: ProtectionRequest) -> SubmittedRequest:
        self.real.request_protection(idempotency_key=idempotency_key, request=request)
        raise SystemExit("worker killed")

    def get_decision(self, *, request_id: str) -> ProtectionDecision:
        return self.real.get_decision(request_id=request_id)


def test_retries_and_a_rerun_after_a_crash_file_one_request(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner) -> None:
    case_id = relocated(rt, agencies).case_id
    crashing = AgencyPorts(police=agencies.police, social_services=agencies.social_services,
                           police_grants=agencies.police_grants,
                           tax_agency=CrashAfterFiling(agencies.tax_agency),
                           invitations=dict(agencies.invitations))
    with pytest.raises(SystemExit):
        agency.send(rt, crashing, case_id, ProtectionStep())
    with rt.uow() as session:
        row = session.exec(select(AgencyRequest).where(
            AgencyRequest.agency == "tax_agency")).one()
    assert (row.status, row.attempts) == ("pending", 1), "filed, but not recorded as sent"
    agencies.tax_agency.fail_next(2, reason="HTTP 429")
    assert run(case_id)["reason"] == "move of belongings"
    assert run(case_id)["reason"] == "move of belongings", "a second rerun"
    key = f"{case_id}{KEY_SUFFIX}"
    assert list(agencies.tax_agency.by_key) == [key], "one request at the Tax Agency"
    assert set(agencies.tax_agency.keys_sent()) == {key}
    assert len(agencies.tax_agency.keys_sent()) >= 2, "filed again, same key"
    with rt.uow() as session:
        row = session.exec(select(AgencyRequest).where(
            AgencyRequest.agency == "tax_agency")).one()
        protection = session.exec(select(ProtectionRow)).one()
    assert row.status == "answered" and protection.status == "granted"
    assert row.attempts == 4, "the crashed attempt, two rate-limited ones, the one through"
    assert _kinds(rt, case_id).count("protection_decided") == 1
    with rt.uow() as session:
        disclosed = [e for e in journal.entries(session, case_id)
                     if e.kind == "disclosure" and e.data["agency"] == "tax_agency"]
    assert len(disclosed) == 1, "a retry discloses nothing new"


def test_a_late_decision_is_collected_by_collect_agency_answers(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner) -> None:
    agencies.tax_agency.decide_at_once = False
    opened = relocated(rt, agencies)
    assert run(opened.case_id)["reason"] == "protected personal data decision"
    assert _waits(rt, opened.case_id) == [("agency_answer", "tax_agency:protected_personal_data")]
    shown = _shown(rt, opened.case_id)
    assert shown.protection is not None and shown.protection.status == "requested"
    assert collect_open(rt, agencies).answered == frozenset(), "the Tax Agency is still on it"
    agencies.tax_agency.decide(opened.case_number)
    assert collect_open(rt, agencies).answered == {opened.case_id}
    assert _waits(rt, opened.case_id) == []
    assert run(opened.case_id)["reason"] == "move of belongings"


def test_a_rejection_is_recorded_shown_and_the_case_goes_on(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner) -> None:
    agencies.tax_agency.decide_at_once = False
    opened = relocated(rt, agencies)
    assert run(opened.case_id)["reason"] == "protected personal data decision"
    agencies.tax_agency.decide(opened.case_number, status="rejected",
                               rejection_reason="insufficient_grounds")
    collect_open(rt, agencies)
    assert run(opened.case_id)["reason"] == "move of belongings"
    shown = _shown(rt, opened.case_id)
    assert shown.protection is not None
    assert (shown.protection.status, shown.protection.rejection_reason) == (
        "rejected", "insufficient_grounds")
    with rt.uow() as session:
        assert session.exec(select(Person.protection_level)).one() == "none"


def test_the_belongings_move_is_ordered_once_and_confirmed_by_social_services_only(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner) -> None:
    opened = relocated(rt, agencies, mover=MOVER)
    case_id = opened.case_id
    assert run(case_id)["reason"] == "move of belongings"
    belongings.order_move(rt, case_id)
    assert _kinds(rt, case_id).count("belongings_ordered") == 1, "ordering again changes nothing"
    order = belongings.work_order(rt, case_id)
    assert order is not None
    assert order.text() == (f"{opened.case_number}: {MOVER} collects the belongings"
                            " in municipality 0180 and delivers them to the placing social"
                            " services")
    for municipality in ("1480", ""):
        with pytest.raises(DisclosureDenied):
            belongings.confirm_delivered(rt, case_id, viewer_municipality=municipality,
                                         by="someone")
    with rt.uow() as session:
        [move] = session.exec(select(BelongingsMove)).all()
    assert move.status == "ordered"
    shown = _shown(rt, case_id).belongings
    assert shown is not None and (shown.status, shown.provider, shown.delivered_by) == (
        "ordered", MOVER, None)
    belongings.confirm_delivered(rt, case_id, viewer_municipality=DESTINATION, by="ss-kiruna")
    belongings.confirm_delivered(rt, case_id, viewer_municipality="0180", by="ss-placing")
    assert run(case_id)["reason"] == "establishment in the new town"
    shown = _shown(rt, case_id).belongings
    assert shown is not None and (shown.status, shown.delivered_by) == ("delivered",
                                                                        "ss-kiruna")
    kinds = _kinds(rt, case_id)
    assert kinds.count("belongings_ordered") == 1 and kinds.count("belongings_delivered") == 1
    assert kinds.index("protection_decided") < kinds.index("belongings_ordered")


def test_delivery_cannot_be_confirmed_before_a_move_is_ordered(rt: Runtime) -> None:
    opened = relocated(rt)
    with pytest.raises(LookupError, match="no move of belongings ordered"):
        belongings.confirm_delivered(rt, opened.case_id, viewer_municipality=DESTINATION,
                                     by="ss-kiruna")
    assert "belongings_delivered" not in _kinds(rt, opened.case_id)


def test_a_provider_whose_follow_up_went_bad_does_not_move_the_belongings(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner) -> None:
    case_id = relocated(rt, agencies, mover=MOVER).case_id
    action_plan.record_follow_up(rt, MOVER, verdict=FollowUpVerdict.UNSATISFACTORY,
                                 by="unit-head-eva", on=rt.now().date(),
                                 next_follow_up_due=rt.now().date().replace(year=2099))
    assert run(case_id)["reason"] == "move of belongings"
    assert belongings.work_order(rt, case_id) is None
    with rt.uow() as session:
        [entry] = [e for e in journal.entries(session, case_id)
                   if e.kind == "belongings_ordered"]
    assert entry.data["provider"] is None
    assert "planned provider not used" in entry.reason and "unsatisfactory" in entry.reason
