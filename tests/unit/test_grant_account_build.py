"""The annual account built from figures (no database): counts of applications are
counts of people, so small ones are hidden in every table, consistently, and none can
be worked out from the totals of the county and municipality tables."""

from __future__ import annotations

from models.appropriation import CapsInForce
from services.reports.account import GrantAccount, build_account
from services.reports.account_queries import AccountFigures, Recipient, TrendLine, UseLine
from services.reports.render_html import account_charts
from tests.disclosure_attack import Equation, hidden_ranges

CAPS = CapsInForce(2023, 72_500_000, 10_000_000, True, provisional=True, source_year=2022)


def _figures() -> AccountFigures:
    def mun(name: str, county: str, granted: int, sek: int, **rejected: int) -> Recipient:
        return Recipient("individual_case", "municipality", name, county, granted,
                         dict(rejected), sek, sek)

    recipients = [
        mun("Malmö", "Skåne län", 14, 7_000_000, criteria_not_met=3),
        mun("Lund", "Skåne län", 2, 900_000),
        mun("Eslöv", "Skåne län", 1, 350_000, incomplete=1, withdrawn=1),
        mun("Göteborg", "Västra Götalands län", 9, 4_100_000, criteria_not_met=4),
        mun("Borås", "Västra Götalands län", 3, 1_200_000),
        Recipient("individual_case", "city_district", "Rinkeby-Kista stadsdelsnämnd",
                  "Stockholms län", 6, {}, 2_500_000, 2_000_000),
        Recipient("agency_development", "agency", "Socialstyrelsen", None, 1, {}, 291_000,
                  291_000, ["Processkartläggning"]),
    ]
    trend = [TrendLine(2021, 3, 1_000_000, 2, None), TrendLine(2022, 113, 58_053_534, 28,
                                                               72_500_000),
             TrendLine(2023, 35, 16_050_000, 6, None)]
    return AccountFigures(2023, recipients, [UseLine("occupation", 2, 500_000)], trend, [],
                          CAPS, [])


def _cells(account: GrantAccount) -> tuple[dict[str, str], list[Equation]]:
    cells: dict[str, str] = {}
    equations: list[Equation] = []
    rows = {r[0].text: r[1].text for r in account.individual.rows}
    cells |= {f"ind/{k}": v for k, v in rows.items()}
    reasons = [f"ind/{k}" for k in rows if k.startswith("– ")]
    equations += [(["ind/Beviljade", "ind/Avslagna"], ["ind/Hanterade ansökningar"]),
                  (reasons, ["ind/Avslagna"])]
    counties = {r[0].text: r[2].text for r in account.counties.rows}
    cells |= {f"county/{k}": v for k, v in counties.items()}
    equations += [([f"county/{k}" for k in counties if k != "Totalt"], ["county/Totalt"]),
                  (["county/Totalt"], ["ind/Beviljade"])]
    by_county: dict[str, list[str]] = {}
    for r in account.municipalities.rows:
        cells[f"mun/{r[0].text}"] = r[2].text
        by_county.setdefault(r[1].text, []).append(f"mun/{r[0].text}")
    equations += [(members, [f"county/{c}"]) for c, members in by_county.items()]
    return cells, equations


def test_every_small_count_is_hidden_and_none_can_be_worked_out() -> None:
    account = build_account(_figures())
    cells, equations = _cells(account)
    assert cells["ind/Hanterade ansökningar"] == "44" and cells["ind/Beviljade"] == "35"
    # a reason the police's report does not name is counted under its own code
    assert cells["ind/– withdrawn"] == "<5"
    assert cells["mun/Eslöv"] == "<5" and cells["mun/Borås"] == "<5"
    assert not {v for v in cells.values()} & {"1", "2", "3", "4"}
    found = hidden_ranges(cells, equations, ceiling=44)
    assert found, "the figures have small counts to hide"
    for key, (lo, hi, shown) in found.items():
        assert hi - lo >= 1 - 1e-9, f"{key} ({shown}) is pinned to {lo:.0f}..{hi:.0f}"


def test_amounts_to_organisations_are_published_as_they_are() -> None:
    account = build_account(_figures())
    distribution = {r[0].text: (r[1].value, r[2].value) for r in account.distribution.rows}
    assert distribution == {"Kommuner och stadsdelar": (16_050_000, 15_550_000),
                            "Socialstyrelsen": (291_000, 291_000),
                            "Totalt": (16_341_000, 15_841_000)}
    assert account.headline.municipalities == 6
    assert account.headline.counties == ("Skåne län", "Stockholms län", "Västra Götalands län")


def test_a_small_year_in_the_trend_is_hidden_in_the_table_and_the_chart() -> None:
    account = build_account(_figures())
    trend = {p.year: p.granted for p in account.trend}
    assert (trend[2021].text, trend[2021].value) == ("<5", None)
    assert trend[2023].value == 35
    assert len(account_charts(account)) == 3


def test_the_appropriation_carried_over_from_an_earlier_year_is_said_to_be() -> None:
    note = build_account(_figures()).appropriation.note or ""
    assert "Inget anslag är registrerat för 2023" in note and "2022" in note


def test_a_year_without_applications_has_no_data_and_no_counts() -> None:
    empty = AccountFigures(2019, [], [], [], [], None, [])
    account = build_account(empty)
    assert not account.has_data and account.headline.handled.text == "0"
    assert account.direct.note == "Inga medel beviljades." and account.trend == ()
    assert account_charts(account) == []
