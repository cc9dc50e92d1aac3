"""Alembic environment: the URL is handed in by `adapters.migrate`, never read here."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import create_engine, pool
from sqlmodel import SQLModel

import models.access_tables  # noqa: F401 - registers the access tables
import models.console_tables  # noqa: F401 - registers the console's sessions
import models.during_tables  # noqa: F401 - registers the during-phase tables
import models.key_tables  # noqa: F401 - registers the key tables
import models.plan_tables  # noqa: F401 - registers the plan-and-people tables
import models.report_tables  # noqa: F401 - registers the published reports
import models.tables  # noqa: F401 - registers the case tables (and the sweep's)

target_metadata = SQLModel.metadata


def _configure(connection: Any) -> None:
    # What `alembic revision --autogenerate` compares; tests/integration/test_migrations.py
    # compares more (VARCHAR lengths, index methods and WHERE clauses).
    context.configure(connection=connection, target_metadata=target_metadata,
                      compare_type=True, compare_server_default=True)


def run_migrations_online() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    connectable = context.config.attributes.get("connection")
    if connectable is not None:
        _configure(connectable)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(str(url), poolclass=pool.NullPool)
    with engine.connect() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
