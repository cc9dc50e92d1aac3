"""`utvag case ...` and `utvag during ...` on PostgreSQL: bad input names the field,
exits 2 and writes nothing; an answer is recorded, then the case is woken; `case show`
renders the case view, and journals the read before it shows anything."""

from __future__ import annotations

import io
from typing import Any

import pytest
from sqlmodel import select

from adapters.repositories import journal
from models.during_tables import Intervention, NeedsAssessment, Provider
from models.tables import EligibilityAnswer
from services.runtime import Runtime
from tests.factories import TOLVAN, TOLVAN_NAME, open_case
from tests.fakes.runs import FakeRuns
from utvag_cli.main import main


class Cli:
    """`utvag` in-process on the test's runtime, with fake flow runs."""

    def __init__(self, rt: Runtime) -> None:
        self.rt, self.runs = rt, FakeRuns()
        self.out, self.err = io.StringIO(), io.StringIO()

    def __call__(self, *argv: str, **streams: Any) -> int:
        self.out, self.err = io.StringIO(), io.StringIO()
        return main(list(argv), runtime=self.rt, runs=self.runs,
                    **{"stdout": self.out, "stderr": self.err, **streams})


@pytest.fixture()
def utvag(rt: Runtime) -> Cli:
    return Cli(rt)


def _shown_reads(rt: Runtime, case_id: Any) -> list[str]:
    with rt.uow() as session:
        return [e.reason for e in journal.entries(session, case_id)
                if e.kind == "note" and "case shown" in e.reason]


def test_an_intervention_from_an_unvetted_provider_is_refused_on_the_command_line(
        rt: Runtime, utvag: Cli) -> None:
    number = open_case(rt).case_number
    assert utvag("during", "provider", "add", "Snabbhjälp AB") == 0
    intervention = ["during", "intervention", number, "--kind", "individual_coaching",
                    "--start", "2026-12-01", "--end", "2027-06-01", "--cost", "20000",
                    "--provider", "Snabbhjälp AB", "--by", "coordinator-anna"]
    assert utvag(*intervention) == 2
    assert "Snabbhjälp AB is not vetted" in utvag.err.getvalue()
    assert utvag("during", "provider", "vet", "Snabbhjälp AB", "--on", "2026-11-01",
                 "--follow-up-due", "2099-01-01", "--by", "unit-head-eva") == 0
    assert utvag(*intervention) == 0
    with rt.uow() as session:
        [row] = session.exec(select(Intervention)).all()
        vetted_by = session.exec(select(Provider.vetted_by)).one()
    assert (row.cost_sek, vetted_by) == (20_000, "unit-head-eva")


@pytest.mark.parametrize(("argv", "message"), [
    (["--need", "everything"], "need: one of financial_support, housing"),
    (["--need", "housing", "--network", "cousin"], "network: one of family"),
])
def test_a_bad_needs_assessment_names_the_field_and_writes_nothing(
        rt: Runtime, utvag: Cli, argv: list[str], message: str) -> None:
    assert utvag("during", "needs", open_case(rt).case_number, *argv,
                 "--by", "coordinator-anna") == 2
    assert message in utvag.err.getvalue()
    with rt.uow() as session:
        assert session.exec(select(NeedsAssessment)).all() == []
    assert utvag.runs.woken == [], "nothing recorded, nothing woken"


def test_a_cost_in_decimals_is_refused(rt: Runtime, utvag: Cli) -> None:
    assert utvag("during", "intervention", open_case(rt).case_number, "--kind", "trustee",
                 "--start", "2026-12-01", "--end", "2026-12-02", "--cost", "99.50",
                 "--by", "a") == 2
    assert "cost: whole kronor" in utvag.err.getvalue()


@pytest.mark.parametrize(("argv", "message"), [
    (["--criterion", "is_nice", "--holds", "yes"], "criterion: one of meets_definition"),
    (["--criterion", "motivated", "--holds", "perhaps"], "holds: answer yes or no"),
])
def test_a_bad_decision_names_the_field_and_writes_nothing(
        rt: Runtime, utvag: Cli, argv: list[str], message: str) -> None:
    opened = open_case(rt)
    with rt.uow() as session:
        before = session.exec(select(EligibilityAnswer)).all()
    assert utvag("case", "decide", opened.case_number, *argv, "--by", "anna") == 2
    assert message in utvag.err.getvalue() and "Traceback" not in utvag.err.getvalue()
    with rt.uow() as session:
        assert session.exec(select(EligibilityAnswer)).all() == before
    assert utvag.runs.woken == []


def test_an_answer_is_recorded_then_the_case_is_woken(rt: Runtime, utvag: Cli) -> None:
    opened = open_case(rt)
    assert utvag("case", "decide", opened.case_number, "--criterion", "signed_conditions",
                 "--holds", "no", "--by", "anna", "--note", "not yet") == 0
    assert utvag.out.getvalue() == (f"{opened.case_number}: signed_conditions recorded "
                                    "(does not hold); flow resumed\n")
    assert utvag("case", "consent", opened.case_number, "--agency", "tax_agency",
                 "--by", "anna") == 0
    assert "consent given for tax_agency; flow resumed" in utvag.out.getvalue()
    assert utvag("during", "needs", opened.case_number, "--need", "housing", "--need", "debts",
                 "--by", "anna") == 0
    assert "needs recorded (housing, debts)" in utvag.out.getvalue()
    assert utvag.runs.woken == [opened.case_id] * 3
    with rt.uow() as session:
        kinds = [e.kind for e in journal.entries(session, opened.case_id)]
    assert kinds[-3:] == ["decision", "consent", "needs_assessed"]


def test_an_unknown_case_is_named_and_exits_2(rt: Runtime, utvag: Cli) -> None:
    assert utvag("case", "show", "UTV-2026-999999") == 2
    assert utvag.err.getvalue() == "error: case: no case UTV-2026-999999\n"


def test_case_show_groups_the_timeline_by_phase_and_shows_the_plan(
        rt: Runtime, utvag: Cli) -> None:
    opened = open_case(rt)
    assert utvag("during", "intervention", opened.case_number, "--kind", "debt_restructuring",
                 "--start", "2026-12-01", "--end", "2027-12-01", "--cost", "12500",
                 "--by", "a") == 0
    assert utvag("case", "show", opened.case_number) == 0
    shown = utvag.out.getvalue()
    lines = shown.splitlines()
    assert lines[0] == f"{opened.case_number}  before / open"
    assert lines[1].startswith(f"  person:       {TOLVAN_NAME}, ")
    assert "  criterion meets_definition         yes  coordinator-anna" in shown
    assert "-- before phase --" in shown
    assert "debt_restructuring" in shown and "12500 kr" in shown
    assert _shown_reads(rt, opened.case_id) == [
        "case shown with personal data (utvag case show)"]


class HeadTwo(io.StringIO):
    """A reader that goes away after two lines, as `| head -2` does."""

    def write(self, text: str) -> int:
        if self.getvalue().count("\n") >= 2:
            raise BrokenPipeError(32, "Broken pipe")
        return super().write(text)


def test_case_show_piped_into_head_has_journaled_the_read(rt: Runtime, utvag: Cli) -> None:
    opened = open_case(rt)
    head = HeadTwo()
    code = utvag("case", "show", opened.case_number, stdout=head)
    assert head.getvalue().count("\n") == 2 and TOLVAN.replace("-", "") in head.getvalue()
    assert code == 141, "the reader went away: the shell's SIGPIPE status, no traceback"
    assert utvag.err.getvalue() == ""
    assert _shown_reads(rt, opened.case_id) == [
        "case shown with personal data (utvag case show)"], "shown, so journaled"
