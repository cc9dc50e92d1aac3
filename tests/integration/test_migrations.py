"""The tables the code uses are exactly the tables the migrations create."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import models.during_tables  # noqa: F401 - registers the during-phase tables in the metadata
from adapters.db import get_engine, migrate
from models.tables import SQLModel


def test_models_and_migrations_agree(db: str) -> None:
    with get_engine().connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    structural = [d for d in diff if d[0] in ("add_table", "remove_table", "add_column",
                                             "remove_column")]
    assert structural == []


def test_migrating_again_is_a_no_op(db: str) -> None:
    migrate()
    migrate()
    with get_engine().connect() as conn:
        count = conn.exec_driver_sql("SELECT count(*) FROM municipality").scalar_one()
    assert count == 290
