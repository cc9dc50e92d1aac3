"""Follow-up statistics on real PostgreSQL: the right cases are counted, relocations are
counted without a destination ever leaving the service, and no hidden count can be
worked out from the published tables by someone who knows how they relate (solved as
a linear programme over the published cells, by SciPy, sharing no code with the
suppression itself)."""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from services.reports.followup import FollowUpRefused, FollowUpReport, followup_report
from services.reports.render_csv import tables_csv
from services.reports.render_html import render_followup_html
from services.reports.render_pdf import html_to_pdf
from services.reports.tables import Cell, CellKind
from services.runtime import Runtime
from tests.disclosure_attack import Equation, hidden_ranges
from tests.followup_support import Spec, add_cases

OPENED = datetime(2025, 3, 3, 9, tzinfo=UTC)
AS_OF = datetime(2026, 12, 4, 9, tzinfo=UTC)


def _malmo() -> list[Spec]:
    specs = []
    for i in range(40):
        admitted = i >= 5  # five closed before admission: not eligible
        specs.append(Spec(
            municipality="1280", opened=OPENED, sex="female" if i < 4 else "male",
            born=date(2008, 6, 1) if i in (5, 6, 7) else
            (date(1990, 1, 1) if 8 <= i < 15 else date(2000, 1, 1)),
            admitted_after=10 + i if admitted else None,
            after_after=200 + i if 5 <= i < 20 else None,
            closed_after=3 if i < 5 else (400 if 5 <= i < 13 else None),
            outcome="not_eligible" if i < 5 else
            ("completed" if 5 <= i < 11 else ("dropped_out" if 11 <= i < 13 else None)),
            relocation=("protected_housing" if i < 17 else "own_flat",
                        "0180" if i < 22 else "1280") if 5 <= i < 29 else None,
            interventions=[("occupation", "Jobbstart AB")] * (i >= 10)
            + [("trustee", None)] * (i in (20, 21)),
            indicators=[(6, i % 2 == 0, i % 3 == 0, i != 7)] if 5 <= i < 17 else [],
            flags=["continue"] if i in (30, 31, 32) else [],
            overdue_waits=["action_plan"] if 20 <= i < 26 else []))
    return specs


@pytest.fixture(scope="module")
def cases(module_rt: Runtime) -> Runtime:
    """The module's cases, written once; the runtime to read them with."""
    add_cases(module_rt, _malmo())
    add_cases(module_rt, [Spec(municipality="0180", opened=OPENED) for _ in range(10)])
    add_cases(module_rt, [Spec(municipality="1280", opened=datetime(2024, 6, 1, tzinfo=UTC))
                          for _ in range(3)])
    return module_rt


def _report(rt: Runtime, municipality: str | None = "1280", *,
            start: date = date(2025, 1, 1), end: date = date(2025, 12, 31)) -> FollowUpReport:
    with rt.uow() as session:
        return followup_report(session, start=start, end=end, municipality=municipality,
                               cipher=rt.cipher, as_of=AS_OF)


def _table(report: FollowUpReport, key: str) -> dict[str, list[str]]:
    [table] = [t for t in report.tables if t.key == key]
    return {row[0].text: [c.text for c in row[1:]] for row in table.rows}


def test_a_municipality_counts_its_own_cases_opened_in_the_period(cases: Runtime) -> None:
    assert _report(cases).cases.value == 40
    assert (_report(cases).scope, _report(cases, None).scope) == ("Malmö (1280)",
                                                                  "Hela landet")
    assert _report(cases, None).cases.value == 50
    assert _report(cases, start=date(2024, 1, 1)).cases.value == 43
    sexes = _table(_report(cases), "arenden-sex")
    assert sexes["Kvinnor"][0] == "<5" and sexes["Män"][0] == "x"
    assert sexes["Totalt"][0] == "40"


def test_relocations_are_counted_and_no_destination_is_published(cases: Runtime) -> None:
    report = _report(cases)
    relocations = _table(report, "flyttar")
    assert relocations["Ärenden med beslut om flytt"] == ["24", "60\u00a0%"]
    assert relocations["– först placerade i akut boende"] == ["12", "50\u00a0%"]
    assert relocations["– flyttade till en annan kommun"] == ["17", "71\u00a0%"]
    published = render_followup_html(report, generated=date(2026, 12, 4)) + "".join(
        b.decode("utf-8-sig") for b in tables_csv(report.tables).values())
    assert "0180" not in published and "Stockholm" not in published


def test_phase_times_need_ten_completed_spells_and_admissions_add_up(cases: Runtime) -> None:
    report = _report(cases)
    times = _table(report, "tid-i-fas")
    # 5 x 3 days, then 15..49 days: the 20th and 21st of 40 are 29 and 30; the 90th
    # percentile lies a tenth of the way from 45 to 46.
    assert times["Före"] == ["40", "30", "45"]
    assert times["Efter"][1:] == ["..", ".."]  # 8 completed: too few for a median
    assert _table(report, "antagna")["Antagna till avhopparverksamheten"] == ["35", "88\u00a0%"]
    outcomes = _table(report, "utfall")
    assert outcomes["Genomfört"][0] == "6" and outcomes["Avslutade ärenden"][0] == "13"


def test_too_few_cases_publish_nothing_but_that(cases: Runtime) -> None:
    report = _report(cases, "1280", start=date(2024, 1, 1), end=date(2024, 12, 31))
    assert (report.enough, report.tables, report.cases.text) == (False, (), "<5")
    few = _report(cases, "1280", start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert few.cases.text == "0" and not few.enough


# What a reader knows of how the published cells relate: each one-way table adds up to
# the number of cases; the admitted are the cases in the during and after phases; the
# closed cases are their outcomes; a relocation is or is not emergency housing, to or
# not to another municipality; each indicator is yes or no for every followed-up case.
ONE_WAY = ("arenden-phase", "arenden-status", "arenden-milieu", "arenden-sex",
           "arenden-age-band", "arenden-county", "arenden-referring-agency")


def _attack(report: FollowUpReport) -> dict[str, tuple[float, float, str]]:
    cells: dict[str, str] = {}
    equations: list[Equation] = []
    for table in report.tables:
        rows = {row[0].text: row[1].text for row in table.rows}
        for label, text in rows.items():
            cells[f"{table.key}/{label}"] = text
        if table.key in ONE_WAY:
            parts = [f"{table.key}/{k}" for k in rows if k != "Totalt"]
            equations.append((parts, [f"{table.key}/Totalt"]))
    n = "arenden-phase/Totalt"
    for key in ONE_WAY[1:]:
        equations.append(([f"{key}/Totalt"], [n]))
    cells |= {"antagna/rest": "?", "flyttar/none": "?", "flyttar/other-form": "?",
              "flyttar/same": "?"}
    equations += [
        (["antagna/Antagna till avhopparverksamheten", "antagna/Inte antagna"], [n]),
        (["arenden-phase/Under", "arenden-phase/Efter"],
         ["antagna/Antagna till avhopparverksamheten"]),
        ([f"utfall/{k}" for k in _table(report, "utfall") if k != "Avslutade ärenden"],
         ["utfall/Avslutade ärenden"]),
        (["utfall/Avslutade ärenden"], ["arenden-status/Avslutat"]),
        (["flyttar/Ärenden med beslut om flytt", "flyttar/none"], [n]),
        (["flyttar/– först placerade i akut boende", "flyttar/other-form"],
         ["flyttar/Ärenden med beslut om flytt"]),
        (["flyttar/– flyttade till en annan kommun", "flyttar/same"],
         ["flyttar/Ärenden med beslut om flytt"]),
    ]
    return hidden_ranges(cells, equations, ceiling=report.cases.value or 0)


def test_no_hidden_count_can_be_worked_out_from_the_published_tables(cases: Runtime) -> None:
    found = _attack(_report(cases))
    assert {k for k, (_, _, s) in found.items() if s == "<5"} >= {
        "arenden-sex/Kvinnor", "arenden-age-band/Under 18 år"}
    for key, (lo, hi, shown) in found.items():
        assert hi - lo >= 1 - 1e-9, f"{key} ({shown}) is pinned to {lo:.0f}..{hi:.0f}"


def test_the_attack_does_pin_a_small_count_whose_partner_is_shown(cases: Runtime) -> None:
    # The control: publish the number of men (36) and the 4 women follow from the total.
    report = _report(cases)
    tables = tuple(
        dataclasses.replace(t, rows=tuple(
            (row[0], Cell(CellKind.COUNT, "36", 36), *row[2:]) if row[0].text == "Män"
            else row for row in t.rows)) if t.key == "arenden-sex" else t
        for t in report.tables)
    lo, hi, _ = _attack(dataclasses.replace(report, tables=tables))["arenden-sex/Kvinnor"]
    assert round(lo) == round(hi) == 4


def test_an_unknown_municipality_or_a_backwards_period_is_refused(cases: Runtime) -> None:
    with pytest.raises(FollowUpRefused, match="^municipality: no municipality has this code"):
        _report(cases, "9999")
    with pytest.raises(FollowUpRefused, match="^to: the period ends before it starts"):
        _report(cases, start=date(2025, 2, 1), end=date(2025, 1, 31))


def test_two_reports_in_one_transaction_agree(cases: Runtime) -> None:
    # The case service may make the national and a municipality's report in one request.
    with cases.uow() as session:
        first = followup_report(session, start=date(2025, 1, 1), end=date(2025, 12, 31),
                                municipality=None, cipher=cases.cipher, as_of=AS_OF)
        second = followup_report(session, start=date(2025, 1, 1), end=date(2025, 12, 31),
                                 municipality="1280", cipher=cases.cipher, as_of=AS_OF)
    assert (first.cases.value, second.cases.value) == (50, 40)


def test_the_followup_renders_as_a_pdf_with_its_charts(cases: Runtime) -> None:
    html = render_followup_html(_report(cases), generated=date(2026, 12, 4))
    assert html.count('src="data:image/svg+xml;base64,') == 2
    pages = PdfReader(io.BytesIO(html_to_pdf(html))).pages
    text = " ".join(p.extract_text() for p in pages).replace("\n", " ")
    assert "Uppföljning av avhopparärenden" in text and "Malmö (1280)" in text
    assert "Ärenden per kön" in text and "<5" in text
