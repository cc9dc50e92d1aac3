"""The police's annual account of the state grant to defector work (*Redovisning av
statliga medel till avhopparverksamhet*), for any year on record, with the sections of
the 2022 report: appropriation and its changes; procedure (the allocation decisions);
distribution by recipient; individual-case applications handled, granted and rejected
by reason; municipalities granted and their counties; what the grants were used for;
agency grants; direct operational support; the trend since the first year on record.

Every count of applications is a count of people (one application, one individual),
so all of them go through one `models.suppression.protect` over the relations between
them (handled = granted + rejected; rejected = its reasons; granted = its counties;
a county = its municipalities). Amounts to organisations are published as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from models.appropriation import CapsInForce
from models.grant_model import ACCOUNT_REASONS
from models.suppression import Protection, Relation, protect
from services.reports import tables as t
from services.reports.account_queries import (
    AccountFigures,
    Allocation,
    Recipient,
    account_figures,
)
from services.reports.formatting import APPROPRIATION_KINDS, REASONS, USES, name_of

LOCAL = ("municipality", "city_district")
AMOUNT, PAID = "Beviljat belopp (kr)", "Utbetalt (kr)"


@dataclass(frozen=True)
class Headline:
    total_granted_sek: int
    total_paid_sek: int
    municipalities_sek: int  # individual-case grants to municipalities and city districts
    handled: t.Cell
    granted: t.Cell
    rejected: t.Cell
    municipalities: int  # municipalities and city districts granted
    counties: tuple[str, ...]
    caps: CapsInForce | None


@dataclass(frozen=True)
class TrendPoint:
    year: int
    granted_sek: int
    granted: t.Cell
    applicants: int
    appropriation_sek: int | None


@dataclass(frozen=True)
class GrantAccount:
    year: int
    has_data: bool
    headline: Headline
    allocations: tuple[Allocation, ...]
    trend: tuple[TrendPoint, ...]
    appropriation: t.PublishedTable
    distribution: t.PublishedTable
    individual: t.PublishedTable
    counties: t.PublishedTable
    municipalities: t.PublishedTable
    uses: t.PublishedTable
    agencies: t.PublishedTable
    direct: t.PublishedTable
    trend_table: t.PublishedTable

    def tables(self) -> tuple[t.PublishedTable, ...]:
        return (self.appropriation, self.distribution, self.individual, self.counties,
                self.municipalities, self.uses, self.agencies, self.direct, self.trend_table)


def grant_account(session: Session, *, year: int) -> GrantAccount:
    return build_account(account_figures(session, year=year))


def _mun_key(r: Recipient) -> str:
    return f"mun/{r.applicant_kind}/{r.name}"


def _reasons(local: list[Recipient]) -> list[str]:
    """The police's reasons always (a 0 is an answer too), then any other on record."""
    found = {k for r in local for k in r.rejected}
    return [*ACCOUNT_REASONS, *sorted(found - set(ACCOUNT_REASONS))]


def _protect(figures: AccountFigures, local: list[Recipient]) -> Protection:
    granted = [r for r in local if r.granted]
    values = {"granted": sum(r.granted for r in local)}
    reasons = _reasons(local)
    values |= {f"reason/{k}": sum(r.rejected.get(k, 0) for r in local) for k in reasons}
    values["rejected"] = sum(values[f"reason/{k}"] for k in reasons)
    values["handled"] = values["granted"] + values["rejected"]
    values |= {_mun_key(r): r.granted for r in granted}
    counties = sorted({r.county or "" for r in granted})
    for county in counties:
        values[f"county/{county}"] = sum(r.granted for r in granted if (r.county or "") == county)
    values |= {f"use/{u.category}": u.applications for u in figures.uses}
    values |= {f"trend/{p.year}": p.granted for p in figures.trend if p.year != figures.year}
    relations = [Relation("handled", ("granted", "rejected")),
                 Relation("rejected", tuple(f"reason/{k}" for k in reasons))]
    if counties:
        relations.append(Relation("granted", tuple(f"county/{c}" for c in counties)))
    relations += [Relation(f"county/{c}", tuple(_mun_key(r) for r in granted
                                                if (r.county or "") == c)) for c in counties]
    return protect(values, relations, fixed=["handled"])


def build_account(figures: AccountFigures) -> GrantAccount:
    local = [r for r in figures.recipients if r.kind == "individual_case"
             and r.applicant_kind in LOCAL]
    others = [r for r in figures.recipients if r not in local]
    p = _protect(figures, local)
    granted_local = [r for r in local if r.granted]
    local_sek = sum(r.granted_sek for r in local)
    headline = Headline(
        total_granted_sek=sum(r.granted_sek for r in figures.recipients),
        total_paid_sek=sum(r.paid_sek for r in figures.recipients),
        municipalities_sek=local_sek, handled=t.count(p, "handled"),
        granted=t.count(p, "granted"), rejected=t.count(p, "rejected"),
        municipalities=len(granted_local),
        counties=tuple(sorted({r.county for r in granted_local if r.county})),
        caps=figures.caps)
    trend = tuple(TrendPoint(x.year, x.granted_sek,
                             t.count(p, "granted" if x.year == figures.year
                                     else f"trend/{x.year}"),
                             x.applicants, x.appropriation_sek) for x in figures.trend)
    return GrantAccount(
        year=figures.year, has_data=bool(figures.recipients), headline=headline,
        allocations=tuple(figures.allocations), trend=trend,
        appropriation=_appropriation(figures), distribution=_distribution(local, others),
        individual=_individual(p, _reasons(local)), counties=_counties(p, granted_local),
        municipalities=_municipalities(p, granted_local), uses=_uses(p, figures, local_sek),
        agencies=_organisations(others, "agency_development", "agencies", "Myndighet",
                                "Bidrag till myndigheter inom regeringsuppdraget"),
        direct=_organisations(others, "direct_operational", "direkt-verksamhetsstod",
                              "Organisation", "Direkt verksamhetsstöd"),
        trend_table=_trend_table(trend))


def _appropriation(figures: AccountFigures) -> t.PublishedTable:
    rows = tuple((t.label(name_of(APPROPRIATION_KINDS, s.kind)),
                  t.label(s.in_force_from.isoformat()), t.label(s.reference or ""),
                  t.amount(s.total_cap_sek),
                  t.amount(s.direct_operational_cap_sek) if s.direct_operational_cap_sek
                  is not None else t.absent())
                 for s in figures.steps)
    note = None
    if figures.caps is not None and figures.caps.provisional:
        note = (f"Inget anslag är registrerat för {figures.year}; beloppen gäller enligt "
                f"{figures.caps.source_year} års beslut tills vidare.")
    return t.PublishedTable("anslag", "Anslag och ändringar under året",
                            ("Beslut", "Gäller från", "Referens", "Högst (kr)",
                             "Varav direkt verksamhetsstöd högst (kr)"), rows, note)


def _distribution(local: list[Recipient], others: list[Recipient]) -> t.PublishedTable:
    districts = any(r.applicant_kind == "city_district" and r.granted for r in local)
    rows = [(t.label("Kommuner och stadsdelar" if districts else "Kommuner"),
             t.amount(sum(r.granted_sek for r in local)), t.amount(sum(r.paid_sek for r in local)))]
    rows += [(t.label(r.name), t.amount(r.granted_sek), t.amount(r.paid_sek))
             for r in others if r.granted]
    every = local + others
    rows.append((t.label("Totalt"), t.amount(sum(r.granted_sek for r in every)),
                 t.amount(sum(r.paid_sek for r in every))))
    return t.PublishedTable("fordelning", "Sammanfattning av beviljade och utbetalda medel",
                            ("Mottagare", AMOUNT, PAID), tuple(rows), total_last=True)


def _individual(p: Protection, reasons: list[str]) -> t.PublishedTable:
    rows = [(t.label("Hanterade ansökningar"), t.count(p, "handled")),
            (t.label("Beviljade"), t.count(p, "granted")),
            (t.label("Avslagna"), t.count(p, "rejected"))]
    rows += [(t.label(f"– {name_of(REASONS, k)}"), t.count(p, f"reason/{k}")) for k in reasons]
    return t.PublishedTable("individarenden", "Ansökningar i individärenden",
                            ("", "Ansökningar"), tuple(rows), t.LEGEND)


def _counties(p: Protection, granted: list[Recipient]) -> t.PublishedTable:
    rows = []
    for county in sorted({r.county or "" for r in granted}):
        members = [r for r in granted if (r.county or "") == county]
        rows.append((t.label(county or "Okänt län"), t.number(len(members)),
                     t.count(p, f"county/{county}"),
                     t.amount(sum(r.granted_sek for r in members))))
    rows.append((t.label("Totalt"), t.number(len(granted)), t.count(p, "granted"),
                 t.amount(sum(r.granted_sek for r in granted))))
    return t.PublishedTable("lan", "Beviljade individärenden per län",
                            ("Län", "Kommuner och stadsdelar", "Beviljade ansökningar", AMOUNT),
                            tuple(rows), t.LEGEND, total_last=True)


def _municipalities(p: Protection, granted: list[Recipient]) -> t.PublishedTable:
    rows = tuple((t.label(r.name), t.label(r.county or ""), t.count(p, _mun_key(r)),
                  t.amount(r.granted_sek), t.amount(r.paid_sek))
                 for r in sorted(granted, key=lambda r: (r.county or "", r.name)))
    return t.PublishedTable("kommuner", "Kommuner och stadsdelar som beviljats medel",
                            ("Kommun/stadsdel", "Län", "Beviljade ansökningar", AMOUNT, PAID),
                            rows, t.LEGEND)


def _uses(p: Protection, figures: AccountFigures, local_sek: int) -> t.PublishedTable:
    rows = [(t.label(name_of(USES, u.category)), t.count(p, f"use/{u.category}"),
             t.amount(u.amount_sek)) for u in sorted(figures.uses, key=lambda u: -u.amount_sek)]
    rest = local_sek - sum(u.amount_sek for u in figures.uses)
    if rest > 0:
        rows.append((t.label("Ej fördelat på insats"), t.label(""), t.amount(rest)))
    rows.append((t.label("Totalt"), t.label(""), t.amount(local_sek)))
    return t.PublishedTable("insatser", "Vad medlen i individärenden har använts till",
                            ("Insats", "Ansökningar", "Belopp (kr)"), tuple(rows),
                            "En ansökan kan avse flera insatser. " + t.LEGEND, total_last=True)


def _organisations(others: list[Recipient], kind: str, key: str, who: str,
                   title: str) -> t.PublishedTable:
    rows = tuple((t.label(r.name), t.amount(r.granted_sek), t.amount(r.paid_sek),
                  t.label("; ".join(r.purposes)))
                 for r in others if r.kind == kind and r.granted)
    return t.PublishedTable(key, title, (who, AMOUNT, PAID, "Ändamål"), rows,
                            None if rows else "Inga medel beviljades.")


def _trend_table(trend: tuple[TrendPoint, ...]) -> t.PublishedTable:
    rows = tuple((t.label(str(x.year)),
                  t.amount(x.appropriation_sek) if x.appropriation_sek else t.absent(),
                  t.amount(x.granted_sek), x.granted, t.number(x.applicants)) for x in trend)
    return t.PublishedTable("utveckling", "Utveckling sedan första året i registret",
                            ("År", "Anslag högst (kr)", "Beviljat till individärenden (kr)",
                             "Beviljade ansökningar", "Kommuner och stadsdelar"), rows,
                            "– = anslaget för året är inte registrerat. " + t.LEGEND)
