"""`utvag during ...` on PostgreSQL: bad input names the field, exits 2, writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from adapters.db import unit_of_work
from models.during_tables import Intervention, NeedsAssessment, Provider
from tasks.intake import open_case
from tests.factories import referral
from utvag_cli.main import main


def _case() -> str:
    return open_case(referral(), now=datetime.now(UTC)).case_number


def test_an_intervention_from_an_unvetted_provider_is_refused_on_the_command_line(
        db: str, capsys: pytest.CaptureFixture[str]) -> None:
    number = _case()
    assert main(["during", "provider", "add", "Snabbhjälp AB"]) == 0
    code = main(["during", "intervention", number, "--kind", "individual_coaching",
                 "--start", "2026-12-01", "--end", "2027-06-01", "--cost", "20000",
                 "--provider", "Snabbhjälp AB", "--by", "coordinator-anna"])
    assert code == 2
    assert "Snabbhjälp AB is not vetted" in capsys.readouterr().err
    assert main(["during", "provider", "vet", "Snabbhjälp AB", "--on", "2026-11-01",
                 "--follow-up-due", "2099-01-01", "--by", "unit-head-eva"]) == 0
    assert main(["during", "intervention", number, "--kind", "individual_coaching",
                 "--start", "2026-12-01", "--end", "2027-06-01", "--cost", "20000",
                 "--provider", "Snabbhjälp AB", "--by", "coordinator-anna"]) == 0
    with unit_of_work() as session:
        [row] = session.exec(select(Intervention)).all()
        vetted_by = session.exec(select(Provider.vetted_by)).one()
    assert (row.cost_sek, vetted_by) == (20_000, "unit-head-eva")


@pytest.mark.parametrize(("argv", "message"), [
    (["--need", "everything"], "need: one of"),
    (["--need", "housing", "--network", "cousin"], "network: one of"),
])
def test_a_bad_needs_assessment_names_the_field_and_writes_nothing(
        db: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    assert main(["during", "needs", _case(), *argv, "--by", "coordinator-anna"]) == 2
    assert message in capsys.readouterr().err
    with unit_of_work() as session:
        assert session.exec(select(NeedsAssessment)).all() == []


def test_a_cost_in_decimals_is_refused(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["during", "intervention", _case(), "--kind", "trustee", "--start",
                 "2026-12-01", "--end", "2026-12-02", "--cost", "99.50", "--by", "a"]) == 2
    assert "cost: whole kronor" in capsys.readouterr().err


def test_case_show_groups_the_timeline_by_phase_and_shows_the_plan(
        db: str, capsys: pytest.CaptureFixture[str]) -> None:
    number = _case()
    assert main(["during", "intervention", number, "--kind", "debt_restructuring", "--start",
                 "2026-12-01", "--end", "2027-12-01", "--cost", "12500", "--by", "a"]) == 0
    capsys.readouterr()
    assert main(["case", "show", number]) == 0
    shown = capsys.readouterr().out
    assert "-- before phase --" in shown
    assert "debt_restructuring" in shown and "12500 kr" in shown
