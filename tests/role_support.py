"""Runtimes as the process roles (docs/database-roles.md) on the test database, sharing
a test's clock and key: the workers' `utvag_worker` (sees every case) for what the
workers make, next to the service's `utvag_app` (tests/conftest.py `app_rt`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from adapters.db import Database
from services.runtime import Runtime
from tests.conftest import make_settings


@contextmanager
def as_role(rt: Runtime, database_url: str, role: str) -> Iterator[Runtime]:
    database = Database(database_url, pool_size=2, role=role)
    try:
        yield Runtime(settings=make_settings(database_url, database_role=role), db=database,
                      clock=rt.clock, cipher=rt.cipher)
    finally:
        database.dispose()
