"""Providers followed up while they work (`services.provider_watch`): an unsatisfactory or
lapsed follow-up makes every case with a running intervention from that provider wait
for a decision, once per occasion; the decision can end its interventions."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlmodel import select

from models.action_plan import FollowUpVerdict, InterventionKind
from models.during_tables import Intervention
from services import action_plan, closure, provider_watch
from services.action_plan import InterventionIn
from services.runtime import Runtime
from tests.fakes.clock import FakeClock
from tests.sweep_support import admitted_case, count

TODAY = date(2026, 11, 2)


def _provider(rt: Runtime, name: str, *, due: date) -> None:
    action_plan.register_provider(rt, name)
    action_plan.vet_provider(rt, name, by="granskare", on=date(2026, 1, 10),
                             next_follow_up_due=due)


def _buy(rt: Runtime, case_id: uuid.UUID, provider: str, *, start: date, end: date) -> int:
    return action_plan.add_intervention(rt, case_id, InterventionIn(
        kind=InterventionKind.INDIVIDUAL_COACHING, start=start, planned_end=end,
        cost_sek=20_000, provider=provider), by="h1")


def _waits(rt: Runtime, case_id: uuid.UUID, *, open_only: bool = True) -> int:
    return count(rt, "SELECT count(*) FROM case_wait WHERE case_id = :c AND kind = "
                 f"'provider_follow_up'{' AND answered_at IS NULL' if open_only else ''}",
                 c=case_id)


def test_an_unsatisfactory_follow_up_asks_every_case_the_provider_works_in(
        rt: Runtime) -> None:
    _provider(rt, "Coachen AB", due=TODAY + timedelta(days=90))
    running, other, ended, closed = (admitted_case(rt, 700 + i) for i in range(4))
    coaching = _buy(rt, running.case_id, "Coachen AB", start=date(2026, 6, 1),
                    end=date(2027, 6, 1))
    _buy(rt, other.case_id, "Coachen AB", start=date(2026, 9, 1), end=date(2027, 1, 31))
    _buy(rt, ended.case_id, "Coachen AB", start=date(2026, 1, 1), end=date(2026, 6, 30))
    _buy(rt, closed.case_id, "Coachen AB", start=date(2026, 6, 1), end=date(2027, 6, 1))
    closure.close_with_outcome(rt, closed.case_id, outcome=closure.Outcome.COMPLETED, by="c")

    action_plan.record_follow_up(rt, "Coachen AB", verdict=FollowUpVerdict.UNSATISFACTORY,
                                 by="granskare", on=TODAY,
                                 next_follow_up_due=TODAY + timedelta(days=30))
    assert [_waits(rt, c.case_id) for c in (running, other, ended, closed)] == [1, 1, 0, 0]
    # The same occasion never asks twice, even after it was answered.
    done = provider_watch.answer_concern(rt, running.case_number, provider_id=_id(rt),
                                         decision="end_interventions", by="h1")
    assert done.ended == 1
    assert provider_watch.check_lapsed(rt) == 0
    assert _waits(rt, running.case_id) == 0
    with rt.uow() as session:
        row = session.get(Intervention, coaching)
    assert row is not None and row.planned_end == TODAY
    assert count(rt, "SELECT count(*) FROM case_journal WHERE case_id = :c AND kind = "
                 "'provider_concern'", c=running.case_id) == 2


def _id(rt: Runtime) -> int:
    from models.during_tables import Provider

    with rt.uow() as session:
        found = session.exec(select(Provider.id).where(Provider.name == "Coachen AB")).one()
    assert found is not None
    return int(found)


def test_a_lapsed_follow_up_is_caught_by_the_scheduled_check_once_per_lapse(
        rt: Runtime, clock: FakeClock) -> None:
    _provider(rt, "Coachen AB", due=TODAY + timedelta(days=10))
    case = admitted_case(rt, 710)
    _buy(rt, case.case_id, "Coachen AB", start=date(2026, 10, 1), end=date(2027, 6, 1))
    assert provider_watch.check_lapsed(rt) == 0  # not due yet

    clock.advance(days=11)
    assert provider_watch.check_lapsed(rt) == 1
    assert provider_watch.check_lapsed(rt) == 0
    provider_watch.answer_concern(rt, case.case_id, provider_id=_id(rt), decision="keep",
                                  by="h1")
    assert provider_watch.check_lapsed(rt) == 0  # answered: the same lapse asks no more
    # A report that is late again is a new lapse.
    action_plan.record_follow_up(rt, "Coachen AB", verdict=FollowUpVerdict.SATISFACTORY,
                                 by="granskare", on=clock.now().date(),
                                 next_follow_up_due=clock.now().date() + timedelta(days=5))
    clock.advance(days=6)
    assert provider_watch.check_lapsed(rt) == 1
    assert _waits(rt, case.case_id, open_only=False) == 2
