"""Hand-over under Prefect's harness: Frivården and Arbetsförmedlingen after the move,
the transfer of responsibility, and the move into the after phase."""

from __future__ import annotations

from datetime import UTC, date, datetime

from adapters import repo
from adapters.db import unit_of_work
from flows.new_case import new_case
from models.action_plan import InterventionKind
from models.enums import Need
from tasks.action_plan import InterventionIn, add_intervention, approve_plan
from tasks.grants import record_statement
from tasks.hand_over import answer_transfer
from tasks.intake import open_case
from tasks.meeting import record_needs
from tasks.relocation import RelocationIn, decide_relocation
from tests.factories import referral
from tests.sims import Sim

NOW = datetime.now(UTC)
CONSENTS = [{"agency": a, "legal_basis": "samtycke"} for a in
            ("police", "social_services", "kriminalvarden", "arbetsformedlingen", "tax_agency")]


def test_a_person_on_probation_is_handed_over_and_the_transfer_recorded_with_its_costs(
        sims: tuple[Sim, Sim], invited: dict[str, Sim]) -> None:
    case_id = open_case(referral(custody_status="on_probation", consents=CONSENTS),
                        now=NOW).case_id
    new_case(case_id=case_id)
    record_needs(case_id, needs=[Need.OCCUPATION], network=[], by="coordinator-anna")
    new_case(case_id=case_id)
    add_intervention(case_id, InterventionIn(kind=InterventionKind.OCCUPATION, start=NOW.date(),
                                             planned_end=date(2027, 12, 1), cost_sek=0),
                     by="coordinator-anna")
    approve_plan(case_id, by="coordinator-anna")
    new_case(case_id=case_id)
    record_statement(case_id, supports=True, by="police-coordinator-li")
    assert new_case(case_id=case_id)["reason"] == "relocation decision"
    decide_relocation(case_id, RelocationIn(destination="1280", address="Lönngatan 3",
                                            lives_independently=True, needs_deep_support=False),
                      by="ss-anna")
    assert new_case(case_id=case_id)["reason"] == "transfer of responsibility"
    kv_keys = sorted(k.rsplit(":", 1)[1] for k in
                     invited["kriminalvarden"].requests()["by_idempotency_key"])
    af_keys = sorted(k.rsplit(":", 1)[1] for k in
                     invited["arbetsformedlingen"].requests()["by_idempotency_key"])
    assert kv_keys == ["hand_over_lay_supervisor", "hand_over_release_measures",
                       "meeting_invitation"]
    assert af_keys == ["hand_over_office_hand_over", "meeting_invitation"]
    answer_transfer(case_id, accept=True, cost_payer="receiving", cost_from=date(2027, 4, 1),
                    viewer_municipality="1280", by="ss-malmo")
    result = new_case(case_id=case_id)
    assert (result["phase"], result["reason"]) == ("after", "after phase: follow-up")
    with unit_of_work() as session:
        entries = repo.journal_entries(session, case_id)
    [transfer] = [e for e in entries if e.kind == "transfer_answered"]
    assert transfer.data == {"accepted": True, "cost_payer": "receiving",
                             "cost_from": "2027-04-01"}
    assert "1280" not in transfer.reason
    assert [e.kind for e in entries if e.kind == "agency_answer"].count("agency_answer") >= 3
