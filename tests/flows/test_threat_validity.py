"""The threat assessment over time: a renewal asked from the police before it runs out
(once, by key, a wait with its last day as the deadline), and a changed level applied:
a stronger protection, a new move when the person now lives inside an exclusion zone.
The collect-agency-answers pass is driven step by step with the recording fakes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlmodel import col, select

from adapters.repositories import cases, journal
from models.enums import WaitKind
from models.tables import CaseWait, Person, ThreatAssessment
from models.waits import Wait
from services import grants, snapshot, threat
from services.agency import collect_open
from services.relocation import RelocationIn, decide_relocation
from services.runtime import Runtime
from tests.fakes.agencies import FakeAgencies
from tests.fakes.clock import FakeClock
from tests.flows.conftest import CaseRunner
from tests.states import (
    ADDRESS,
    DESTINATION,
    GRANT_APPLICATION,
    POLICE_COORDINATOR,
    PROTECTION,
    RELOCATION_CONSENTS,
    ask,
    at_grant,
    in_after_phase,
)

RUNS_OUT = date(2027, 12, 31)  # the fake police's valid_until


def _pass(rt: Runtime, agencies: FakeAgencies) -> threat.Renewed:
    """One collect-agency-answers pass (its flow body without the wake-up)."""
    asked = threat.request_due(rt, agencies)
    collect_open(rt, agencies)
    applied = threat.apply_renewed(rt, agencies)
    return threat.Renewed(asked.requested, applied.relocations_wanted,
                          applied.protections_strengthened, asked.failed + applied.failed)


def _entries(rt: Runtime, case_id: uuid.UUID, kind: str) -> list[dict[str, object]]:
    with rt.uow() as session:
        return [e.data for e in journal.entries(session, case_id) if e.kind == kind]


def test_a_renewal_is_asked_before_the_assessment_runs_out_and_new_zones_call_for_a_move(
        rt: Runtime, agencies: FakeAgencies, clock: FakeClock, run: CaseRunner) -> None:
    opened = in_after_phase(rt, agencies)
    case_id = opened.case_id
    clock.set(datetime(2027, 11, 20, 9, tzinfo=UTC))
    assert _pass(rt, agencies).requested == 0, "41 days left: not yet"
    clock.set(datetime(2027, 12, 5, 9, tzinfo=UTC))
    assert _pass(rt, agencies).requested == 1
    assert _pass(rt, agencies).requested == 0, "asked once"
    key = f"{case_id}:police:threat_reassessment_r2"
    assert key in agencies.police.by_key
    with rt.uow() as session:
        [wait] = [w for w in session.exec(select(CaseWait).where(
            CaseWait.case_id == case_id, col(CaseWait.answered_at).is_(None)))
            if w.subject == str(threat.reassessment(2))]
        row = session.exec(select(ThreatAssessment)).one()
    assert row.level == "high" and wait.deadline.date() == RUNS_OUT, "due by its last day"
    assert [d["kind"] for d in _entries(rt, case_id, "disclosure")
            if d["agency"] == "police"][-1] == "threat_reassessment_r2", "journaled, with consent"

    # Kiruna, where the person lives, is now an exclusion zone.
    agencies.police.answer(opened.case_number, level="critical",
                           exclusion_zones=["0180", DESTINATION], valid_until=date(2028, 12, 31))
    renewed = _pass(rt, agencies)
    assert (renewed.requested, renewed.relocations_wanted) == (0, 1)
    [reassessed] = _entries(rt, case_id, "threat_reassessed")
    assert reassessed == {"number": 2, "previous_level": "high", "level": "critical",
                          "changed": True, "valid_until": "2028-12-31"}
    case = snapshot.load(rt, case_id)
    assert Wait.of(WaitKind.RELOCATION) in case.waits and case.phase == "after"
    assert _pass(rt, agencies) == threat.Renewed(), "nothing twice"

    # The responsible municipality (Kiruna since the transfer) decides the new move.
    decide_relocation(rt, case_id, RelocationIn(destination="1480", address=ADDRESS,
                                                lives_independently=True,
                                                needs_deep_support=False), by="ss-kiruna")
    result = run(case_id)
    assert (result["phase"], result["reason"]) == ("during", "establishment in the new town")
    assert len(agencies.tax_agency.by_key) == 2, "the new address protected anew"
    assert f"{case_id}:tax_agency:protected_personal_data_r2" in agencies.tax_agency.by_key


def test_a_raised_level_asks_the_tax_agency_for_the_stronger_protection(
        rt: Runtime, agencies: FakeAgencies, clock: FakeClock) -> None:
    opened = at_grant(rt, agencies, level="medium", consents=RELOCATION_CONSENTS)
    case_id = opened.case_id
    grants.record_statement(rt, case_id, supports=True, by=POLICE_COORDINATOR)
    ask(rt, agencies, opened, GRANT_APPLICATION)
    decide_relocation(rt, case_id, RelocationIn(destination=DESTINATION, address=ADDRESS,
                                                lives_independently=True,
                                                needs_deep_support=False), by="ss-anna")
    ask(rt, agencies, opened, PROTECTION)
    with rt.uow() as session:
        person = session.get_one(Person, cases.get_case(session, case_id).person_id)
        assert person.protection_level == "sekretessmarkering"
    clock.set(datetime(2027, 12, 20, 9, tzinfo=UTC))
    assert _pass(rt, agencies).requested == 1
    agencies.police.answer(opened.case_number, level="high", exclusion_zones=["0180"],
                           valid_until=date(2028, 12, 31))
    renewed = _pass(rt, agencies)
    assert renewed.protections_strengthened == 1 and renewed.relocations_wanted == 0
    collect_open(rt, agencies)
    upgrade = agencies.tax_agency.bodies[agencies.tax_agency.request_id_for(opened.case_number)]
    assert upgrade.measure == "skyddad_folkbokforing"
    assert upgrade.subject.identity_number and "name" not in upgrade.subject.model_dump()
    with rt.uow() as session:
        person = session.get_one(Person, cases.get_case(session, case_id).person_id)
        assert person.protection_level == "skyddad_folkbokforing"
    assert _pass(rt, agencies) == threat.Renewed(), "strengthened once"
    assert len(agencies.tax_agency.by_key) == 2
