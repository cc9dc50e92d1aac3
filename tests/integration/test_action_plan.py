"""The action plan on PostgreSQL: provider registry, vetting, follow-ups, refusals. The
day an intervention is checked on is the runtime's clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from adapters.repositories import cases, journal
from models.action_plan import FollowUpVerdict, InterventionKind, InterventionRefused
from models.during_tables import Intervention, ProviderFollowUp
from services.action_plan import (
    InterventionIn,
    ProviderNotFound,
    add_intervention,
    approve_plan,
    record_follow_up,
    register_provider,
    vet_provider,
)
from services.runtime import Runtime
from tests.factories import open_case
from tests.fakes.clock import FakeClock

TODAY = date(2026, 11, 25)
PROGRAMME = InterventionIn(kind=InterventionKind.CRIMINAL_THINKING_PROGRAMME, start=TODAY,
                           planned_end=date(2027, 5, 1), cost_sek=48_000, provider="Exit Väst")


def _on(clock: FakeClock, day: date) -> None:
    clock.set(datetime(day.year, day.month, day.day, 10, tzinfo=UTC))


def _interventions(rt: Runtime) -> list[Intervention]:
    with rt.uow() as session:
        return list(session.exec(select(Intervention)))


def _journal_kinds(rt: Runtime, number: str) -> list[str]:
    with rt.uow() as session:
        return [e.kind for e in journal.entries(session, cases.find_case(session, number).id)]


@pytest.fixture()
def number(rt: Runtime, clock: FakeClock) -> str:
    _on(clock, TODAY)
    return open_case(rt).case_number


def test_an_unvetted_provider_is_refused_nothing_written_and_the_refusal_journaled(
        rt: Runtime, number: str) -> None:
    register_provider(rt, "Exit Väst")
    with pytest.raises(InterventionRefused, match="Exit Väst is not vetted"):
        add_intervention(rt, number, PROGRAMME, by="coordinator-anna")
    assert _interventions(rt) == []
    assert "intervention_refused" in _journal_kinds(rt, number)


def test_a_vetted_provider_is_accepted_until_its_follow_up_lapses(
        rt: Runtime, clock: FakeClock, number: str) -> None:
    register_provider(rt, "Exit Väst")
    vet_provider(rt, "Exit Väst", by="unit-head-eva", on=date(2026, 1, 10),
                 next_follow_up_due=date(2026, 12, 31))
    add_intervention(rt, number, PROGRAMME, by="coordinator-anna")
    _on(clock, date(2027, 1, 1))
    with pytest.raises(InterventionRefused, match="due 2026-12-31 and has lapsed"):
        add_intervention(rt, number, PROGRAMME, by="coordinator-anna")
    record_follow_up(rt, "Exit Väst", verdict=FollowUpVerdict.SATISFACTORY, by="unit-head-eva",
                     on=date(2027, 1, 2), next_follow_up_due=date(2027, 7, 1))
    _on(clock, date(2027, 1, 3))
    add_intervention(rt, number, PROGRAMME, by="coordinator-anna")
    assert [i.cost_sek for i in _interventions(rt)] == [48_000, 48_000]
    with rt.uow() as session:
        assert len(session.exec(select(ProviderFollowUp)).all()) == 1


def test_an_unsatisfactory_follow_up_stops_new_interventions(rt: Runtime, number: str) -> None:
    register_provider(rt, "Exit Väst")
    vet_provider(rt, "Exit Väst", by="eva", on=date(2026, 1, 1),
                 next_follow_up_due=date(2027, 1, 1))
    record_follow_up(rt, "Exit Väst", verdict=FollowUpVerdict.UNSATISFACTORY, by="eva",
                     on=TODAY, next_follow_up_due=date(2027, 6, 1))
    with pytest.raises(InterventionRefused, match="unsatisfactory"):
        add_intervention(rt, number, PROGRAMME, by="coordinator-anna")


def test_an_unknown_provider_is_named_in_the_error(rt: Runtime, number: str) -> None:
    with pytest.raises(ProviderNotFound, match="provider: no provider named 'Okänd'"):
        add_intervention(rt, number, InterventionIn(
            kind=InterventionKind.TRUSTEE, start=TODAY, planned_end=TODAY, cost_sek=0,
            provider="Okänd"), by="coordinator-anna")


def test_the_plan_is_approved_with_its_total_in_kronor(rt: Runtime, number: str) -> None:
    with pytest.raises(InterventionRefused, match="action_plan"):
        approve_plan(rt, number, by="coordinator-anna")
    for kind, cost in ((InterventionKind.CONTACT_PERSON, 0),
                       (InterventionKind.DEBT_RESTRUCTURING, 12_500)):
        add_intervention(rt, number, InterventionIn(kind=kind, start=TODAY,
                                                    planned_end=date(2027, 1, 1), cost_sek=cost),
                         by="coordinator-anna")
    assert approve_plan(rt, number, by="coordinator-anna") == 12_500
    assert _journal_kinds(rt, number).count("intervention_added") == 2
    assert "plan_approved" in _journal_kinds(rt, number)
