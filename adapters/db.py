"""Database engine, sessions and the unit of work.

`unit_of_work()` owns one transaction: it commits when the block ends normally and
rolls back otherwise, so a task that fails half-way leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, create_engine

from adapters.settings import get_settings, normalise_database_url

if TYPE_CHECKING:
    from alembic.config import Config

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """DATABASE_URL when set; otherwise the embedded server under the data directory."""
    settings = get_settings()
    if settings.database_url:
        return settings.database_url
    from adapters.embedded_pg import embedded_url

    return normalise_database_url(embedded_url(settings.data_dir / "pg"))


_ENGINES: dict[str, Engine] = {}


def get_engine() -> Engine:
    url = database_url()
    if url not in _ENGINES:
        _ENGINES[url] = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    return _ENGINES[url]


def dispose_engines() -> None:
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()


@contextmanager
def unit_of_work() -> Iterator[Session]:
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def raw_connection() -> Iterator[Any]:
    """The pooled psycopg connection itself, for bulk reads where SQLAlchemy's rows cost
    more than the query (the register sweep reads 100,000s of rows): one transaction,
    committed when the block ends normally, rolled back otherwise."""
    with get_engine().connect() as conn:
        driver = conn.connection.driver_connection
        try:
            yield driver
            conn.commit()
        except BaseException:
            conn.rollback()
            raise


def alembic_config(url: str) -> Config:
    # Imported here: every flow-run process imports this module, few migrate.
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str | None = None) -> None:
    """Bring the schema to the newest revision of every branch (idempotent)."""
    from alembic import command

    command.upgrade(alembic_config(url or database_url()), "heads")


def table(model: type[Any]) -> sa.Table:
    """A table model's Core table, typed (SQLModel's `__table__` is invisible to mypy)."""
    found: sa.Table = getattr(model, "__table__")  # noqa: B009 - see docstring
    return found
