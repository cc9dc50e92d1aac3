"""Which cases recover-stalled-cases restarts: those that should be moving (before or
during phase, open or just admitted) and have not changed for a while; never a case
that waits, is blocked, is closed, or rests in the after phase."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from adapters.db import get_engine
from tasks.intake import open_case
from tasks.stalled import stalled_cases
from tests.factories import identity_number, referral


def _case(phase: str, status: str, serial: int) -> str:
    opened = open_case(referral(person={"identity_number": identity_number(serial=serial),
                                        "name": "Stalled Person"}), now=datetime.now(UTC))
    with get_engine().begin() as conn:
        conn.execute(text('UPDATE "case" SET phase = :phase, status = :status, '
                          "closed_at = CASE WHEN :closed THEN now() END WHERE id = :id"),
                     {"phase": phase, "status": status, "closed": status == "closed",
                      "id": opened.case_id})
    return opened.case_number


def test_moving_cases_untouched_for_a_while_are_stalled_and_no_others(db: str) -> None:
    cases = {(phase, status): _case(phase, status, serial)
             for serial, (phase, status) in enumerate([
                 ("before", "open"), ("during", "admitted"), ("during", "open"),
                 ("before", "waiting"), ("during", "waiting"), ("during", "blocked"),
                 ("after", "open"), ("after", "closed")])}
    later = datetime.now(UTC) + timedelta(minutes=5)
    stalled = set(stalled_cases(quiet_for=timedelta(minutes=2), at=later).values())
    assert stalled == {cases["before", "open"], cases["during", "admitted"],
                       cases["during", "open"]}
    assert not stalled_cases(quiet_for=timedelta(minutes=2)), "recently changed: not stalled"
