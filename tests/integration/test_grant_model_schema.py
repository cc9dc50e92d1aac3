"""Migration 0011_grant_model: the grant tables are what the models say, the dated
appropriation is seeded from the sources, and the database refuses what the rules
refuse even when the code is bypassed."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import models.grant_model  # noqa: F401 - registers the grant tables
from models.appropriation import caps_in_force
from services.reports.budget import appropriation_steps, budget_for
from services.runtime import Runtime

GRANT_TABLES = {"grant_appropriation", "grant_allocation_decision", "grant_applicant",
                "grant_application", "grant_application_decision", "grant_use",
                "grant_payout"}


def _length_differs(_c: Any, _i: Any, _m: Any, db_type: Any, model_type: Any) -> bool | None:
    if isinstance(db_type, sa.String) and db_type.length != getattr(model_type, "length", None):
        return True
    return None


def test_the_grant_models_say_exactly_what_the_migration_creates(rt: Runtime) -> None:
    metadata = sa.MetaData()
    for table in SQLModel.metadata.sorted_tables:
        table.to_metadata(metadata)
    with rt.db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "compare_type": _length_differs, "compare_server_default": True,
            "include_name": lambda name, kind, _parent: kind != "table" or name in GRANT_TABLES,
        })
        drift = compare_metadata(context, metadata)
    assert [d for d in drift if any(t in repr(d) for t in GRANT_TABLES)] == []


def test_the_appropriation_is_seeded_as_the_sources_state_it(rt: Runtime) -> None:
    with rt.uow() as session:
        steps = appropriation_steps(session)
        assert budget_for(session, year=2022, on=date(2022, 5, 1)).appropriation_sek \
            == 22_500_000
        after = budget_for(session, year=2022, on=date(2022, 6, 30))
    assert (after.appropriation_sek, after.direct_operational_cap_sek) == (72_500_000,
                                                                           10_000_000)
    assert caps_in_force(steps, year=2020, on=date(2020, 3, 1)).total_cap_sek == 7_500_000
    # 2021 is not stated: 2020's caps carry over, marked as such.
    caps_2021 = caps_in_force(steps, year=2021, on=date(2021, 3, 1))
    assert (caps_2021.total_cap_sek, caps_2021.provisional) == (7_500_000, True)


def test_the_ledger_view_lists_case_decisions_beside_recorded_applications(rt: Runtime) -> None:
    with rt.db.engine.connect() as conn:
        columns = [c["name"] for c in sa.inspect(conn).get_columns("grant_ledger")]
    assert columns == ["application_id", "case_decision_id", "year", "kind", "applicant_kind",
                       "applicant_name", "municipality_code", "status", "amount_sek",
                       "rejection_reason", "decided_on"]


@pytest.mark.parametrize("statement", [
    # free text on an individual's application could carry personal data
    "INSERT INTO grant_application (reference, year, kind, applicant_id, purpose, source, "
    "recorded_by, recorded_at) SELECT 'x-1', 2022, 'individual_case', id, 'Anna', 'officer', "
    "'t', now() FROM grant_applicant LIMIT 1",
    # a payout pays exactly one application
    "INSERT INTO grant_payout (reference, amount_sek, paid_on, recorded_by, recorded_at) "
    "VALUES ('p-1', 100, '2022-01-01', 't', now())",
    "INSERT INTO grant_applicant (kind, name) VALUES ('municipality', 'Nowhere')",
])
def test_the_database_refuses_rows_the_rules_refuse(rt: Runtime, statement: str) -> None:
    with rt.db.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO grant_applicant (kind, name) VALUES "
                             "('agency', 'Statens institutionsstyrelse') "
                             "ON CONFLICT DO NOTHING"))
    with pytest.raises(sa.exc.IntegrityError), rt.db.engine.begin() as conn:
        conn.execute(sa.text(statement))
