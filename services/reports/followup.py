"""Follow-up statistics of the cases opened in a period, for one placing municipality
(its own cases) or for the nation: cases by phase, status, milieu, sex, age band and
county; referrals by referring agency; the share admitted; time in each phase (median,
90th percentile); overdue waits; relocations (share placed first in emergency housing,
share moved to another municipality); interventions by kind and provider; closure
outcomes; the indicators at 6, 12 and 24 months; relapse flags and what the
assessments decided.

Re-identifying no one: every count is a count of people and goes through one
`models.suppression.protect` over all the report's tables, with the relations between
them that hold by construction (each one-way table adds up to the number of cases;
relocations split two ways; each indicator is yes + no; closed cases are their
outcomes; the admitted are the cases in the during and after phases when that holds).
Tables are one-way: no table crosses two dimensions, so no cell narrows a group below
what a one-way table shows. A median or percentile is published only over at least
`MIN_FOR_PERCENTILES` completed spells (below that it is close to one person's own
time). No case number, name or date of a single event appears.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from models.enums import Agency, CaseStatus, Milieu, Phase, Sex, values
from models.suppression import THRESHOLD, Protection, Relation, protect
from models.tables import Municipality
from services.reports import formatting as f
from services.reports import tables as t
from services.reports.followup_queries import Decrypter, FollowUpFigures, followup_figures

MIN_FOR_PERCENTILES = 10
NATIONAL = "Hela landet"
AGE_BANDS = {"under_18": "Under 18 år", "18_29": "18–29 år", "30_39": "30–39 år",
             "40_plus": "40 år och äldre"}
INDICATORS = {"stable_housing": "Stabilt boende", "occupation": "Sysselsättning",
              "no_new_crime": "Ingen ny brottslighet"}
ONE_WAY: tuple[tuple[str, str, dict[str, str], list[str] | None], ...] = (
    # dimension, title, names, codes always shown (None: those present)
    ("phase", "Ärenden per fas", f.PHASES, values(Phase)),
    ("status", "Ärenden per status", f.STATUSES, values(CaseStatus)),
    ("milieu", "Ärenden per miljö", f.MILIEUS, values(Milieu)),
    ("sex", "Ärenden per kön", f.SEXES, values(Sex)),
    ("age_band", "Ärenden per åldersgrupp när ärendet öppnades", AGE_BANDS, list(AGE_BANDS)),
    ("county", "Ärenden per län (placerande kommun)", {}, None),
    ("referring_agency", "Hänvisningar per hänvisande myndighet", f.AGENCIES, values(Agency)),
)


@dataclass(frozen=True)
class FollowUpReport:
    scope: str
    start: date
    end: date
    cases: t.Cell
    enough: bool  # False: too few cases to publish anything but that
    tables: tuple[t.PublishedTable, ...]
    # (title, (label, published value or None, as shown)): charts draw published values only
    charts: tuple[tuple[str, tuple[tuple[str, int | None, str], ...]], ...]


class FollowUpRefused(ValueError):
    """A request for statistics that cannot be answered; the message names the field."""


def followup_report(session: Session, *, start: date, end: date, municipality: str | None,
                    cipher: Decrypter, as_of: datetime) -> FollowUpReport:
    """`municipality`: a placing municipality's own cases; None: the whole country."""
    if end < start:
        raise FollowUpRefused("to: the period ends before it starts")
    scope = NATIONAL
    if municipality is not None:
        found = session.get(Municipality, municipality)
        if found is None:
            raise FollowUpRefused("municipality: no municipality has this code")
        scope = f"{found.name} ({found.code})"
    figures = followup_figures(session, start=start, end=end, municipality=municipality,
                               cipher=cipher, as_of=as_of)
    return build_report(figures, scope=scope, start=start, end=end)


def _codes(figures: FollowUpFigures, dim: str, codes: list[str] | None) -> list[str]:
    present = sorted(figures.by[dim])
    return present if codes is None else codes + [c for c in present if c not in codes]


def _cells(fig: FollowUpFigures) -> tuple[dict[str, int], list[Relation]]:
    v: dict[str, int] = {"cases": fig.cases}
    rel: list[Relation] = []

    def split(total: str, parts: dict[str, int]) -> None:
        v.update(parts)
        rel.append(Relation(total, tuple(parts)))

    for dim, _, _, codes in ONE_WAY:
        split("cases", {f"{dim}/{c}": fig.by[dim].get(c, 0) for c in _codes(fig, dim, codes)})
    split("cases", {"admitted/yes": fig.admitted, "admitted/no": fig.cases - fig.admitted})
    if fig.admitted == v["phase/during"] + v["phase/after"]:
        rel.append(Relation("admitted/yes", ("phase/during", "phase/after")))
    split("status/closed", {f"outcome/{k}": n for k, n in fig.outcomes.items()})
    v |= {f"time/{pt.phase}": pt.n for pt in fig.phase_times}
    split("cases", {"overdue/yes": fig.overdue_any, "overdue/no": fig.cases - fig.overdue_any})
    v |= {f"overdue/{k}": n for k, n in fig.overdue.items()}
    split("cases", {"reloc/yes": fig.relocated, "reloc/no": fig.cases - fig.relocated})
    split("reloc/yes", {"reloc/emergency": fig.emergency_first,
                        "reloc/other_form": fig.relocated - fig.emergency_first})
    split("reloc/yes", {"reloc/moved": fig.moved_away,
                        "reloc/same": fig.relocated - fig.moved_away})
    v |= {f"kind/{k}": n for k, n in fig.intervention_kinds.items()}
    v |= {f"provider/{k}": n for k, n in fig.providers.items()}
    for ind in fig.indicators:
        v[f"ind/{ind.months}"] = ind.n
        for key in INDICATORS:
            yes = getattr(ind, key)
            split(f"ind/{ind.months}", {f"ind/{ind.months}/{key}/yes": yes,
                                        f"ind/{ind.months}/{key}/no": ind.n - yes})
    split("cases", {"flagged/yes": fig.flagged_cases,
                    "flagged/no": fig.cases - fig.flagged_cases})
    v["flags"] = sum(fig.flags.values())
    split("flags", {f"flags/{d}": n for d, n in fig.flags.items()} or {"flags/": 0})
    return v, rel


def build_report(fig: FollowUpFigures, *, scope: str, start: date,
                 end: date) -> FollowUpReport:
    if fig.cases < THRESHOLD:
        cases = t.Cell(t.CellKind.COUNT, f"<{THRESHOLD}" if fig.cases else "0",
                       None if fig.cases else 0)
        return FollowUpReport(scope, start, end, cases, False, (), ())
    v, rel = _cells(fig)
    p = protect(v, rel, fixed=["cases"])
    tables = [_one_way(p, fig, dim, title, names, codes) for dim, title, names, codes in ONE_WAY]
    tables += [_admitted(p), _phase_times(p, fig), _overdue(p, fig), _relocations(p),
               _listing(p, "insatser-slag", "Insatser per slag (ärenden med insatsen)", "Insats",
                        {k: f.name_of(f.USES, k) for k in fig.intervention_kinds}, "kind"),
               _listing(p, "insatser-utforare", "Insatser per utförare (ärenden)", "Utförare",
                        {k: k or "Ingen extern utförare" for k in fig.providers}, "provider"),
               _outcomes(p, fig), _indicators(p, fig), _relapses(p, fig)]
    charts = tuple((title, tuple((f.name_of(names, c), p.value(f"{dim}/{c}"),
                                  p.symbol(f"{dim}/{c}")) for c in _codes(fig, dim, codes)))
                   for dim, title, names, codes in ONE_WAY if dim in ("phase", "age_band"))
    return FollowUpReport(scope, start, end, t.count(p, "cases"), True, tuple(tables), charts)


def _rows(p: Protection, items: list[tuple[str, str]], whole: str) -> tuple[tuple[t.Cell, ...],
                                                                            ...]:
    return tuple((t.label(name), t.count(p, key), t.share(p, key, whole)) for name, key in items)


def _one_way(p: Protection, fig: FollowUpFigures, dim: str, title: str, names: dict[str, str],
             codes: list[str] | None) -> t.PublishedTable:
    items = [(f.name_of(names, c), f"{dim}/{c}") for c in _codes(fig, dim, codes)]
    rows = _rows(p, items, "cases") + ((t.label("Totalt"), t.count(p, "cases"),
                                        t.label("100\u00a0%")),)
    return t.PublishedTable(f"arenden-{dim.replace('_', '-')}", title,
                            ("", "Ärenden", "Andel"), rows, t.LEGEND, total_last=True)


def _admitted(p: Protection) -> t.PublishedTable:
    rows = _rows(p, [("Antagna till avhopparverksamheten", "admitted/yes"),
                     ("Inte antagna", "admitted/no")], "cases")
    return t.PublishedTable("antagna", "Andel antagna", ("", "Ärenden", "Andel"), rows,
                            t.LEGEND)


def _phase_times(p: Protection, fig: FollowUpFigures) -> t.PublishedTable:
    rows = []
    for pt in sorted(fig.phase_times, key=lambda x: list(f.PHASES).index(x.phase)):
        shown = (p.value(f"time/{pt.phase}") or 0) >= MIN_FOR_PERCENTILES
        rows.append((t.label(f.name_of(f.PHASES, pt.phase)), t.count(p, f"time/{pt.phase}"),
                     t.days(pt.median_days if shown else None),
                     t.days(pt.p90_days if shown else None)))
    return t.PublishedTable("tid-i-fas", "Tid i varje fas (dagar), avslutade perioder",
                            ("Fas", "Avslutade", "Median", "90:e percentilen"), tuple(rows),
                            f"Median och percentil redovisas när minst {MIN_FOR_PERCENTILES} "
                            "perioder har avslutats. " + t.LEGEND)


def _overdue(p: Protection, fig: FollowUpFigures) -> t.PublishedTable:
    items = [("Ärenden med någon försenad väntan", "overdue/yes")]
    items += [(f"– {f.name_of(f.WAITS, k)}", f"overdue/{k}") for k in sorted(fig.overdue)]
    return t.PublishedTable("forsenade-vantan", "Försenade väntan (svar efter tidsfristen)",
                            ("", "Ärenden", "Andel"), _rows(p, items, "cases"), t.LEGEND)


def _relocations(p: Protection) -> t.PublishedTable:
    rows = _rows(p, [("Ärenden med beslut om flytt", "reloc/yes")], "cases")
    rows += _rows(p, [("– först placerade i akut boende", "reloc/emergency"),
                      ("– flyttade till en annan kommun", "reloc/moved")], "reloc/yes")
    return t.PublishedTable("flyttar", "Flyttar", ("", "Ärenden", "Andel"), rows,
                            "Andelarna för akut boende och annan kommun avser ärenden med "
                            "flytt. " + t.LEGEND)


def _listing(p: Protection, key: str, title: str, what: str, names: dict[str, str],
             prefix: str) -> t.PublishedTable:
    rows = tuple((t.label(name), t.count(p, f"{prefix}/{code}"))
                 for code, name in sorted(names.items(), key=lambda kv: kv[1]))
    return t.PublishedTable(key, title, (what, "Ärenden"), rows,
                            "Ett ärende kan ha flera. " + t.LEGEND)


def _outcomes(p: Protection, fig: FollowUpFigures) -> t.PublishedTable:
    rows = _rows(p, [(f.name_of(f.OUTCOMES, k), f"outcome/{k}") for k in sorted(fig.outcomes)],
                 "status/closed")
    rows += ((t.label("Avslutade ärenden"), t.count(p, "status/closed"), t.label("100\u00a0%")),)
    return t.PublishedTable("utfall", "Avslutade ärenden per utfall", ("", "Ärenden", "Andel"),
                            rows, t.LEGEND, total_last=True)


def _indicators(p: Protection, fig: FollowUpFigures) -> t.PublishedTable:
    rows = tuple((t.label(f"{ind.months} månader"), t.count(p, f"ind/{ind.months}"),
                  *(t.share(p, f"ind/{ind.months}/{k}/yes", f"ind/{ind.months}")
                    for k in INDICATORS)) for ind in fig.indicators)
    return t.PublishedTable("uppfoljning", "Uppföljning efter 6, 12 och 24 månader",
                            ("", "Uppföljda", *INDICATORS.values()), rows,
                            "Andel av de uppföljda. " + t.LEGEND)


def _relapses(p: Protection, fig: FollowUpFigures) -> t.PublishedTable:
    rows = _rows(p, [("Ärenden med återfallsflagga", "flagged/yes")], "cases")
    rows += tuple((t.label(f"Flaggor – {f.name_of(f.DECISIONS, d)}"), t.count(p, f"flags/{d}"),
                   t.share(p, f"flags/{d}", "flags")) for d in sorted(fig.flags))
    return t.PublishedTable("aterfall", "Återfall och socialtjänstens bedömningar",
                            ("", "Antal", "Andel"), rows, t.LEGEND)
