"""The action plan on PostgreSQL: provider registry, vetting, follow-ups, refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from adapters import repo
from adapters.db import unit_of_work
from models.action_plan import FollowUpVerdict, InterventionKind, InterventionRefused
from models.during_tables import Intervention, ProviderFollowUp
from tasks.action_plan import (
    InterventionIn,
    ProviderNotFound,
    add_intervention,
    approve_plan,
    record_follow_up,
    register_provider,
    vet_provider,
)
from tasks.intake import open_case
from tests.factories import referral

TODAY = date(2026, 11, 25)
PROGRAMME = InterventionIn(kind=InterventionKind.CRIMINAL_THINKING_PROGRAMME, start=TODAY,
                           planned_end=date(2027, 5, 1), cost_sek=48_000, provider="Exit Väst")


def _case() -> str:
    return open_case(referral(), now=datetime.now(UTC)).case_number


def _interventions() -> list[Intervention]:
    with unit_of_work() as session:
        return list(session.exec(select(Intervention)))


def _journal_kinds(number: str) -> list[str]:
    with unit_of_work() as session:
        case = repo.find_case(session, number)
        return [e.kind for e in repo.journal_entries(session, case.id)]


def test_an_unvetted_provider_is_refused_nothing_written_and_the_refusal_journaled(
        db: str) -> None:
    number = _case()
    register_provider("Exit Väst")
    with pytest.raises(InterventionRefused, match="Exit Väst is not vetted"):
        add_intervention(number, PROGRAMME, by="coordinator-anna", today=TODAY)
    assert _interventions() == []
    assert "intervention_refused" in _journal_kinds(number)


def test_a_vetted_provider_is_accepted_until_its_follow_up_lapses(db: str) -> None:
    number = _case()
    register_provider("Exit Väst")
    vet_provider("Exit Väst", by="unit-head-eva", on=date(2026, 1, 10),
                 next_follow_up_due=date(2026, 12, 31))
    add_intervention(number, PROGRAMME, by="coordinator-anna", today=TODAY)
    with pytest.raises(InterventionRefused, match="due 2026-12-31 and has lapsed"):
        add_intervention(number, PROGRAMME, by="coordinator-anna", today=date(2027, 1, 1))
    record_follow_up("Exit Väst", verdict=FollowUpVerdict.SATISFACTORY, by="unit-head-eva",
                     on=date(2027, 1, 2), next_follow_up_due=date(2027, 7, 1))
    add_intervention(number, PROGRAMME, by="coordinator-anna", today=date(2027, 1, 3))
    assert [i.cost_sek for i in _interventions()] == [48_000, 48_000]
    with unit_of_work() as session:
        assert len(session.exec(select(ProviderFollowUp)).all()) == 1


def test_an_unsatisfactory_follow_up_stops_new_interventions(db: str) -> None:
    number = _case()
    register_provider("Exit Väst")
    vet_provider("Exit Väst", by="eva", on=date(2026, 1, 1), next_follow_up_due=date(2027, 1, 1))
    record_follow_up("Exit Väst", verdict=FollowUpVerdict.UNSATISFACTORY, by="eva", on=TODAY,
                     next_follow_up_due=date(2027, 6, 1))
    with pytest.raises(InterventionRefused, match="unsatisfactory"):
        add_intervention(number, PROGRAMME, by="coordinator-anna", today=TODAY)


def test_an_unknown_provider_is_named_in_the_error(db: str) -> None:
    with pytest.raises(ProviderNotFound, match="provider: no provider named 'Okänd'"):
        add_intervention(_case(), InterventionIn(
            kind=InterventionKind.TRUSTEE, start=TODAY, planned_end=TODAY, cost_sek=0,
            provider="Okänd"), by="coordinator-anna")


def test_the_plan_is_approved_with_its_total_in_kronor(db: str) -> None:
    number = _case()
    with pytest.raises(InterventionRefused, match="action_plan"):
        approve_plan(number, by="coordinator-anna")
    for kind, cost in ((InterventionKind.CONTACT_PERSON, 0),
                       (InterventionKind.DEBT_RESTRUCTURING, 12_500)):
        add_intervention(number, InterventionIn(kind=kind, start=TODAY,
                                                planned_end=date(2027, 1, 1), cost_sek=cost),
                         by="coordinator-anna", today=TODAY)
    assert approve_plan(number, by="coordinator-anna") == 12_500
    assert _journal_kinds(number).count("intervention_added") == 2
    assert "plan_approved" in _journal_kinds(number)
