"""A case from intake to the after phase in its flow, with the recording fakes: the one
test that runs every phase through `new-case` (the others start from a state built by
`tests.states`)."""

from __future__ import annotations

from datetime import date

from adapters.repositories import cases, journal
from models.action_plan import InterventionKind
from models.enums import Need
from models.journal import replay
from services import action_plan, grants, hand_over, meeting, relocation, snapshot, transfer
from services.agency import collect_open
from services.runtime import Runtime
from tests.factories import open_case
from tests.fakes.agencies import FakeAgencies, granted
from tests.flows.conftest import CaseRunner


def test_a_case_reaches_the_after_phase(rt: Runtime, agencies: FakeAgencies,
                                         run: CaseRunner) -> None:
    agencies.police.answer_at_once = True
    agencies.social_services.answer_at_once = True
    agencies.police_grants.decide_with = granted
    agencies.invited("kriminalvarden").sign_off_at_once = False
    opened = open_case(rt, custody_status="on_probation", consents=[
        {"agency": a, "legal_basis": "samtycke"}
        for a in ("police", "social_services", "kriminalvarden", "tax_agency")])
    assert run(opened.case_id)["reason"] == "needs assessment"
    meeting.record_needs(rt, opened.case_id, needs=[Need.HOUSING], network=[], by="anna")
    assert run(opened.case_id)["reason"] == "meeting sign-off"
    agencies.invited("kriminalvarden").sign_off(opened.case_number)
    collect_open(rt, agencies)
    assert run(opened.case_id)["reason"] == "action plan"
    action_plan.add_intervention(rt, opened.case_id, action_plan.InterventionIn(
        kind=InterventionKind.LONG_TERM_HOUSING, start=date(2026, 12, 1),
        planned_end=date(2027, 6, 1), cost_sek=40_000), by="anna")
    action_plan.approve_plan(rt, opened.case_id, by="anna")
    assert run(opened.case_id)["reason"] == "coordinator statement"
    grants.record_statement(rt, opened.case_id, supports=True, by="li")
    assert run(opened.case_id)["reason"] == "relocation decision"
    relocation.decide_relocation(rt, opened.case_id, relocation.RelocationIn(
        destination="2584", address="Gatan 1", lives_independently=True,
        needs_deep_support=False), by="anna")
    result = run(opened.case_id)
    assert result["reason"] == "hand-over", result
    for purpose in ("release_measures", "lay_supervisor"):
        agencies.invited("kriminalvarden").sign_off(opened.case_number, purpose=purpose)
    collect_open(rt, agencies)
    assert run(opened.case_id)["reason"] == "establishment in the new town"
    transfer.record_establishment(rt, opened.case_id, stable_housing=True, occupation=True,
                                  support_needed=True, by="anna")
    assert run(opened.case_id)["reason"] == "transfer of responsibility"
    hand_over.answer_transfer(rt, opened.case_id, accept=True, cost_payer="receiving",
                              cost_from=date(2027, 4, 1), viewer_municipality="2584", by="eva")
    result = run(opened.case_id)
    assert result["phase"] == "after", result
    assert snapshot.load(rt, opened.case_id).status == "open"
    with rt.uow() as session:
        case = cases.get_case(session, opened.case_id)
        rebuilt = replay(journal.entries(session, opened.case_id))
    assert (rebuilt.phase, rebuilt.status) == (case.phase, case.status) == ("after", "open")
    received = {agency: len(fake.by_key) for agency, fake in (
        ("police", agencies.police), ("social_services", agencies.social_services),
        ("police_grants", agencies.police_grants), ("tax_agency", agencies.tax_agency),
        ("kriminalvarden", agencies.invited("kriminalvarden")))}
    assert received == {"police": 1, "social_services": 1, "police_grants": 1,
                        "tax_agency": 1, "kriminalvarden": 3}, "each request once"
