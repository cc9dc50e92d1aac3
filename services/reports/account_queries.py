"""The figures of the annual account, read with a handful of grouped queries over the
`grant_ledger` view (applications from cases and from the grants officer alike), the
payouts, the uses and the dated appropriation. Organisations and sums only: nothing
here identifies a person or a case."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.appropriation import AppropriationStep, CapsInForce, NoAppropriation, final_caps
from models.grant_model import GrantAllocationDecision
from services.reports.budget import appropriation_steps


@dataclass
class Recipient:
    kind: str  # the grant kind
    applicant_kind: str
    name: str
    county: str | None  # the county's name for municipalities and city districts
    granted: int = 0  # applications
    rejected: dict[str, int] = field(default_factory=dict)  # by reason
    granted_sek: int = 0
    paid_sek: int = 0
    purposes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class UseLine:
    category: str
    applications: int
    amount_sek: int


@dataclass(frozen=True)
class TrendLine:
    year: int
    granted: int
    granted_sek: int
    applicants: int
    appropriation_sek: int | None  # the year's final cap, if recorded for that year


@dataclass(frozen=True)
class Allocation:
    decided_on: date
    reference: str | None
    allowed_kinds: frozenset[str]
    note: str


@dataclass(frozen=True)
class AccountFigures:
    year: int
    recipients: list[Recipient]
    uses: list[UseLine]
    trend: list[TrendLine]
    steps: list[AppropriationStep]  # this year's
    caps: CapsInForce | None  # at the end of the year
    allocations: list[Allocation]


_RECIPIENTS = sa.text("""
SELECT l.kind, l.applicant_kind, l.applicant_name, co.name AS county, l.status,
       l.rejection_reason, count(*) AS n, coalesce(sum(l.amount_sek), 0)::bigint AS sek
  FROM grant_ledger l
  LEFT JOIN municipality m ON m.code = l.municipality_code
  LEFT JOIN county co ON co.code = m.county_code
 WHERE l.year = :year AND l.status <> 'pending'
 GROUP BY 1, 2, 3, 4, 5, 6
""")
# Two joins, not one with OR: each side can use its own index.
_PAID = sa.text("""
SELECT kind, applicant_kind, applicant_name, sum(sek)::bigint AS sek FROM (
  SELECT l.kind, l.applicant_kind, l.applicant_name, p.amount_sek AS sek
    FROM grant_ledger l JOIN grant_payout p ON p.application_id = l.application_id
   WHERE l.year = :year
  UNION ALL
  SELECT l.kind, l.applicant_kind, l.applicant_name, p.amount_sek
    FROM grant_ledger l JOIN grant_payout p ON p.case_decision_id = l.case_decision_id
   WHERE l.year = :year
) paid GROUP BY 1, 2, 3
""")
_PURPOSES = sa.text("""
SELECT a.kind, ap.kind, ap.name, a.purpose
  FROM grant_application a
  JOIN grant_applicant ap ON ap.id = a.applicant_id
  JOIN grant_application_decision d ON d.application_id = a.id AND d.outcome = 'granted'
 WHERE a.year = :year AND a.purpose IS NOT NULL
 ORDER BY a.reference
""")
# A case's grant pays its action plan as it stood when the grant was decided.
_USES = sa.text("""
SELECT category, count(DISTINCT application) AS n, sum(sek)::bigint AS sek FROM (
  SELECT u.category, 'a' || u.application_id AS application, u.amount_sek AS sek
    FROM grant_use u
    JOIN grant_application a ON a.id = u.application_id
    JOIN grant_application_decision d ON d.application_id = a.id AND d.outcome = 'granted'
   WHERE a.year = :year
  UNION ALL
  SELECT i.kind, 'c' || g.id, i.cost_sek
    FROM grant_decision g
    JOIN intervention i ON i.case_id = g.case_id AND i.added_at <= g.decided_at
   WHERE g.year = :year AND g.status = 'granted' AND i.cost_sek > 0
) uses GROUP BY category ORDER BY category
""")
_TREND = sa.text("""
SELECT year, count(*) AS n, sum(amount_sek)::bigint AS sek,
       count(DISTINCT (applicant_kind, applicant_name)) AS applicants
  FROM grant_ledger
 WHERE kind = 'individual_case' AND status = 'granted' AND year <= :year
 GROUP BY year ORDER BY year
""")
_FIRST_YEAR = sa.text("""
SELECT least((SELECT min(year) FROM grant_ledger), (SELECT min(year) FROM grant_appropriation))
""")


def _recipients(session: Session, year: int) -> list[Recipient]:
    found: dict[tuple[str, str, str], Recipient] = {}
    for kind, ak, name, county, status, reason, n, sek in session.execute(
            _RECIPIENTS, {"year": year}):
        r = found.setdefault((kind, ak, name), Recipient(kind, ak, name, county))
        if status == "granted":
            r.granted += n
            r.granted_sek += sek
        else:
            r.rejected[reason] = r.rejected.get(reason, 0) + n
    for kind, ak, name, sek in session.execute(_PAID, {"year": year}):
        if (kind, ak, name) in found:
            found[(kind, ak, name)].paid_sek = sek
    for kind, ak, name, purpose in session.execute(_PURPOSES, {"year": year}):
        if (kind, ak, name) in found:
            found[(kind, ak, name)].purposes.append(purpose)
    return sorted(found.values(), key=lambda r: (r.kind, r.applicant_kind, r.name))


def _trend(session: Session, year: int, steps: list[AppropriationStep]) -> list[TrendLine]:
    first = session.execute(_FIRST_YEAR).scalar_one()
    if first is None or first > year:
        return []
    rows = {y: (n, sek, applicants) for y, n, sek, applicants in
            session.execute(_TREND, {"year": year})}
    own_years = {s.year for s in steps}
    out = []
    for y in range(first, year + 1):
        n, sek, applicants = rows.get(y, (0, 0, 0))
        cap = final_caps(steps, year=y).total_cap_sek if y in own_years else None
        out.append(TrendLine(y, n, sek, applicants, cap))
    return out


def account_figures(session: Session, *, year: int) -> AccountFigures:
    steps = appropriation_steps(session)
    try:
        caps: CapsInForce | None = final_caps(steps, year=year)
    except NoAppropriation:
        caps = None
    allocations = [Allocation(r.decided_on, r.reference, frozenset(r.allowed_kinds), r.note)
                   for r in session.exec(select(GrantAllocationDecision).where(
                       GrantAllocationDecision.year == year).order_by(
                       col(GrantAllocationDecision.decided_on))).all()]
    uses = [UseLine(c, n, sek) for c, n, sek in session.execute(_USES, {"year": year})]
    return AccountFigures(year=year, recipients=_recipients(session, year), uses=uses,
                          trend=_trend(session, year, steps),
                          steps=[s for s in steps if s.year == year], caps=caps,
                          allocations=allocations)
