"""Children and women in the case's flow: a child's case discloses nothing until every
guardian consents and is called to social services' child and youth unit (a substance
abuse need included); a woman placed in protected housing gets it only from a provider
holding the permit the 2024 rules require."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from adapters.repositories import journal
from models.action_plan import InterventionKind, InterventionRefused
from models.enums import GuardianRole, Need
from models.tables import Person
from services import action_plan, meeting, minors, protected_housing, snapshot
from services.action_plan import InterventionIn
from services.agency import collect_open
from services.clear_text import sex_of
from services.runtime import Runtime
from tests.factories import identity_number, open_case
from tests.fakes.agencies import FakeAgencies
from tests.flows.conftest import CaseRunner
from tests.states import COORDINATOR, at_plan, consents

EVERYONE = consents("police", "social_services", "kriminalvarden", "arbetsformedlingen",
                    "health_care", "sis")


def _journal(rt: Runtime, case_id: uuid.UUID, kind: str) -> list[dict[str, Any]]:
    with rt.uow() as session:
        return [e.data for e in journal.entries(session, case_id) if e.kind == kind]


def test_a_child_waits_for_the_guardians_and_meets_the_child_and_youth_unit(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner) -> None:
    child = open_case(rt, consents=EVERYONE, person={
        "identity_number": identity_number(born=date(2011, 5, 5), serial=123),
        "name": "Unga Barnsson"})
    assert run(child.case_id)["step"] == "waiting"
    assert agencies.police.calls == [], "nothing disclosed without the guardians"
    assert [d.get("missing") for d in _journal(rt, child.case_id, "disclosure_refused")] == [
        "guardians"]
    assert ("guardian_consent", "guardians") in [
        (w.kind, w.subject) for w in snapshot.load(rt, child.case_id).waits]

    assert not minors.record_guardian(rt, child.case_id, role=GuardianRole.MOTHER,
                                      name="Mor Barnsson", consents=False, by=COORDINATOR)
    run(child.case_id)
    assert agencies.police.calls == []
    assert minors.record_guardian(rt, child.case_number, role=GuardianRole.MOTHER,
                                  name="Mor Barnsson", consents=True, by=COORDINATOR)
    assert minors.guardian_roles(rt, child.case_id) == {"mother": True}
    run(child.case_id)
    agencies.police.answer(child.case_number)
    agencies.social_services.answer(child.case_number)
    collect_open(rt, agencies)
    assert run(child.case_id)["phase"] == "during"

    meeting.record_needs(rt, child.case_id, needs=[Need.SUBSTANCE_ABUSE], network=[],
                         by=COORDINATOR)
    run(child.case_id)
    [routed] = _journal(rt, child.case_id, "routed")
    assert routed["invitees"]["social_services"]["units"] == ["child_and_youth"]
    assert "sis" in routed["invitees"]
    assert len(agencies.invited("sis").by_key) == 1
    # The guardian's name stays encrypted in our database: never journaled.
    with rt.uow() as session:
        texts = [str(e.data) + e.reason for e in journal.entries(session, child.case_id)]
    assert not any("Barnsson" in t for t in texts)


def test_a_woman_in_protected_housing_gets_it_only_from_a_permitted_provider(
        rt: Runtime, agencies: FakeAgencies, run: CaseRunner) -> None:
    woman = at_plan(rt, agencies, needs=[Need.HOUSING], milieu="honour",
                    person={"identity_number": identity_number(born=date(1999, 9, 9),
                                                               serial=802),
                            "name": "Kvinna Skyddsdóttir"})
    with rt.uow() as session:
        case = snapshot.load(rt, woman.case_id)
        assert sex_of(session.get_one(Person, _person_id(rt, woman.case_id)), rt.cipher) == "female"
    assert case.phase == "during"
    action_plan.register_provider(rt, "Skyddat Hem AB")
    action_plan.vet_provider(rt, "Skyddat Hem AB", by="granskare", on=date(2026, 1, 10),
                             next_follow_up_due=date(2027, 1, 10))
    item = InterventionIn(kind=InterventionKind.PROTECTED_HOUSING, start=date(2026, 11, 3),
                          planned_end=date(2027, 5, 3), cost_sek=450_000,
                          provider="Skyddat Hem AB")
    with pytest.raises(InterventionRefused, match="^provider: .* no permit for protected"):
        action_plan.add_intervention(rt, woman.case_id, item, by=COORDINATOR)
    protected_housing.record_permit(rt, "Skyddat Hem AB", reference="IVO 3.5.1-2024-0042",
                                    valid_from=date(2024, 4, 1), valid_until=date(2027, 1, 31),
                                    by="granskare")
    with pytest.raises(InterventionRefused, match="does not cover"):
        action_plan.add_intervention(rt, woman.case_id, item, by=COORDINATOR)
    protected_housing.record_permit(rt, "Skyddat Hem AB", reference="IVO 3.5.1-2024-0042",
                                    valid_from=date(2024, 4, 1), valid_until=None,
                                    by="granskare")
    action_plan.add_intervention(rt, woman.case_id, item, by=COORDINATOR)
    action_plan.approve_plan(rt, woman.case_id, by=COORDINATOR)
    result = run(woman.case_id)
    assert result["reason"] != "action plan", result
    assert len(_journal(rt, woman.case_id, "intervention_refused")) == 2
    [added] = _journal(rt, woman.case_id, "intervention_added")
    assert added["kind"] == "protected_housing"


def _person_id(rt: Runtime, case_id: uuid.UUID) -> uuid.UUID:
    from models.tables import Case

    with rt.uow() as session:
        return session.get_one(Case, case_id).person_id
