"""`utvag grants import` and `utvag report grants|followup` as a person runs them, on
the test's runtime (`main(runtime=...)`)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from services.runtime import Runtime
from tests.conftest import make_settings
from tests.fakes.runs import FakeRuns
from tests.followup_support import Spec, add_cases
from tests.grant_support import HISTORY
from utvag_cli.main import main


class Utvag:
    """`utvag` in-process on a runtime; what it printed is in `out` and `err`."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.out, self.err = io.StringIO(), io.StringIO()

    def __call__(self, *argv: str) -> int:
        self.out, self.err = io.StringIO(), io.StringIO()
        return main(list(argv), runtime=self.rt, runs=FakeRuns(), stdout=self.out,
                    stderr=self.err)


@pytest.fixture()
def utvag(rt: Runtime) -> Utvag:
    return Utvag(rt)


def _applications(rt: Runtime) -> int:
    with rt.db.engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM grant_application")).scalar_one())


def test_import_then_the_2022_account_as_pdf(utvag: Utvag, tmp_path: Path) -> None:
    assert utvag("grants", "import", str(HISTORY), "--by", "grants-officer-eva") == 0
    assert "imported 166 application(s); 0 already imported" in utvag.out.getvalue()
    assert utvag("grants", "import", str(HISTORY), "--by", "grants-officer-eva") == 0
    assert "imported 0 application(s); 166 already imported" in utvag.out.getvalue()
    assert utvag("report", "grants", "--year", "2022", "--out", str(tmp_path)) == 0
    printed = utvag.out.getvalue().replace("\u202f", " ")
    assert "2022: 124 applications handled, 113 granted from 28 municipalities; " \
           "59249534 kr granted in all" in printed
    pdf = tmp_path / "statliga-medel-2022.pdf"
    assert str(pdf) in printed and pdf.read_bytes().startswith(b"%PDF")


def test_a_bad_file_is_refused_line_by_line_and_nothing_is_imported(
        utvag: Utvag, tmp_path: Path) -> None:
    lines = HISTORY.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("individual_case", "individual")
    lines[7] = lines[7].replace(",granted,", ",approved,")
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert utvag("grants", "import", str(bad), "--by", "grants-officer-eva") == 2
    errors = utvag.err.getvalue().splitlines()
    assert errors[0].startswith("bad.csv: line 4: kind: ")
    assert errors[1].startswith("bad.csv: line 8: outcome: ")
    assert errors[-1] == "nothing imported: 2 bad row(s)"
    assert _applications(utvag.rt) == 0


@pytest.mark.parametrize(("argv", "message"), [
    (["grants", "import", "/no/such.csv", "--by", "x"], "error: file: cannot read"),
    (["report", "grants", "--year", "2022", "--format", "docx"],
     "error: format: pdf, html or csv"),
    (["report", "grants", "--year", "1999"], "error: year: a year between 2000 and 2100"),
    (["report", "followup", "--from", "2025-13-01", "--to", "2025-12-31"],
     "error: from: a date YYYY-MM-DD"),
    (["report", "followup", "--from", "2025-01-01", "--to", "2025-12-31",
      "--municipality", "9999"], "error: municipality: no municipality has this code"),
    (["report", "followup", "--from", "2025-01-01", "--to", "2025-12-31",
      "--municipality", "Malmö"], "error: municipality: a four-digit municipality code"),
    (["report", "followup", "--from", "2025-02-01", "--to", "2025-01-31"],
     "error: to: the period ends before it starts"),
])
def test_bad_arguments_name_the_field_and_exit_2(utvag: Utvag, argv: list[str],
                                                 message: str) -> None:
    assert utvag(*argv) == 2
    assert utvag.err.getvalue().startswith(message)


def test_a_year_without_data_and_a_period_without_cases_say_so(
        rt: Runtime, database_url: str, tmp_path: Path) -> None:
    # No --out: the files go to the configured reports directory.
    configured = Runtime(settings=make_settings(database_url, reports_dir=tmp_path),
                         db=rt.db, clock=rt.clock, cipher=rt.cipher)
    utvag = Utvag(configured)
    assert utvag("report", "grants", "--year", "2019", "--format", "html") == 0
    assert "2019: no applications recorded" in utvag.out.getvalue()
    assert "Det finns inga ansökningar registrerade för 2019" in \
        (tmp_path / "statliga-medel-2019.html").read_text(encoding="utf-8")
    assert utvag("report", "followup", "--from", "2025-01-01", "--to", "2025-12-31",
                 "--municipality", "1280", "--format", "csv") == 0
    assert "Malmö (1280), 2025-01-01 to 2025-12-31: 0 cases (too few to publish " \
           "statistics)" in utvag.out.getvalue()


def test_followup_statistics_as_csv_from_the_cases_of_the_period(
        utvag: Utvag, tmp_path: Path) -> None:
    add_cases(utvag.rt, [Spec(municipality="1280") for _ in range(6)]
              + [Spec(municipality="1280", sex="female")])
    assert utvag("report", "followup", "--from", "2025-01-01", "--to", "2025-12-31",
                 "--municipality", "1280", "--format", "csv", "--out", str(tmp_path)) == 0
    assert "Malmö (1280), 2025-01-01 to 2025-12-31: 7 cases" in utvag.out.getvalue()
    sexes = tmp_path / "uppfoljning-1280-2025-01-01-2025-12-31-arenden-sex.csv"
    assert str(sexes) in utvag.out.getvalue()
    rows = {row.split(";")[0]: row.split(";")[1] for row in
            sexes.read_text(encoding="utf-8-sig").splitlines()[1:]}
    assert (rows["Kvinnor"], rows["Män"], rows["Totalt"]) == ("<5", "x", "7")
