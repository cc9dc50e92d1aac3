"""HTML of the reports (Jinja2, autoescaped), one self-contained file: the stylesheet
inline and the charts as SVG data URIs, so the same document serves the browser, the
PDF (`render_pdf`) and an e-mail attachment."""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from services.reports.account import GrantAccount
from services.reports.charts import bar_chart, data_uri
from services.reports.followup import NATIONAL, FollowUpReport
from services.reports.formatting import kronor, millions, swedish_date


@cache
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("services.reports", "templates"),
                      autoescape=select_autoescape(["html", "j2"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(kronor=kronor, millions=millions, swedish_date=swedish_date)
    return env


@cache
def _css() -> str:
    return resources.files("services.reports").joinpath("templates/style.css").read_text()


def counties_text(names: tuple[str, ...]) -> str:
    """('Skåne län', 'Stockholms län', 'Örebro län') -> 'Skåne, Stockholm och Örebro län',
    as the police write it."""
    bare = [n.removesuffix(" län").removesuffix("s") for n in names]
    if not bare:
        return "inget län"
    return (", ".join(bare[:-1]) + " och " + bare[-1] if len(bare) > 1 else bare[0]) + " län"


def account_charts(account: GrantAccount) -> list[tuple[str, str]]:
    """The three charts of the police's section 4, from published values only."""
    if not account.trend:
        return []
    years = [str(p.year) for p in account.trend]
    charts = [
        (bar_chart("Beviljade medel till individärenden (kr)", years,
                   [p.granted_sek for p in account.trend]),
         "Totala summan medel som beviljades till ansökningar från kommun gällande individ"),
        (bar_chart("Beviljade ansökningar i individärenden", years,
                   [p.granted.value for p in account.trend],
                   hidden=[p.granted.text for p in account.trend]),
         "Antal beviljade ansökningar för individärenden per år"),
        (bar_chart("Kommuner och stadsdelar som beviljats medel", years,
                   [p.applicants for p in account.trend]),
         "Antal kommuner och stadsdelar som beviljats medel för individärenden per år"),
    ]
    return [(data_uri(svg), alt) for svg, alt in charts]


def render_account_html(account: GrantAccount, *, generated: date) -> str:
    first = account.trend[0].year if account.trend else account.year
    return _environment().get_template("grant_account.html.j2").render(
        a=account, css=_css(), generated=generated, first_year=first,
        counties_text=counties_text(account.headline.counties),
        charts=account_charts(account))


def render_followup_html(report: FollowUpReport, *, generated: date) -> str:
    charts = [(data_uri(bar_chart(title, [label for label, _, _ in bars],
                                  [value for _, value, _ in bars],
                                  hidden=[shown for _, _, shown in bars])), title)
              for title, bars in report.charts]
    return _environment().get_template("followup.html.j2").render(
        r=report, css=_css(), generated=generated, charts=charts, national=NATIONAL)
