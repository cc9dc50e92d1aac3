"""The grants officer's view of a year: the caps in force against the year's ledger, the
applications recorded here or imported (with their decisions and payouts), the case
flow's decisions by case number, and the cases whose application the police asked to
have completed. Organisations, amounts, references and case numbers only: nothing here
names a person (an individual-case application carries no free text by constraint).
Prefect-free; takes the caller's session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session

from models.appropriation import NoAppropriation
from models.grants import GrantKind
from services.reports.budget import caps_for, ledger_entries


@dataclass(frozen=True)
class YearCaps:
    total_cap_sek: int
    direct_operational_cap_sek: int
    provisional: bool  # no record for the year: the last recorded year's caps
    source_year: int


@dataclass(frozen=True)
class OfficerApplication:
    reference: str
    source: str  # officer | import
    kind: str
    applicant_kind: str
    applicant: str
    municipality_code: str | None
    received_on: date | None
    amount_applied_sek: int | None
    status: str  # pending | granted | rejected
    amount_sek: int | None
    rejection_reason: str | None
    decided_on: date | None
    paid_sek: int


@dataclass(frozen=True)
class CaseGrant:
    case_number: str
    kind: str
    status: str  # granted | rejected | refused_budget
    amount_sek: int | None
    decided_on: date
    paid_sek: int


@dataclass(frozen=True)
class CompletionRequest:
    case_number: str
    since: datetime


@dataclass(frozen=True)
class GrantYear:
    year: int
    caps: YearCaps | None  # None: no appropriation recorded for this year or before
    granted_sek: dict[str, int]  # by grant kind
    granted_total_sek: int
    left_sek: int | None
    direct_left_sek: int | None
    paid_sek: int
    applications: list[OfficerApplication]
    case_grants: list[CaseGrant]
    completions: list[CompletionRequest]


_APPLICATIONS = sa.text("""
SELECT a.reference, a.source, a.kind, ap.kind, ap.name, ap.municipality_code, a.received_on,
       a.amount_applied_sek, coalesce(d.outcome, 'pending'), d.amount_sek,
       d.rejection_reason, d.decided_on,
       coalesce((SELECT sum(p.amount_sek) FROM grant_payout p
                  WHERE p.application_id = a.id), 0)::bigint
  FROM grant_application a
  JOIN grant_applicant ap ON ap.id = a.applicant_id
  LEFT JOIN grant_application_decision d ON d.application_id = a.id
 WHERE a.year = :year
 ORDER BY a.reference
""")
_CASE_GRANTS = sa.text("""
SELECT c.case_number, g.kind, g.status, g.amount_sek,
       (g.decided_at AT TIME ZONE 'Europe/Stockholm')::date,
       coalesce((SELECT sum(p.amount_sek) FROM grant_payout p
                  WHERE p.case_decision_id = g.id), 0)::bigint
  FROM grant_decision g JOIN "case" c ON c.id = g.case_id
 WHERE g.year = :year
 ORDER BY c.case_number
""")
# The police asked for a completion and the coordinator has not yet given it.
_COMPLETIONS = sa.text("""
SELECT c.case_number, w.opened_at
  FROM case_wait w JOIN "case" c ON c.id = w.case_id
 WHERE w.kind = 'grant_completion' AND w.answered_at IS NULL
 ORDER BY w.opened_at
""")


def grant_year(session: Session, *, year: int, today: date) -> GrantYear:
    """The caps in force on `today` when it falls in `year`, else at the year's end."""
    on = today if today.year == year else date(year, 12, 31)
    try:
        found = caps_for(session, year=year, on=on)
        caps: YearCaps | None = YearCaps(found.total_cap_sek, found.direct_operational_cap_sek,
                                         found.provisional, found.source_year)
    except NoAppropriation:
        caps = None
    entries = ledger_entries(session, year=year)
    by_kind = {k.value: sum(e.amount_sek for e in entries if e.kind == k) for k in GrantKind}
    total = sum(by_kind.values())
    applications = [OfficerApplication(*row) for row in
                    session.execute(_APPLICATIONS, {"year": year})]
    case_grants = [CaseGrant(*row) for row in session.execute(_CASE_GRANTS, {"year": year})]
    completions = [CompletionRequest(*row) for row in session.execute(_COMPLETIONS)]
    paid = sum(a.paid_sek for a in applications) + sum(g.paid_sek for g in case_grants)
    return GrantYear(
        year=year, caps=caps, granted_sek=by_kind, granted_total_sek=total,
        left_sek=caps.total_cap_sek - total if caps else None,
        direct_left_sek=(caps.direct_operational_cap_sek
                         - by_kind[GrantKind.DIRECT_OPERATIONAL.value]) if caps else None,
        paid_sek=paid, applications=applications, case_grants=case_grants,
        completions=completions)
