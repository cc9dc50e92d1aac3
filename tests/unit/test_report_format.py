"""Amounts as the police write them, Swedish dates, and tables as CSV for a Swedish
spreadsheet."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from models.suppression import one_way, protect
from services.reports import tables as t
from services.reports.formatting import kronor, millions, percent, swedish_date
from services.reports.render_csv import table_csv
from services.reports.render_html import counties_text


def test_whole_kronor_are_grouped_by_thousands_with_narrow_no_break_spaces() -> None:
    assert kronor(58_053_534) == "58\u202f053\u202f534"
    assert kronor(905_000) == "905\u202f000"
    assert kronor(0) == "0" and kronor(-1500) == "\u22121\u202f500"


@pytest.mark.parametrize("value", [1.5, True, "100"])
def test_only_whole_kronor_are_formatted(value: object) -> None:
    with pytest.raises(TypeError):
        kronor(value)  # type: ignore[arg-type]


def test_summary_figures_and_dates_read_as_the_police_write_them() -> None:
    assert millions(72_500_000) == "72,5 miljoner kronor"
    assert millions(12_000_000) == "12 miljoner kronor"
    assert swedish_date(date(2022, 6, 30)) == "30 juni 2022"
    assert percent(17, 24) == "71\u00a0%"


def test_counties_are_listed_as_in_the_report() -> None:
    names = ("Skåne län", "Stockholms län", "Uppsala län", "Värmlands län",
             "Västra Götalands län", "Örebro län")
    assert counties_text(names) == ("Skåne, Stockholm, Uppsala, Värmland, Västra Götaland "
                                    "och Örebro län")
    assert counties_text(("Örebro län",)) == "Örebro län"


def test_a_table_as_csv_keeps_hidden_counts_hidden_and_amounts_ungrouped() -> None:
    values, relations = one_way("sex", {"male": 30, "female": 2})
    p = protect(values, relations)
    table = t.PublishedTable("kon", "Ärenden per kön", ("", "Ärenden", "Belopp (kr)"), (
        (t.label("Män"), t.count(p, "sex/male"), t.amount(1_250_000)),
        (t.label("Kvinnor"), t.count(p, "sex/female"), t.amount(58_053_534))))
    raw = table_csv(table)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows == [["", "Ärenden", "Belopp (kr)"], ["Män", "x", "1250000"],
                    ["Kvinnor", "<5", "58053534"]]
    assert "2" not in {cell for row in rows for cell in row}


def test_a_table_refuses_a_row_that_does_not_fit_its_columns() -> None:
    with pytest.raises(ValueError, match="one cell per column"):
        t.PublishedTable("x", "X", ("a", "b"), ((t.label("only one"),),))
