"""`utvag demo advance` answers for people only on a database `utvag run` set up as a
demo (the marker `installation.demo`, services/installation.py)."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from adapters.repositories import journal
from models.enums import Criterion, WaitKind
from models.waits import Wait
from services import answers, installation, views, waits
from services.runtime import Runtime
from tests.factories import open_case
from tests.fakes.runs import FakeRuns
from utvag_cli.main import main


@pytest.fixture()
def clean_rt(rt: Runtime) -> Iterator[Runtime]:
    """The runtime on a database not marked as a demo (before and after)."""
    def forget() -> None:
        with rt.uow() as session:
            session.execute(text("DELETE FROM installation WHERE key = 'demo'"))

    forget()
    yield rt
    forget()


def _waiting_for_a_coordinator(rt: Runtime) -> str:
    opened = open_case(rt)
    waits.open_waits(rt, opened.case_id, [Wait.criterion(Criterion.SIGNED_CONDITIONS)])
    return opened.case_number


def test_demo_advance_refuses_on_a_database_that_is_not_a_demo(clean_rt: Runtime) -> None:
    rt = clean_rt
    number = _waiting_for_a_coordinator(rt)
    case = views.waiting(rt, number)
    with rt.uow() as session:
        before = len(journal.entries(session, case.case_id))
    shown, errors, runs = io.StringIO(), io.StringIO(), FakeRuns()
    code = main(["demo", "advance", number], runtime=rt, runs=runs, stdout=shown,
                stderr=errors)
    assert code == 2
    assert "not a demo" in errors.getvalue() and "utvag run" in errors.getvalue()
    assert "Traceback" not in errors.getvalue() and shown.getvalue() == ""
    with rt.uow() as session:
        assert len(journal.entries(session, case.case_id)) == before
    assert [w.kind for w in views.waiting(rt, number).waits] == [WaitKind.COORDINATOR_ANSWER]
    assert runs.woken == []
    assert installation.is_demo(rt) is False


def test_demo_advance_answers_on_a_database_marked_as_a_demo(clean_rt: Runtime) -> None:
    rt = clean_rt
    assert installation.mark_demo(rt) is True
    assert installation.mark_demo(rt) is False  # once; `utvag run` again reuses it
    number = _waiting_for_a_coordinator(rt)
    shown, runs = io.StringIO(), FakeRuns()
    assert main(["demo", "advance", number], runtime=rt, runs=runs, stdout=shown) == 0
    assert "answered coordinator_answer" in shown.getvalue()
    assert views.waiting(rt, number).waits == [] and len(runs.woken) == 1
    assert WaitKind.COORDINATOR_ANSWER in answers.ANSWERS


def test_a_database_with_cases_is_never_made_a_demo(clean_rt: Runtime) -> None:
    rt = clean_rt
    open_case(rt)
    with pytest.raises(installation.NotADemo, match="not a demo"):
        installation.mark_demo(rt)
    assert installation.is_demo(rt) is False
