"""`utvag case ...` and `utvag during ...` as a person runs them: through the case
service (in-process, on PostgreSQL) with their login. Bad input names the field, exits
2 and writes nothing; an answer is recorded as the logged-in person, then the case is
woken; `case show` renders the case view, journaled before anything is shown."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlmodel import select

from adapters.repositories import journal
from models.during_tables import Intervention, NeedsAssessment, Provider
from models.tables import EligibilityAnswer
from services.runtime import Runtime
from tests.factories import TOLVAN, TOLVAN_NAME, open_case
from tests.fakes.runs import FakeRuns
from tests.service import tokens as u
from tests.service_cli import Utvag, service_app, service_client

COORDINATOR = u.COORDINATOR_STHLM  # of the placing municipality (0180) of open_case()


@pytest.fixture()
def waker() -> FakeRuns:
    return FakeRuns()


@pytest.fixture()
def app(rt: Runtime, waker: FakeRuns) -> FastAPI:
    return service_app(rt, waker)


@pytest.fixture()
def utvag(app: FastAPI) -> Utvag:
    return Utvag(service_client(app), COORDINATOR)


def _shown(rt: Runtime, case_id: Any) -> list[tuple[str, str]]:
    with rt.uow() as session:
        return [(e.actor, e.reason) for e in journal.entries(session, case_id)
                if e.kind == "read" and "case shown" in e.reason]


def test_an_intervention_from_an_unvetted_provider_is_refused_on_the_command_line(
        rt: Runtime, utvag: Utvag) -> None:
    number = open_case(rt).case_number
    assert utvag("during", "provider", "add", "Snabbhjälp AB") == 0
    assert utvag.out == "provider Snabbhjälp AB: registered\n"
    intervention = ["during", "intervention", number, "--kind", "individual_coaching",
                    "--start", "2026-12-01", "--end", "2027-06-01", "--cost", "20000",
                    "--provider", "Snabbhjälp AB"]
    assert utvag(*intervention) == 2
    assert "Snabbhjälp AB is not vetted" in utvag.err
    assert utvag("during", "provider", "vet", "Snabbhjälp AB", "--on", "2026-11-01",
                 "--follow-up-due", "2099-01-01") == 0
    assert utvag(*intervention) == 0
    assert utvag.out == f"{number}: intervention individual_coaching added (20000 kr)\n"
    with rt.uow() as session:
        [row] = session.exec(select(Intervention)).all()
        vetted_by = session.exec(select(Provider.vetted_by)).one()
    assert row.cost_sek == 20_000
    assert vetted_by == COORDINATOR.staff_id, "recorded as the person logged in"


@pytest.mark.parametrize(("argv", "message"), [
    (["--need", "everything"], "error: need: one of financial_support, housing"),
    (["--need", "housing", "--network", "cousin"], "error: network: one of family"),
])
def test_a_bad_needs_assessment_names_the_field_and_writes_nothing(
        rt: Runtime, utvag: Utvag, waker: FakeRuns, argv: list[str], message: str) -> None:
    assert utvag("during", "needs", open_case(rt).case_number, *argv) == 2
    assert utvag.err.startswith(message)
    with rt.uow() as session:
        assert session.exec(select(NeedsAssessment)).all() == []
    assert waker.woken == [], "nothing recorded, nothing woken"


def test_a_cost_in_decimals_is_refused(rt: Runtime, utvag: Utvag) -> None:
    assert utvag("during", "intervention", open_case(rt).case_number, "--kind", "trustee",
                 "--start", "2026-12-01", "--end", "2026-12-02", "--cost", "99.50") == 2
    assert utvag.err == "error: cost: whole kronor (digits only, e.g. 48000)\n"


@pytest.mark.parametrize(("argv", "message"), [
    (["--criterion", "is_nice", "--holds", "yes"], "error: criterion: one of meets_definition"),
    (["--criterion", "motivated", "--holds", "perhaps"], "error: holds: answer yes or no"),
])
def test_a_bad_decision_names_the_field_and_writes_nothing(
        rt: Runtime, utvag: Utvag, waker: FakeRuns, argv: list[str], message: str) -> None:
    opened = open_case(rt)
    with rt.uow() as session:
        before = session.exec(select(EligibilityAnswer)).all()
    assert utvag("case", "decide", opened.case_number, *argv) == 2
    assert utvag.err.startswith(message) and utvag.err.count("\n") == 1
    with rt.uow() as session:
        assert session.exec(select(EligibilityAnswer)).all() == before
    assert waker.woken == []


def test_an_answer_is_recorded_as_the_person_logged_in_then_the_case_is_woken(
        rt: Runtime, utvag: Utvag, waker: FakeRuns) -> None:
    opened = open_case(rt)
    assert utvag("case", "decide", opened.case_number, "--criterion", "signed_conditions",
                 "--holds", "no", "--note", "not yet") == 0
    assert utvag.out == f"{opened.case_number}: signed_conditions recorded (does not hold)\n"
    assert utvag("case", "consent", opened.case_number, "--agency", "tax_agency") == 0
    assert utvag.out == f"{opened.case_number}: consent given for tax_agency\n"
    assert utvag("during", "needs", opened.case_number, "--need", "housing",
                 "--need", "debts") == 0
    assert "needs recorded (housing, debts)" in utvag.out
    assert waker.woken == [opened.case_id] * 3
    with rt.uow() as session:
        entries = journal.entries(session, opened.case_id)[-3:]
    assert [e.kind for e in entries] == ["decision", "consent", "needs_assessed"]
    assert {e.actor for e in entries} == {COORDINATOR.staff_id}


def test_by_is_refused_the_actor_is_the_login(rt: Runtime, utvag: Utvag,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    opened = open_case(rt)
    with pytest.raises(SystemExit) as exited:
        utvag("case", "decide", opened.case_number, "--criterion", "motivated",
              "--holds", "yes", "--by", "police-coordinator")
    assert exited.value.code == 2
    assert "by: you act as the person logged in" in capsys.readouterr().err


def test_an_unknown_case_and_a_case_of_another_municipality_say_the_same(
        rt: Runtime, utvag: Utvag) -> None:
    opened = open_case(rt)
    assert utvag("case", "show", "UTV-2026-999999") == 2
    nowhere = utvag.err
    other = utvag.as_(u.COORDINATOR_GBG)
    assert other("case", "show", opened.case_number) == 2
    assert other.err == nowhere == "error: not found (no such case, or not yours to see)\n"
    assert other.out == ""


@pytest.mark.parametrize("case", ["UTV-2026-1", "../audit/access-log", "UTV-2026-000001?x=1"])
def test_a_malformed_case_number_is_refused_before_anything_is_sent(
        utvag: Utvag, case: str) -> None:
    assert utvag("case", "show", case) == 2
    assert utvag.err == "error: case: a case number, UTV-YYYY-NNNNNN\n"


def test_without_a_valid_login_the_person_is_told_to_log_in(rt: Runtime, utvag: Utvag) -> None:
    expired = Utvag(utvag.client, COORDINATOR, token=lambda: COORDINATOR.token(exp=1))
    assert expired("case", "show", open_case(rt).case_number) == 1
    assert expired.err == ("error: the service did not accept your login: log in with "
                           "`utvag login`\n") and expired.out == ""


def test_case_show_groups_the_timeline_by_phase_and_shows_the_plan(
        rt: Runtime, utvag: Utvag) -> None:
    opened = open_case(rt)
    assert utvag("during", "intervention", opened.case_number, "--kind", "debt_restructuring",
                 "--start", "2026-12-01", "--end", "2027-12-01", "--cost", "12500") == 0
    assert utvag("case", "show", opened.case_number) == 0
    lines = utvag.out.splitlines()
    assert lines[0] == f"{opened.case_number}  before / open"
    assert lines[1].startswith(f"  person:       {TOLVAN_NAME}, ")
    assert "  criterion meets_definition         yes  coordinator-anna" in utvag.out
    assert "-- before phase --" in utvag.out
    assert "debt_restructuring" in utvag.out and "12500 kr" in utvag.out
    assert _shown(rt, opened.case_id) == [
        (COORDINATOR.staff_id, "case shown to municipality:0180")]


class HeadTwo(io.StringIO):
    """A reader that goes away after two lines, as `| head -2` does."""

    def write(self, text: str) -> int:
        if self.getvalue().count("\n") >= 2:
            raise BrokenPipeError(32, "Broken pipe")
        return super().write(text)


def test_case_show_piped_into_head_has_journaled_the_read(rt: Runtime, utvag: Utvag) -> None:
    opened = open_case(rt)
    head = HeadTwo()
    code = utvag("case", "show", opened.case_number, stdout=head)
    assert head.getvalue().count("\n") == 2 and TOLVAN.replace("-", "") in head.getvalue()
    assert code == 141, "the reader went away: the shell's SIGPIPE status, no traceback"
    assert utvag.err == ""
    assert _shown(rt, opened.case_id) == [
        (COORDINATOR.staff_id, "case shown to municipality:0180")], "shown, so journaled"
    with rt.db.engine.connect() as conn:
        logged = conn.execute(text("SELECT staff_id, outcome FROM access_log "
                                   "WHERE action = 'case.show'")).all()
    assert [tuple(r) for r in logged] == [(COORDINATOR.staff_id, "allowed")]


def test_a_bad_closing_outcome_names_the_field_and_writes_nothing(
        rt: Runtime, utvag: Utvag, app: FastAPI) -> None:
    opened = open_case(rt)
    with rt.uow() as session:
        before = len(journal.entries(session, opened.case_id))
    assert utvag("after", "close", opened.case_number, "--outcome", "finished") == 2
    assert utvag.err.startswith("error: outcome: completed, dropped_out") and \
        utvag.err.count("\n") == 1
    # The service says the same to a client that skips the command line's check.
    refused = service_client(app).post(f"/api/v1/cases/{opened.case_number}/closure",
                                       json={"outcome": "finished"},
                                       headers=COORDINATOR.headers())
    assert refused.status_code == 422 and "outcome" in refused.text
    with rt.uow() as session:
        assert len(journal.entries(session, opened.case_id)) == before  # nothing closed
