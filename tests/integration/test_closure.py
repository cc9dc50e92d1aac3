"""Closure with an outcome, follow-up indicators, and reopening, on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters import repo
from adapters.db import unit_of_work
from models.enums import Outcome
from models.journal import replay
from tasks.cases import admit_case, snapshot
from tasks.closure import (
    ClosureError,
    close_with_outcome,
    indicators,
    record_indicators,
    reopen,
)
from tasks.intake import open_case
from tests.factories import referral
from utvag_cli.main import main


def _admitted() -> str:
    opened = open_case(referral(), now=datetime.now(UTC))
    admit_case.fn(opened.case_id)
    return opened.case_number


def _rebuilt(number: str) -> tuple[str, str, str | None]:
    with unit_of_work() as session:
        case = repo.find_case(session, number)
        state = replay(repo.journal_entries(session, case.id))
        assert (state.phase, state.status, state.outcome) == (case.phase, case.status,
                                                              case.outcome)
        return case.phase, case.status, case.outcome


def test_a_closed_case_keeps_its_outcome_and_a_reopened_one_keeps_both_in_the_journal(
        db: str) -> None:
    number = _admitted()
    close_with_outcome(number, outcome=Outcome.RELAPSED, by="coordinator-anna")
    assert _rebuilt(number) == ("after", "closed", "relapsed")
    reopen(number, by="coordinator-anna", reason="new intervention after relapse")
    assert _rebuilt(number) == ("during", "open", None)
    close_with_outcome(number, outcome=Outcome.COMPLETED, by="coordinator-anna")
    assert _rebuilt(number) == ("after", "closed", "completed")
    with unit_of_work() as session:
        case = repo.find_case(session, number)
        closed = [e.data["outcome"] for e in repo.journal_entries(session, case.id)
                  if e.kind == "closed"]
    assert closed == ["relapsed", "completed"]


def test_indicators_are_recorded_at_6_12_and_24_months_only(db: str) -> None:
    number = _admitted()
    close_with_outcome(number, outcome=Outcome.COMPLETED, by="coordinator-anna")
    for months in (6, 12):
        record_indicators(number, months=months, stable_housing=True, occupation=months == 12,
                          no_new_crime=True, by="coordinator-anna")
    with pytest.raises(ClosureError, match="months"):
        record_indicators(number, months=3, stable_housing=True, occupation=True,
                          no_new_crime=True, by="coordinator-anna")
    with unit_of_work() as session:
        case_id = repo.find_case(session, number).id
    rows = indicators(case_id)
    assert [(r.months, r.occupation) for r in rows] == [(6, False), (12, True)]


def test_a_case_never_admitted_cannot_be_closed_with_a_follow_up_outcome(db: str) -> None:
    opened = open_case(referral(), now=datetime.now(UTC))
    with pytest.raises(ClosureError, match="never admitted"):
        close_with_outcome(opened.case_number, outcome=Outcome.COMPLETED, by="a")
    assert snapshot(opened.case_id).status == "open"


def test_closing_on_the_command_line_names_a_bad_outcome_and_writes_nothing(
        db: str, capsys: pytest.CaptureFixture[str]) -> None:
    number = _admitted()
    assert main(["after", "close", number, "--outcome", "vanished", "--by", "a"]) == 2
    assert "outcome:" in capsys.readouterr().err
    assert _rebuilt(number)[1] == "admitted"
    assert main(["after", "close", number, "--outcome", "moved_abroad", "--by", "a"]) == 0
    assert _rebuilt(number) == ("after", "closed", "moved_abroad")
