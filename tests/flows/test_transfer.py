"""The transfer of responsibility in the case's flow: offered once the person is
established (or by a coordinator's decision), accepted with an agreed date from which
the receiving municipality is responsible (access and relapse notifications follow,
the history kept, costs per municipality), declined without moving the case on."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from adapters.repositories import cases, journal
from adapters.repositories.sweep import insert_flags
from models.principal import Principal, Role
from models.relapse import Finding
from services import relapse, responsibility
from services.access.policy import Relation
from services.access.relations import standing
from services.runtime import Runtime
from services.transfer import (
    TransferError,
    answer_transfer,
    decide_offer,
    record_establishment,
)
from tests.fakes.agencies import FakeAgencies
from tests.fakes.clock import FakeClock
from tests.flows.conftest import CaseRunner
from tests.states import DESTINATION, settling

PLACING = "0180"


def _social(municipality: str) -> Principal:
    return Principal(subject=f"sub-{municipality}", staff_id=f"coord-{municipality}",
                     name="C", organisation=f"municipality:{municipality}",
                     roles=frozenset({Role.COORDINATOR}))


def _relations(rt: Runtime, case_id: uuid.UUID, municipality: str) -> frozenset[Relation]:
    with rt.uow() as session:
        case = cases.get_case(session, case_id)
        return standing(session, rt.cipher, _social(municipality), case,
                        now=rt.now()).relations


def _notified_to(rt: Runtime, agencies: FakeAgencies, case_id: uuid.UUID, ref: str) -> str:
    """A relapse flag on the case, notified: the municipality the notification went to."""
    with rt.uow() as session:
        insert_flags(session, [Finding(case_id, "suspicions", ref, "suspicion",
                                       rt.now().date())], at=rt.now(), run="a sweep")
    relapse.notify_relapses(rt, agencies.social_services)
    return agencies.social_services.notified[-1].municipality_code


def _kinds(rt: Runtime, case_id: uuid.UUID) -> list[str]:
    with rt.uow() as session:
        return [e.kind for e in journal.entries(session, case_id)]


def test_the_offer_waits_for_establishment_and_acceptance_moves_responsibility_on_its_date(
        rt: Runtime, agencies: FakeAgencies, clock: FakeClock, run: CaseRunner) -> None:
    opened = settling(rt, agencies)
    case_id = opened.case_id
    assert run(case_id)["reason"] == "establishment in the new town"
    record_establishment(rt, case_id, stable_housing=True, occupation=False,
                         support_needed=True, by="ss-anna")
    assert run(case_id)["reason"] == "establishment in the new town", "no occupation yet"
    assert "transfer_offered" not in _kinds(rt, case_id), "not offered right after the move"
    record_establishment(rt, case_id, stable_housing=True, occupation=True,
                         support_needed=True, by="ss-anna")
    assert run(case_id)["reason"] == "transfer of responsibility"

    today = rt.now().date()
    agreed, paid_from = today + timedelta(days=30), today + timedelta(days=60)
    answer_transfer(rt, case_id, accept=True, cost_payer="receiving", cost_from=paid_from,
                    responsible_from=agreed, viewer_municipality=DESTINATION, by="ss-kiruna")
    assert run(case_id)["phase"] == "after"

    # Until the agreed date the placing municipality is responsible.
    assert _relations(rt, case_id, PLACING) == {Relation.PLACING}
    assert _relations(rt, case_id, DESTINATION) == {Relation.DESTINATION, Relation.RECEIVING}
    assert _notified_to(rt, agencies, case_id, "MR-1") == PLACING

    clock.advance(days=30)
    assert _relations(rt, case_id, DESTINATION) == {Relation.PLACING}, "responsible now"
    assert _relations(rt, case_id, PLACING) == frozenset(), "the former placing one is out"
    assert _notified_to(rt, agencies, case_id, "MR-2") == DESTINATION

    with rt.uow() as session:
        case = cases.get_case(session, case_id)
        periods = {(p.role.value, p.municipality, p.valid_from, p.valid_to)
                   for p in responsibility.history(session, rt.cipher, case)}
        entries = journal.entries(session, case_id)
    opened_on = date(2026, 11, 2)
    assert periods == {
        ("residence", PLACING, opened_on, agreed), ("residence", DESTINATION, agreed, None),
        ("costs", PLACING, opened_on, paid_from), ("costs", DESTINATION, paid_from, None),
        ("stay", DESTINATION, opened_on, None)}
    [moved] = [e for e in entries if e.kind == "responsibility"]
    assert moved.data == {"role": "residence", "from": agreed.isoformat(),
                          "cost_payer": "receiving", "cost_from": paid_from.isoformat()}
    assert all(DESTINATION not in e.reason for e in entries), "the destination never journaled"


def test_a_declined_transfer_keeps_the_case_and_waits_for_a_new_offer(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner) -> None:
    case_id = settling(rt, agencies).case_id
    record_establishment(rt, case_id, stable_housing=True, occupation=True,
                         support_needed=True, by="ss-anna")
    assert run(case_id)["reason"] == "transfer of responsibility"
    answer_transfer(rt, case_id, accept=False, cost_payer="placing", cost_from=date(2027, 1, 1),
                    viewer_municipality=DESTINATION, by="ss-kiruna")
    result = run(case_id)
    assert (result["phase"], result["reason"]) == ("during", "new transfer offer")
    assert _relations(rt, case_id, PLACING) == {Relation.PLACING}
    assert _relations(rt, case_id, DESTINATION) == {Relation.DESTINATION}
    with rt.uow() as session:
        assert responsibility.history(session, rt.cipher, cases.get_case(session, case_id)) \
            == [responsibility.Period(responsibility.Role.STAY, DESTINATION, date(2026, 11, 2),
                                      None, "relocation")]
    assert decide_offer(rt, case_id, reason="the receiver's new unit can take the case",
                        by="coordinator-anna")
    assert run(case_id)["reason"] == "transfer of responsibility"
    answer_transfer(rt, case_id, accept=True, cost_payer="placing", cost_from=date(2027, 1, 1),
                    viewer_municipality=DESTINATION, by="ss-kiruna")
    assert run(case_id)["phase"] == "after"
    assert _kinds(rt, case_id).count("transfer_offered") == 2


def test_a_coordinator_may_offer_before_establishment_with_a_reason(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner) -> None:
    case_id = settling(rt, agencies).case_id
    with pytest.raises(TransferError, match="^reason"):
        decide_offer(rt, case_id, reason=" ", by="coordinator-anna")
    assert decide_offer(rt, case_id, reason="family reasons", by="coordinator-anna")
    assert not decide_offer(rt, case_id, reason="family reasons", by="coordinator-anna")
    assert run(case_id)["reason"] == "transfer of responsibility"
    with rt.uow() as session:
        [offered] = [e for e in journal.entries(session, case_id)
                     if e.kind == "transfer_offered"]
    assert offered.data == {"basis": "coordinator"} and "family reasons" in offered.reason
