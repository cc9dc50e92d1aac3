"""The police's 2022 account reproduced from a data set built from its published figures
(`tests/data/grants_2020_2022.csv`, imported through the CSV import): the totals,
counts, reasons, counties and trend equal the published ones."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from services.reports import publish_serve as published
from services.reports.account import GrantAccount, grant_account
from services.reports.downloads import IncompleteView
from services.reports.grant_import import ImportResult
from services.reports.output import OutputFormat
from services.reports.publish_store import ReportKind, store_grant_account
from services.reports.tables import PublishedTable
from services.runtime import Runtime
from tests.grant_support import imported_history
from tests.role_support import as_role


@pytest.fixture(scope="module")
def imported(module_rt: Runtime) -> ImportResult:
    """The 2020-2022 history, imported once for the module (the tests only read it)."""
    return imported_history(module_rt)


@pytest.fixture()
def history(imported: ImportResult, module_rt: Runtime) -> Runtime:
    return module_rt


def _account(rt: Runtime, year: int) -> GrantAccount:
    with rt.uow() as session:
        return grant_account(session, year=year)


def _rows(table: PublishedTable) -> dict[str, list[str]]:
    return {row[0].text: [c.text for c in row[1:]] for row in table.rows}


def test_the_history_imports_every_row(imported: ImportResult) -> None:
    assert (imported.imported, imported.unchanged) == (12 + 28 + 124 + 2, 0)


def test_2022_distribution_equals_the_published_table(history: Runtime) -> None:
    account = _account(history, 2022)
    rows = {row[0].text: row[1].value for row in account.distribution.rows}
    assert rows == {"Kommuner": 58_053_534, "Statens institutionsstyrelse": 905_000,
                    "Socialstyrelsen": 291_000, "Totalt": 59_249_534}
    assert account.headline.total_granted_sek == 59_249_534
    assert account.headline.total_paid_sek == 59_249_534


def test_2022_individual_cases_handled_granted_and_rejected(history: Runtime) -> None:
    account = _account(history, 2022)
    h = account.headline
    assert (h.handled.value, h.granted.value, h.rejected.value) == (124, 113, 11)
    assert h.municipalities == 28
    assert h.counties == ("Skåne län", "Stockholms län", "Uppsala län", "Värmlands län",
                          "Västra Götalands län", "Örebro län")
    rows = _rows(account.individual)
    assert rows["Hanterade ansökningar"] == ["124"]
    reasons = {k: v for k, v in rows.items() if k.startswith("– ")}
    assert set(reasons) == {"– Alla kriterier är inte uppfyllda", "– Ansökan är inte fullständig",
                            "– Ansökan har inte kompletterats vid efterfrågan",
                            "– Anslaget räckte inte"}
    # 5 / 4 / 2 / 0: the two small reasons are hidden, and each other.
    assert reasons["– Alla kriterier är inte uppfyllda"] == ["5"]
    assert reasons["– Ansökan är inte fullständig"] == ["<5"]
    assert reasons["– Ansökan har inte kompletterats vid efterfrågan"] == ["<5"]


def test_2022_no_direct_operational_support_and_the_agency_grants(history: Runtime) -> None:
    account = _account(history, 2022)
    assert account.direct.rows == () and account.direct.note == "Inga medel beviljades."
    agencies = {row[0].text: (row[1].value, row[3].text) for row in account.agencies.rows}
    assert agencies == {
        "Statens institutionsstyrelse": (905_000, "Utvecklingsarbete med avhopparverksamhet "
                                                  "för barn"),
        "Socialstyrelsen": (291_000, "Inköp av tjänst för att kartlägga och synliggöra "
                                     "processen för en avhoppare")}
    [allocation] = account.allocations
    assert allocation.allowed_kinds == frozenset({"individual_case"})


def test_2022_appropriation_and_its_change(history: Runtime) -> None:
    account = _account(history, 2022)
    rows = [[c.text for c in row] for row in account.appropriation.rows]
    assert [r[0] for r in rows] == ["Regleringsbrev", "Ändringsbeslut"]
    assert [row[3].value for row in account.appropriation.rows] == [22_500_000, 72_500_000]
    assert account.appropriation.rows[1][4].value == 10_000_000
    assert rows[1][1] == "2022-06-30"
    assert account.headline.caps is not None
    assert account.headline.caps.total_cap_sek == 72_500_000


def test_the_trend_since_2020_equals_the_published_one(history: Runtime) -> None:
    trend = {p.year: (p.granted_sek, p.granted.value, p.applicants, p.appropriation_sek)
             for p in _account(history, 2022).trend}
    assert trend[2020] == (5_130_000, 12, 10, 7_500_000)
    assert trend[2021][:2] == (12_000_000, 28)  # municipalities 2021: not published
    assert trend[2021][3] is None  # nor the 2021 appropriation
    assert trend[2022] == (58_053_534, 113, 28, 72_500_000)


def test_the_county_table_adds_up_and_hides_small_counts(history: Runtime) -> None:
    account = _account(history, 2022)
    counties = {row[0].text: row for row in account.counties.rows}
    assert counties["Totalt"][2].text == "113"
    assert sum(row[3].value or 0 for name, row in counties.items() if name != "Totalt") \
        == 58_053_534
    texts = {row[2].text for row in account.municipalities.rows}
    assert "<5" in texts and not texts & {"1", "2", "3", "4"}


def test_uses_add_up_to_the_municipalities_grants(history: Runtime) -> None:
    uses = _account(history, 2022).uses
    *categories, total = uses.rows
    assert total[2].value == 58_053_534
    assert sum(row[2].value or 0 for row in categories) == 58_053_534


def test_a_year_without_data_says_so(history: Runtime) -> None:
    # The years after it have data; the trend starts with the first year on record.
    account = _account(history, 2019)
    assert not account.has_data
    assert account.headline.handled.text == "0" and account.trend == ()
    assert account.headline.caps is None


def test_the_worker_stores_the_2022_account_and_the_service_hands_it_out(
        history: Runtime, database_url: str) -> None:
    """Made under the workers' role (which sees every case), stored once a day; under the
    service's role it is not made again from what that role sees, but read as stored."""
    with as_role(history, database_url, "utvag_worker") as worker:
        stored = store_grant_account(worker, year=2022, run_id="run-1")
        assert stored.created and not store_grant_account(worker, year=2022).created
    with as_role(history, database_url, "utvag_app") as app:
        with pytest.raises(IncompleteView):
            store_grant_account(app, year=2022)
        found = published.latest(app, ReportKind.GRANT_ACCOUNT, "2022")
    assert found is not None and found.pdf.startswith(b"%PDF")
    assert "59\u202f249\u202f534" in found.html.decode("utf-8")
    tables = {t["key"]: t for t in found.tables["tables"]}
    assert ["Totalt", "59\u202f249\u202f534", "59\u202f249\u202f534"] in \
        tables["fordelning"]["rows"]
    csv = published.download(found, fmt=OutputFormat.CSV, stem="statliga-medel-2022",
                             table="fordelning")
    assert "Totalt;59249534;59249534" in csv.content.decode("utf-8-sig")
    with history.db.engine.connect() as conn:
        made = conn.execute(text("SELECT made_by_run, made_on FROM published_report"
                                 " WHERE kind = 'grant_account'")).all()
    assert [m.made_by_run for m in made] == ["run-1"]
