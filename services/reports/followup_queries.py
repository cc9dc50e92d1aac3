"""The figures of the follow-up statistics: the cases opened in a period (all, or one
placing municipality's), counted by what they are and what happened to them.

The cohort is chosen once into a temporary table (dropped at commit) with SQLAlchemy
Core, then each fact is one grouped query over it; the case dimensions are one scan
with GROUPING SETS. Only counts, and the durations needed for medians, leave the
database; the encrypted destination of a relocation is decrypted here in bulk to count
moves to another municipality and is dropped at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session

from adapters.db import table
from models.tables import Case, County, Municipality, Person

STOCKHOLM = ZoneInfo("Europe/Stockholm")
DIMENSIONS = ("phase", "status", "milieu", "sex", "age_band", "county", "referring_agency")
EMERGENCY_HOUSING = ("protected_housing", "emergency")  # skyddat/akut boende


class Decrypter(Protocol):
    def decrypt_many(self, tokens: Sequence[bytes]) -> list[str]: ...


@dataclass(frozen=True)
class PhaseTime:
    phase: str
    n: int  # completed spells in the phase
    median_days: float | None
    p90_days: float | None


@dataclass(frozen=True)
class Indicators:
    months: int
    n: int
    stable_housing: int
    occupation: int
    no_new_crime: int


@dataclass(frozen=True)
class FollowUpFigures:
    cases: int
    by: dict[str, dict[str, int]]  # dimension -> code -> cases
    admitted: int
    phase_times: list[PhaseTime]
    overdue: dict[str, int]  # wait kind -> cases with such a wait overdue
    overdue_any: int
    relocated: int
    emergency_first: int
    moved_away: int
    intervention_kinds: dict[str, int]  # kind -> cases
    providers: dict[str, int]  # provider name ("" = no external provider) -> cases
    outcomes: dict[str, int]  # closed cases by outcome
    indicators: list[Indicators]
    flagged_cases: int
    flags: dict[str, int]  # assessment decision ("" = not yet assessed) -> flags


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start, end] as Swedish calendar days."""
    return (datetime.combine(start, time(), STOCKHOLM),
            datetime.combine(end + timedelta(days=1), time(), STOCKHOLM))


TS = sa.DateTime(timezone=True)
# The period's cases, held for the queries of one report (dropped at commit).
COHORT = sa.Table(
    "cohort", sa.MetaData(),
    sa.Column("id", sa.Uuid, primary_key=True), sa.Column("phase", sa.String),
    sa.Column("status", sa.String), sa.Column("milieu", sa.String),
    sa.Column("referring_agency", sa.String), sa.Column("outcome", sa.String),
    sa.Column("placing_municipality", sa.String), sa.Column("opened_at", TS),
    sa.Column("closed_at", TS), sa.Column("sex", sa.String), sa.Column("age_band", sa.String),
    sa.Column("county", sa.String),
    prefixes=["TEMPORARY"], postgresql_on_commit="DROP",
)


def _cohort(session: Session, *, start: date, end: date, municipality: str | None,
            cipher: Decrypter) -> None:
    """The period's cases with the person's sex and age band at opening: decrypted here
    (both are stored encrypted, services/clear_text.py), never written back."""
    c, p, m, co = (table(x).c for x in (Case, Person, Municipality, County))
    lo, hi = _bounds(start, end)
    query = (sa.select(c.id, c.phase, c.status, c.milieu, c.referring_agency, c.outcome,
                       c.placing_municipality, c.opened_at, c.closed_at, p.sex_enc,
                       p.birth_date_enc, co.name)
             .join_from(table(Case), table(Person), p.id == c.person_id)
             .join(table(Municipality), m.code == c.placing_municipality)
             .join(table(County), co.code == m.county_code)
             .where(c.opened_at >= lo, c.opened_at < hi))
    if municipality is not None:
        query = query.where(c.placing_municipality == municipality)
    rows = session.execute(query).all()
    sexes = _opened(cipher, [r.sex_enc for r in rows])
    births = _opened(cipher, [r.birth_date_enc for r in rows])
    connection = session.connection()
    COHORT.drop(connection, checkfirst=True)  # a second report in the same transaction
    COHORT.create(connection)
    if rows:
        session.execute(sa.insert(COHORT), [
            {"id": r.id, "phase": r.phase, "status": r.status, "milieu": r.milieu,
             "referring_agency": r.referring_agency, "outcome": r.outcome,
             "placing_municipality": r.placing_municipality, "opened_at": r.opened_at,
             "closed_at": r.closed_at, "sex": sex,
             "age_band": _band(date.fromisoformat(born), r.opened_at) if born else None,
             "county": r.name}
            for r, sex, born in zip(rows, sexes, births, strict=True)])
    session.execute(sa.text("ANALYZE cohort"))


def _opened(cipher: Decrypter, tokens: Sequence[bytes | None]) -> list[str | None]:
    """Each row's value, decrypted in one bulk pass (None where none is stored)."""
    sealed = [bytes(t) for t in tokens if t is not None]
    opened = iter(cipher.decrypt_many(sealed) if sealed else [])
    return [next(opened) if t is not None else None for t in tokens]


def _band(born: date, opened_at: datetime) -> str:
    on = opened_at.astimezone(STOCKHOLM).date()
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return ("under_18" if age < 18 else "18_29" if age < 30 else "30_39" if age < 40
            else "40_plus")


_DIMENSIONS = sa.text("""
SELECT grouping(phase, status, milieu, sex, age_band, county, referring_agency) AS g,
       phase, status, milieu, sex, age_band, county, referring_agency, count(*)
  FROM cohort
 GROUP BY GROUPING SETS ((phase), (status), (milieu), (sex), (age_band), (county),
                         (referring_agency), ())
""")
# A phase is entered at the first journal entry carrying it; the before phase at the
# opening. A spell counts when it ended: by the next phase or by closure.
_PHASE_TIMES = sa.text("""
WITH marks AS (
  SELECT c.id, c.opened_at, c.closed_at,
         min(j.at) FILTER (WHERE j.phase = 'during') AS during_at,
         min(j.at) FILTER (WHERE j.phase = 'after') AS after_at
    FROM cohort c JOIN case_journal j ON j.case_id = c.id
   GROUP BY c.id, c.opened_at, c.closed_at
), spells AS (
  SELECT v.phase, extract(epoch FROM v.ended - v.started) / 86400 AS days
    FROM marks CROSS JOIN LATERAL (VALUES
      ('before', opened_at, coalesce(during_at, after_at, closed_at)),
      ('during', during_at, coalesce(after_at, closed_at)),
      ('after', after_at, closed_at)) AS v(phase, started, ended)
)
SELECT phase, count(days) AS n,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY days) AS p90
  FROM spells GROUP BY phase
""")
_ADMITTED = sa.text("""
SELECT count(*) FROM cohort c
 WHERE EXISTS (SELECT 1 FROM case_journal j WHERE j.case_id = c.id AND j.kind = 'admitted')
""")
_OVERDUE = sa.text("""
SELECT w.kind, count(DISTINCT w.case_id)
  FROM case_wait w JOIN cohort c ON c.id = w.case_id
 WHERE w.answered_at > w.deadline OR (w.answered_at IS NULL AND w.deadline < :as_of)
 GROUP BY ROLLUP (w.kind)
""")
_RELOCATIONS = sa.text("""
SELECT DISTINCT ON (r.case_id) r.housing_form, r.destination_enc, c.placing_municipality
  FROM relocation r JOIN cohort c ON c.id = r.case_id
 ORDER BY r.case_id, r.sequence DESC
""")
_KINDS = sa.text("""
SELECT i.kind, count(DISTINCT i.case_id) FROM intervention i JOIN cohort c ON c.id = i.case_id
 GROUP BY i.kind
""")
_PROVIDERS = sa.text("""
SELECT coalesce(p.name, ''), count(DISTINCT i.case_id)
  FROM intervention i JOIN cohort c ON c.id = i.case_id
  LEFT JOIN provider p ON p.id = i.provider_id
 GROUP BY 1
""")
_OUTCOMES = sa.text("""
SELECT coalesce(outcome, 'other'), count(*) FROM cohort WHERE status = 'closed' GROUP BY 1
""")
_INDICATORS = sa.text("""
SELECT o.months, count(*), count(*) FILTER (WHERE o.stable_housing),
       count(*) FILTER (WHERE o.occupation), count(*) FILTER (WHERE o.no_new_crime)
  FROM outcome_indicator o JOIN cohort c ON c.id = o.case_id
 GROUP BY o.months ORDER BY o.months
""")
_FLAGS = sa.text("""
SELECT coalesce(f.decision, ''), count(*), count(DISTINCT f.case_id)
  FROM relapse_flag f JOIN cohort c ON c.id = f.case_id
 GROUP BY ROLLUP (coalesce(f.decision, ''))
""")


def _relocations(session: Session, cipher: Decrypter) -> tuple[int, int, int]:
    rows = session.execute(_RELOCATIONS).all()
    destinations = cipher.decrypt_many([bytes(r[1]) for r in rows])
    moved = sum(1 for r, dest in zip(rows, destinations, strict=True) if dest != r[2])
    del destinations  # counted; never kept, never returned
    emergency = sum(1 for r in rows if r[0] in EMERGENCY_HOUSING)
    return len(rows), emergency, moved


def followup_figures(session: Session, *, start: date, end: date, municipality: str | None,
                     cipher: Decrypter, as_of: datetime) -> FollowUpFigures:
    _cohort(session, start=start, end=end, municipality=municipality, cipher=cipher)
    by: dict[str, dict[str, int]] = {d: {} for d in DIMENSIONS}
    cases = 0
    for g, *values, n in session.execute(_DIMENSIONS):
        if g == (1 << len(DIMENSIONS)) - 1:
            cases = n
            continue
        # grouping() sets a bit for every column NOT in the set: the clear one is ours.
        index = next(i for i in range(len(DIMENSIONS))
                     if not g & (1 << (len(DIMENSIONS) - 1 - i)))
        by[DIMENSIONS[index]][str(values[index])] = n
    times = session.execute(_PHASE_TIMES).all()
    overdue = {k: n for k, n in session.execute(_OVERDUE, {"as_of": as_of})}
    relocated, emergency, moved = _relocations(session, cipher)
    flags = session.execute(_FLAGS).all()
    return FollowUpFigures(
        cases=cases, by=by,
        admitted=session.execute(_ADMITTED).scalar_one(),
        phase_times=[PhaseTime(r.phase, r.n, r.median, r.p90) for r in times],
        overdue={k: n for k, n in overdue.items() if k is not None},
        overdue_any=overdue.get(None, 0), relocated=relocated, emergency_first=emergency,
        moved_away=moved, intervention_kinds={k: n for k, n in session.execute(_KINDS)},
        providers={k: n for k, n in session.execute(_PROVIDERS)},
        outcomes={k: n for k, n in session.execute(_OUTCOMES)},
        indicators=[Indicators(*r) for r in session.execute(_INDICATORS)],
        flagged_cases=next((c for d, _, c in flags if d is None), 0),
        flags={d: n for d, n, _ in flags if d is not None})
