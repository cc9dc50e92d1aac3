"""Several relocations per case: emergency housing first (a fast-path decision,
approved afterwards), then a lasting move, each its own decision with the same secrecy,
exclusion zones and approval; protection and the hand-over follow the latest address."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from adapters.repositories import journal
from models.action_plan import InterventionKind
from models.during_tables import Relocation
from models.enums import Need
from models.relocation import RelocationRefused
from services.relocation import (
    RelocationIn,
    approve_relocation,
    decide_relocation,
    read_destination,
)
from services.runtime import Runtime
from tests.fakes.agencies import FakeAgencies
from tests.flows.conftest import CaseRunner
from tests.states import at_relocation, consents

PROBATION_CONSENTS = consents("police", "social_services", "kriminalvarden",
                              "arbetsformedlingen", "tax_agency")
EMERGENCY, LASTING = "1280", "2584"  # Malmö's protected housing, then Kiruna


def _move(to: str, *, fast_path: bool = False, address: str = "Skyddet 1") -> RelocationIn:
    return RelocationIn(destination=to, address=address, lives_independently=True,
                        needs_deep_support=False, fast_path=fast_path)


def test_emergency_housing_then_a_lasting_move_each_protected_and_handed_over(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner) -> None:
    opened = at_relocation(rt, agencies, custody_status="on_probation",
                           consents=PROBATION_CONSENTS, needs=[Need.OCCUPATION],
                           plan=InterventionKind.OCCUPATION)
    case_id = opened.case_id
    assert decide_relocation(rt, case_id, _move(EMERGENCY, fast_path=True),
                             by="ss-anna") == "protected_housing"
    with pytest.raises(RelocationRefused, match="awaits its approval"):
        decide_relocation(rt, case_id, _move(LASTING), by="ss-anna")
    approve_relocation(rt, case_id, by="unit-head-eva")
    assert run(case_id)["reason"] == "lasting move"
    with pytest.raises(RelocationRefused, match="exclusion zone"):
        decide_relocation(rt, case_id, _move("0180"), by="ss-anna")
    decide_relocation(rt, case_id, _move(LASTING, address="Hemligvägen 17"), by="ss-anna")
    assert run(case_id)["reason"] == "establishment in the new town"

    tax_keys = sorted(k.rsplit(":", 1)[1] for k in agencies.tax_agency.by_key)
    assert tax_keys == ["protected_personal_data", "protected_personal_data_r2"]
    kv = sorted(k.rsplit(":", 1)[1] for k in agencies.invited("kriminalvarden").by_key)
    assert kv == ["hand_over_lay_supervisor", "hand_over_lay_supervisor_r2",
                  "hand_over_release_measures", "hand_over_release_measures_r2",
                  "meeting_invitation"], "each move handed over"
    assert read_destination(rt, case_id, viewer_agency="social_services",
                            viewer_municipality="0180", by="ss-anna") == (LASTING,
                                                                          "Hemligvägen 17")
    with rt.uow() as session:
        rows = session.exec(select(Relocation).where(Relocation.case_id == case_id)
                            .order_by(col(Relocation.sequence))).all()
        entries = journal.entries(session, case_id)
    assert [(r.sequence, r.kind, r.fast_path) for r in rows] == [
        (1, "emergency", True), (2, "lasting", False)]
    assert all(r.destination_hash and EMERGENCY.encode() not in bytes(r.destination_enc)
               for r in rows), "encrypted, with a keyed hash"
    assert rows[0].destination_hash != rows[1].destination_hash
    decided = [e for e in entries if e.kind == "relocation_decided"]
    assert [e.data["sequence"] for e in decided] == [1, 2]
    assert not any(m in e.reason + str(e.data) for e in entries for m in (EMERGENCY, LASTING))
