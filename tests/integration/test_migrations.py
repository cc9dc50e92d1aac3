"""The tables the code uses are exactly the tables the migrations create: the same
tables and columns, and the same types (with their lengths), nullability, server
defaults, unique constraints and indexes (partial and GIN ones included).

Deliberately compared nowhere: CHECK constraints, the append-only triggers of
`case_journal` and `register_disclosure`, and the column storage settings of 0008. They
exist in the database alone, by design: the code's enums and rules are the model side
of the checks, and the triggers and storage settings have no model counterpart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import models.access_tables  # noqa: F401 - registers the access tables
import models.console_tables  # noqa: F401 - registers the console's sessions
import models.during_tables  # noqa: F401 - registers the during-phase tables in the metadata
import models.key_tables  # noqa: F401 - registers the key tables
import models.plan_tables  # noqa: F401 - registers the plan-and-people tables
import models.report_tables  # noqa: F401 - registers the published reports
import models.tables  # noqa: F401 - registers the case and sweep tables
from adapters.db import Database, alembic_config, migrate


def _length_differs(_context: Any, _inspected: Any, _model: Any, db_type: Any,
                    model_type: Any) -> bool | None:
    """Alembic takes a model `VARCHAR` without a length to match any `VARCHAR(n)`; a
    model that forgets the database's limit is drift all the same. None: let Alembic
    compare everything else."""
    db_length = getattr(db_type, "length", None)
    if isinstance(db_type, sa.String) and db_length != getattr(model_type, "length", None):
        return True
    return None


def _drift(conn: sa.Connection, metadata: sa.MetaData) -> list[Any]:
    context = MigrationContext.configure(conn, opts={
        "compare_type": _length_differs,
        "compare_server_default": True,
    })
    return [*compare_metadata(context, metadata), *_index_shape_drift(conn, metadata)]


def _index_shape_drift(conn: sa.Connection, metadata: sa.MetaData) -> list[Any]:
    """Alembic compares an index's name, columns and uniqueness but not its method or
    its WHERE clause. PostgreSQL normalises both the same way only if it parses them
    itself: build each model index under a probe name, compare the definitions, and
    roll the probes back."""
    drift: list[Any] = []
    with conn.begin_nested() as probe:
        for table in metadata.sorted_tables:
            for index in table.indexes:
                assert index.name is not None
                name = f"probe_{index.name}"[:63]
                ddl = str(sa.schema.CreateIndex(index).compile(dialect=conn.dialect))
                conn.exec_driver_sql(ddl.replace(f"INDEX {index.name} ", f"INDEX {name} ", 1))
                found: dict[str, str] = dict(conn.execute(sa.text(
                    "SELECT indexname, pg_get_indexdef(format('%I', indexname)::regclass)"
                    " FROM pg_indexes WHERE indexname IN (:real, :probe)"),
                    {"real": index.name, "probe": name}).all())
                ours = found[name].replace(f"INDEX {name} ", f"INDEX {index.name} ")
                if found.get(index.name) != ours:
                    drift.append(("index_shape", index.name, found.get(index.name), ours))
        probe.rollback()
    return drift


def test_there_is_exactly_one_head() -> None:
    script = ScriptDirectory.from_config(alembic_config("postgresql+psycopg:///unused"))
    assert script.get_heads() == ["0022_grants_completions"]


def test_models_and_migrations_agree(database: Database, db: str) -> None:
    # `db`: no case rows, which a probe index (a unique one with another condition)
    # could otherwise refuse.
    with database.engine.connect() as conn:
        assert _drift(conn, SQLModel.metadata) == []


def _copy() -> sa.MetaData:
    copy = sa.MetaData()
    for table in SQLModel.metadata.sorted_tables:
        table.to_metadata(copy)
    return copy


def _widen_case_number(md: sa.MetaData) -> None:
    md.tables["case"].c.case_number.type = sa.String(16)


def _forget_case_number_length(md: sa.MetaData) -> None:
    md.tables["case"].c.case_number.type = sa.String()


def _narrow_a_key(md: sa.MetaData) -> None:
    md.tables["consent"].c.id.type = sa.Integer()


def _allow_null(md: sa.MetaData) -> None:
    md.tables["consent"].c.agency.nullable = True


def _drop_server_default(md: sa.MetaData) -> None:
    md.tables["agency_request"].c.attempts.server_default = None


def _drop_an_index(md: sa.MetaData) -> None:
    table = md.tables["case_wait"]
    table.indexes = {i for i in table.indexes if i.name != "uq_case_wait_open"}


def _change_partial_condition(md: sa.MetaData) -> None:
    (index,) = (i for i in md.tables["case_wait"].indexes if i.name == "uq_case_wait_open")
    index.dialect_options["postgresql"]["where"] = sa.text("answered_at IS NOT NULL")


def _change_index_method(md: sa.MetaData) -> None:
    (index,) = (i for i in md.tables["register_disclosure"].indexes
                if i.name == "ix_register_disclosure_case_ids")
    index.dialect_options["postgresql"]["using"] = "btree"


def _add_a_unique_constraint(md: sa.MetaData) -> None:
    md.tables["consent"].append_constraint(sa.UniqueConstraint("case_id", "agency"))


@pytest.mark.parametrize("change", [
    _widen_case_number, _forget_case_number_length, _narrow_a_key, _allow_null,
    _drop_server_default, _drop_an_index, _change_partial_condition, _change_index_method,
    _add_a_unique_constraint,
])
def test_a_model_that_drifts_from_the_migrations_is_caught(
        database: Database, db: str, change: Callable[[sa.MetaData], None]) -> None:
    metadata = _copy()
    change(metadata)
    with database.engine.connect() as conn:
        assert _drift(conn, metadata) != []


def test_migrating_again_is_a_no_op(database: Database) -> None:
    migrate(database.url)
    migrate(database.url)
    with database.engine.connect() as conn:
        count = conn.exec_driver_sql("SELECT count(*) FROM municipality").scalar_one()
    assert count == 290
