"""Writing checked import rows in bulk: a handful of statements for any number of rows
(one per table), inside the importer's savepoint. Per-row service calls cost a dozen
round trips a row (~40 ms on a loaded machine: minutes for a few thousand rows); the
rules they apply are already applied by the importer's checks, and what only the
database can tell (an applicant recorded under another municipality) is checked here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session

from adapters.db import table
from models.grant_model import (
    ApplicantKind,
    ApplicationSource,
    GrantApplicant,
    GrantApplication,
    GrantApplicationDecision,
    GrantPayout,
    GrantUse,
)
from services.reports.records import ApplicationIn, DecisionIn


@dataclass(frozen=True)
class CheckedRow:
    line: int
    application: ApplicationIn
    decision: DecisionIn | None
    uses: dict[str, int]
    paid: tuple[int, date] | None
    digest: str


class RowRefused(ValueError):
    def __init__(self, line: int, field: str, message: str) -> None:
        super().__init__(message)
        self.line, self.field = line, field


def _applicants(session: Session, rows: Sequence[CheckedRow],
                names: dict[str, str]) -> dict[str, int]:
    """reference -> applicant id, creating the applicants that are new."""
    wanted: dict[tuple[str, str], tuple[str | None, int]] = {}
    by_reference: dict[str, tuple[str, str]] = {}
    for row in rows:
        a = row.application
        name = (names[a.municipality_code] if a.applicant_kind == ApplicantKind.MUNICIPALITY
                and a.municipality_code else a.applicant or "")
        key = (a.applicant_kind.value, name)
        first = wanted.setdefault(key, (a.municipality_code, row.line))
        if first[0] != a.municipality_code:
            raise RowRefused(row.line, "municipality_code",
                             f"{name} is under {first[0]} on line {first[1]}")
        by_reference[a.reference] = key
    applicant = table(GrantApplicant)
    session.execute(insert(applicant).on_conflict_do_nothing(index_elements=["kind", "name"]),
                    [{"kind": k, "name": n, "municipality_code": code}
                     for (k, n), (code, _) in wanted.items()])
    stored = {(k, n): (i, code) for i, k, n, code in session.execute(
        sa.select(applicant.c.id, applicant.c.kind, applicant.c.name,
                  applicant.c.municipality_code).where(
            sa.tuple_(applicant.c.kind, applicant.c.name).in_(list(wanted))))}
    for key, (code, line) in wanted.items():
        if stored[key][1] != code:
            raise RowRefused(line, "municipality_code",
                             f"{key[1]} is recorded under {stored[key][1]}")
    return {ref: stored[key][0] for ref, key in by_reference.items()}


def write_rows(session: Session, rows: Sequence[CheckedRow], *, names: dict[str, str],
               by: str, now: datetime) -> None:
    if not rows:
        return
    applicant_of = _applicants(session, rows, names)
    application = table(GrantApplication)
    ids = {ref: i for i, ref in session.execute(
        insert(application).returning(application.c.id, application.c.reference),
        [{"reference": r.application.reference, "year": r.application.year,
          "kind": r.application.kind.value, "applicant_id": applicant_of[
              r.application.reference], "received_on": r.application.received_on,
          "amount_applied_sek": r.application.amount_applied_sek,
          "purpose": r.application.purpose, "source": ApplicationSource.IMPORT.value,
          "import_digest": r.digest, "recorded_by": by, "recorded_at": now} for r in rows])}
    decided = [r for r in rows if r.decision is not None]
    if decided:
        session.execute(insert(table(GrantApplicationDecision)), [
            {"application_id": ids[r.application.reference], "outcome": d.outcome.value,
             "amount_sek": d.amount_sek, "rejection_reason": d.rejection_reason,
             "decided_on": d.decided_on, "decided_by": d.decided_by.value,
             "recorded_by": by, "recorded_at": now}
            for r in decided if (d := r.decision) is not None])
    uses = [{"application_id": ids[r.application.reference], "category": c, "amount_sek": a}
            for r in rows for c, a in sorted(r.uses.items())]
    if uses:
        session.execute(insert(table(GrantUse)), uses)
    paid = [{"reference": f"{r.application.reference}/import", "amount_sek": p[0],
             "paid_on": p[1], "application_id": ids[r.application.reference],
             "recorded_by": by, "recorded_at": now} for r in rows if (p := r.paid) is not None]
    if paid:
        session.execute(insert(table(GrantPayout)), paid)
