"""Which cases recover-stalled-cases restarts: those that should be moving (before or
during phase, open or just admitted) and have not changed for a while; never a case
that waits, is blocked, is closed, or rests in the after phase."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from services.runtime import Runtime
from services.status import stalled_cases
from tests.factories import identity_number, open_case
from tests.fakes.clock import FakeClock


def _case(rt: Runtime, phase: str, status: str, serial: int) -> str:
    opened = open_case(rt, person={"identity_number": identity_number(serial=serial),
                                   "name": "Stalled Person"})
    with rt.db.engine.begin() as conn:
        conn.execute(text('UPDATE "case" SET phase = :phase, status = :status, '
                          "closed_at = CASE WHEN :closed THEN updated_at END WHERE id = :id"),
                     {"phase": phase, "status": status, "closed": status == "closed",
                      "id": opened.case_id})
    return opened.case_number


def test_moving_cases_untouched_for_a_while_are_stalled_and_no_others(
        rt: Runtime, clock: FakeClock) -> None:
    cases = {(phase, status): _case(rt, phase, status, serial)
             for serial, (phase, status) in enumerate([
                 ("before", "open"), ("during", "admitted"), ("during", "open"),
                 ("before", "waiting"), ("during", "waiting"), ("during", "blocked"),
                 ("after", "open"), ("after", "closed")], start=1)}  # 000 is never issued
    assert not stalled_cases(rt, quiet_for=timedelta(minutes=2)), "just changed: not stalled"
    clock.advance(minutes=5)
    stalled = set(stalled_cases(rt, quiet_for=timedelta(minutes=2)).values())
    assert stalled == {cases["before", "open"], cases["during", "admitted"],
                       cases["during", "open"]}
