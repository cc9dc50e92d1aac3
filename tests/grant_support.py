"""Helpers for the grant and report tests: the 2020-2022 history imported through the
CSV import, and a case whose state grant the case flow booked. The grant model's
records are emptied with the case data (`tests/conftest.py`); the seeded appropriation
and allocation decisions stay."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from models.action_plan import InterventionKind
from models.during_tables import GrantBudget, GrantDecisionRow, Intervention
from services.reports.grant_import import ImportResult, import_grants
from services.runtime import Runtime
from tests.factories import identity_number, open_case

HISTORY = Path(__file__).parent / "data" / "grants_2020_2022.csv"
NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def import_file(rt: Runtime, path: Path = HISTORY) -> ImportResult:
    return import_grants(rt, path.read_bytes(), by="grants-officer-test")


def imported_history(rt: Runtime) -> ImportResult:
    """The 2020-2022 file, imported into a database without grant records."""
    result = import_file(rt)
    assert result.errors == (), result.errors
    return result


def add_case_grant(rt: Runtime, amount: int, *, year: int = 2022,
                   municipality: str = "1280") -> str:
    """A case whose state grant the case flow booked (its plan: occupation, `amount`);
    returns the case number."""
    person = {"identity_number": identity_number(), "name": "Test Testsson"}
    opened = open_case(rt, person=person, placing_municipality=municipality)
    decided = datetime(year, 9, 1, 10, tzinfo=UTC)
    with rt.uow() as session:
        session.merge(GrantBudget(year=year, appropriation_sek=72_500_000,
                                  direct_operational_cap_sek=10_000_000))
        session.add(Intervention(case_id=opened.case_id, kind=InterventionKind.OCCUPATION,
                                 start=date(year, 9, 1), planned_end=date(year, 12, 31),
                                 cost_sek=amount, added_by="x", added_at=decided))
        session.add(GrantDecisionRow(case_id=opened.case_id, year=year, kind="individual_case",
                                     status="granted", amount_sek=amount, decided_at=decided))
    return opened.case_number
