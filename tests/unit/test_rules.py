from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models.enums import Criterion
from models.journal import Kind, replay
from models.rules import COORDINATOR_CRITERIA, Verdict, format_case_number, is_overdue, screen

ALL_HOLD = {c: True for c in Criterion}


def test_all_six_criteria_holding_is_eligible() -> None:
    assert screen(ALL_HOLD).verdict == Verdict.ELIGIBLE


def test_a_witness_is_routed_out_even_when_everything_else_is_unknown() -> None:
    result = screen({Criterion.NOT_WITNESS: False})
    assert result.verdict == Verdict.WITNESS


def test_a_criterion_that_does_not_hold_ends_screening_before_unknowns() -> None:
    result = screen({Criterion.MOTIVATED: False})
    assert result.verdict == Verdict.NOT_ELIGIBLE
    assert result.failed == (Criterion.MOTIVATED,)


@pytest.mark.parametrize("missing", list(Criterion))
def test_each_unknown_criterion_makes_the_case_wait(missing: Criterion) -> None:
    answers: dict[Criterion, bool | None] = {**ALL_HOLD, missing: None}
    result = screen(answers)
    assert result.verdict == Verdict.UNKNOWN and result.missing == (missing,)


def test_coordinator_screening_leaves_the_social_services_criterion_to_the_agency() -> None:
    answers = {c: True for c in COORDINATOR_CRITERIA}
    assert screen(answers, criteria=COORDINATOR_CRITERIA).verdict == Verdict.ELIGIBLE
    assert screen(answers).verdict == Verdict.UNKNOWN


def test_case_numbers_have_the_documented_shape() -> None:
    assert format_case_number(2026, 42) == "UTV-2026-000042"
    with pytest.raises(ValueError, match="case number"):
        format_case_number(2026, 1_000_000)


def test_a_wait_is_overdue_only_when_unanswered_past_its_deadline() -> None:
    now = datetime(2026, 11, 25, tzinfo=UTC)
    past = now - timedelta(seconds=1)
    assert is_overdue(deadline=past, answered_at=None, now=now)
    assert not is_overdue(deadline=past, answered_at=past, now=now)
    assert not is_overdue(deadline=now + timedelta(days=1), answered_at=None, now=now)


class _Entry:
    def __init__(self, kind: Kind, phase: str, status: str, reason: str = "",
                 data: dict[str, object] | None = None) -> None:
        self.kind, self.phase, self.status, self.reason = kind.value, phase, status, reason
        self.data = data or {}


def test_replaying_the_journal_gives_the_final_state() -> None:
    entries = [
        _Entry(Kind.OPENED, "before", "open"),
        _Entry(Kind.WAIT_OPENED, "before", "waiting"),
        _Entry(Kind.BLOCKED, "before", "blocked", "police: HTTP 422"),
    ]
    assert replay(entries).blocked_reason == "police: HTTP 422"
    entries.append(_Entry(Kind.CLOSED, "before", "closed", data={"outcome": "not_eligible"}))
    state = replay(entries)
    assert (state.status, state.outcome, state.blocked_reason) == ("closed", "not_eligible", None)


def test_an_empty_journal_is_not_a_case() -> None:
    with pytest.raises(ValueError, match="journal"):
        replay([])
