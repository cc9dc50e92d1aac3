"""Closure with an outcome, follow-up indicators, and reopening, on PostgreSQL."""

from __future__ import annotations

import pytest

from adapters.repositories import cases, journal
from models.enums import Outcome
from models.journal import replay
from services import snapshot
from services.closure import (
    CLOSURE_OUTCOMES,
    ClosureError,
    close_with_outcome,
    indicators,
    record_indicators,
    reopen,
)
from services.runtime import Runtime
from tests.factories import open_case
from tests.states import admitted, in_after_phase


def _rebuilt(rt: Runtime, number: str) -> tuple[str, str, str | None]:
    """The case's phase, status and outcome, checked against its journal's replay."""
    with rt.uow() as session:
        case = cases.find_case(session, number)
        state = replay(journal.entries(session, case.id))
        assert (state.phase, state.status, state.outcome) == (case.phase, case.status,
                                                              case.outcome)
        return case.phase, case.status, case.outcome


def test_a_closed_case_keeps_its_outcome_and_a_reopened_one_keeps_both_in_the_journal(
        rt: Runtime) -> None:
    number = admitted(rt).case_number
    close_with_outcome(rt, number, outcome=Outcome.RELAPSED, by="coordinator-anna")
    assert _rebuilt(rt, number) == ("after", "closed", "relapsed")
    with pytest.raises(ClosureError, match="already closed"):
        close_with_outcome(rt, number, outcome=Outcome.COMPLETED, by="coordinator-anna")
    reopen(rt, number, by="coordinator-anna", reason="new intervention after relapse")
    assert _rebuilt(rt, number) == ("during", "open", None)
    with pytest.raises(ClosureError, match="is not closed"):
        reopen(rt, number, by="coordinator-anna", reason="twice")
    close_with_outcome(rt, number, outcome=Outcome.COMPLETED, by="coordinator-anna")
    assert _rebuilt(rt, number) == ("after", "closed", "completed")
    with rt.uow() as session:
        case = cases.find_case(session, number)
        closed = [e.data["outcome"] for e in journal.entries(session, case.id)
                  if e.kind == "closed"]
    assert closed == ["relapsed", "completed"]


def test_indicators_are_recorded_at_6_12_and_24_months_only(rt: Runtime) -> None:
    opened = in_after_phase(rt)
    close_with_outcome(rt, opened.case_number, outcome=Outcome.COMPLETED, by="coordinator-anna")
    for months in (6, 12):
        record_indicators(rt, opened.case_number, months=months, stable_housing=True,
                          occupation=months == 12, no_new_crime=True, by="coordinator-anna")
    with pytest.raises(ClosureError, match="months"):
        record_indicators(rt, opened.case_number, months=3, stable_housing=True,
                          occupation=True, no_new_crime=True, by="coordinator-anna")
    record_indicators(rt, opened.case_number, months=6, stable_housing=False, occupation=True,
                      no_new_crime=True, by="coordinator-anna")
    rows = indicators(rt, opened.case_id)
    assert [(r.months, r.stable_housing, r.occupation) for r in rows] == [
        (6, False, True), (12, True, True)], "a second report at 6 months replaces the first"


def test_a_case_never_admitted_cannot_be_closed_with_a_follow_up_outcome(rt: Runtime) -> None:
    opened = open_case(rt)
    with pytest.raises(ClosureError, match="never admitted"):
        close_with_outcome(rt, opened.case_number, outcome=Outcome.COMPLETED, by="a")
    assert snapshot.load(rt, opened.case_id).status == "open"


@pytest.mark.parametrize("outcome", [o for o in Outcome if o not in CLOSURE_OUTCOMES])
def test_an_outcome_of_screening_is_no_closure_outcome_and_nothing_is_written(
        rt: Runtime, outcome: Outcome) -> None:
    """What `utvag after close` shows for a bad outcome: the field and the allowed values."""
    number = admitted(rt).case_number
    before = _rebuilt(rt, number)
    with pytest.raises(ClosureError, match="outcome: one of completed, dropped_out"):
        close_with_outcome(rt, number, outcome=outcome, by="a")
    assert _rebuilt(rt, number) == before == ("during", "waiting", None)
    close_with_outcome(rt, number, outcome=Outcome.MOVED_ABROAD, by="a")
    assert _rebuilt(rt, number) == ("after", "closed", "moved_abroad")
