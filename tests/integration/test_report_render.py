"""The 2022 account as a person reads it: a PDF with the published figures and three
charts, the same as HTML, and every table as CSV; a year without data says so."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from services.reports.account import GrantAccount, grant_account
from services.reports.output import OutputFormat, write_report
from services.reports.render_html import render_account_html
from services.reports.render_pdf import html_to_pdf
from services.runtime import Runtime
from tests.grant_support import imported_history

GENERATED = date(2026, 12, 4)


@pytest.fixture(scope="module")
def history(module_rt: Runtime) -> Runtime:
    """The 2020-2022 history, imported once for the module; the runtime to read it."""
    imported_history(module_rt)
    return module_rt


def _account(rt: Runtime, year: int) -> GrantAccount:
    with rt.uow() as session:
        return grant_account(session, year=year)


def _text(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    # Grouping is a narrow no-break space in the document; words wrap at line ends.
    return " ".join(p.extract_text() for p in pages).replace("\u202f", " ").replace("\n", " ")


def test_the_2022_pdf_holds_the_published_figures(history: Runtime) -> None:
    html = render_account_html(_account(history, 2022), generated=GENERATED)
    pdf = html_to_pdf(html)
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    for figure in ("59 249 534", "58 053 534", "905 000", "291 000", "22 500 000",
                   "72 500 000", "10 000 000", "5 130 000", "12 000 000", "124", "113"):
        assert figure in text, figure
    assert ("tillhör Skåne, Stockholm, Uppsala, Värmland, Västra Götaland och Örebro län"
            in text)
    assert "Under 2022 beviljades 113 ansökningar från 28 kommuner" in text
    assert "Alla kriterier är inte uppfyllda" in text and "8 april 2022" in text
    assert html.count('src="data:image/svg+xml;base64,') == 3


def test_every_table_is_written_as_csv_with_the_same_figures(
        history: Runtime, tmp_path: Path) -> None:
    account = _account(history, 2022)
    paths = write_report(stem="statliga-medel-2022", fmt=OutputFormat.CSV, out_dir=tmp_path,
                         html=lambda: "", tables=account.tables())
    assert {p.name for p in paths} == {f"statliga-medel-2022-{t.key}.csv"
                                       for t in account.tables()}
    distribution = list(csv.reader(io.StringIO(
        (tmp_path / "statliga-medel-2022-fordelning.csv").read_text("utf-8-sig")),
        delimiter=";"))
    assert distribution[-1] == ["Totalt", "59249534", "59249534"]
    written = write_report(stem="statliga-medel-2022", fmt=OutputFormat.PDF, out_dir=tmp_path,
                           html=lambda: render_account_html(account, generated=GENERATED),
                           tables=account.tables())
    assert written == [tmp_path / "statliga-medel-2022.pdf"]
    assert "59 249 534" in _text(written[0].read_bytes())


def test_a_year_without_data_says_so_in_the_pdf(history: Runtime) -> None:
    # The years after it have data; 2019 has none, and no appropriation either.
    text = _text(html_to_pdf(render_account_html(_account(history, 2019),
                                                 generated=GENERATED)))
    assert "Det finns inga ansökningar registrerade för 2019" in text
    assert "Inget anslag är registrerat för 2019" in text
