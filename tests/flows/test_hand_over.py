"""Hand-over in the case's flow with recording fakes: Frivården and Arbetsförmedlingen
after the move, the transfer of responsibility, and the move into the after phase."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.repositories import journal
from models.action_plan import InterventionKind
from models.enums import Need
from models.relocation import DisclosureDenied
from services.grants import record_statement
from services.hand_over import TransferError, answer_transfer, offer_transfer
from services.relocation import RelocationIn, decide_relocation
from services.runtime import Runtime
from services.transfer import record_establishment
from tests.fakes.agencies import FakeAgencies, granted
from tests.flows.conftest import CaseRunner
from tests.states import (
    DESTINATION,
    POLICE_COORDINATOR,
    at_grant,
    at_relocation,
    consents,
    relocated,
)

PROBATION_CONSENTS = consents("police", "social_services", "kriminalvarden",
                              "arbetsformedlingen", "tax_agency")


def test_a_person_on_probation_is_handed_over_and_the_transfer_recorded_with_its_costs(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner) -> None:
    opened = at_relocation(rt, agencies, custody_status="on_probation",
                           consents=PROBATION_CONSENTS, needs=[Need.OCCUPATION],
                           plan=InterventionKind.OCCUPATION)
    decide_relocation(rt, opened.case_id, RelocationIn(
        destination="1280", address="Lönngatan 3", lives_independently=True,
        needs_deep_support=False), by="ss-anna")
    assert run(opened.case_id)["reason"] == "establishment in the new town"
    record_establishment(rt, opened.case_id, stable_housing=True, occupation=True,
                         support_needed=True, by="ss-anna")
    assert run(opened.case_id)["reason"] == "transfer of responsibility"
    kv_kinds = sorted(k.rsplit(":", 1)[1]
                      for k in agencies.invited("kriminalvarden").by_key)
    af_kinds = sorted(k.rsplit(":", 1)[1]
                      for k in agencies.invited("arbetsformedlingen").by_key)
    assert kv_kinds == ["hand_over_lay_supervisor", "hand_over_release_measures",
                        "meeting_invitation"]
    assert af_kinds == ["hand_over_office_hand_over", "meeting_invitation"]
    hand_overs = [c.body for c in agencies.invited("arbetsformedlingen").calls
                  if c.body.purpose == "office_hand_over"]
    assert [(b.case_number, b.placing_municipality) for b in hand_overs] == [
        (opened.case_number, "0180")], "the new office is not named to the old one"
    answer_transfer(rt, opened.case_id, accept=True, cost_payer="receiving",
                    cost_from=date(2027, 4, 1), viewer_municipality="1280", by="ss-malmo")
    result = run(opened.case_id)
    assert (result["phase"], result["reason"]) == ("after", "after phase: follow-up")
    with rt.uow() as session:
        entries = journal.entries(session, opened.case_id)
    [transfer] = [e for e in entries if e.kind == "transfer_answered"]
    assert transfer.data == {"accepted": True, "cost_payer": "receiving",
                             "cost_from": "2027-04-01"}
    assert "1280" not in transfer.reason
    answered = [e.data["kind"] for e in entries if e.kind == "agency_answer"]
    assert {"hand_over_release_measures", "hand_over_lay_supervisor",
            "hand_over_office_hand_over"} <= set(answered)


def test_without_custody_or_relocation_the_case_goes_straight_to_the_after_phase(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner) -> None:
    agencies.police_grants.decide_with = granted
    opened = at_grant(rt, agencies, level="medium", kind=InterventionKind.CONTACT_PERSON)
    record_statement(rt, opened.case_id, supports=True, by=POLICE_COORDINATOR)
    result = run(opened.case_id)
    assert (result["phase"], result["reason"]) == ("after", "after phase: follow-up")
    assert [c for agency, c in agencies.every_call() if agency != "police"
            and "hand_over" in c.key] == []
    with rt.uow() as session:
        kinds = [e.kind for e in journal.entries(session, opened.case_id)]
    assert "transfer_offered" not in kinds, "no move, no receiving municipality"


def test_only_the_receiving_municipality_answers_the_offer_and_only_once(rt: Runtime) -> None:
    case_id = relocated(rt).case_id
    with pytest.raises(TransferError, match="no transfer of responsibility offered"):
        answer_transfer(rt, case_id, accept=True, cost_payer="receiving",
                        cost_from=date(2027, 4, 1), viewer_municipality=DESTINATION, by="ss")
    offer_transfer(rt, case_id)
    offer_transfer(rt, case_id)
    with pytest.raises(DisclosureDenied, match="only the receiving"):
        answer_transfer(rt, case_id, accept=True, cost_payer="receiving",
                        cost_from=date(2027, 4, 1), viewer_municipality="0180", by="ss-placing")
    with pytest.raises(ValueError, match="cost_payer"):
        answer_transfer(rt, case_id, accept=True, cost_payer="state",
                        cost_from=date(2027, 4, 1), viewer_municipality=DESTINATION, by="ss")
    for _ in range(2):
        answer_transfer(rt, case_id, accept=False, cost_payer="placing",
                        cost_from=date(2027, 4, 1), viewer_municipality=DESTINATION,
                        by="ss-kiruna")
    with pytest.raises(TransferError, match="answered already .declined by ss-kiruna"):
        answer_transfer(rt, case_id, accept=True, cost_payer="receiving",
                        cost_from=date(2027, 4, 1), viewer_municipality=DESTINATION,
                        by="ss-kiruna")
    with rt.uow() as session:
        kinds = [e.kind for e in journal.entries(session, case_id)]
    assert (kinds.count("transfer_offered"), kinds.count("transfer_answered")) == (1, 1)
