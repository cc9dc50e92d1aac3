"""The database: one engine per URL and process, the unit of work, migrations.

`Database.uow()` owns one transaction: it commits when the block ends normally and
rolls back otherwise, so a use case that fails half-way leaves nothing behind. Use cases
get their `Database` handed in (`services.runtime.Runtime`); nothing reads a global.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, create_engine

from adapters.settings import Settings, normalise_database_url

if TYPE_CHECKING:
    from alembic.config import Config

    from models.principal import Principal

ROOT = Path(__file__).resolve().parent.parent


def database_url(settings: Settings) -> str:
    """DATABASE_URL when set; otherwise the embedded server under the data directory."""
    if settings.database_url:
        return settings.database_url
    from adapters.embedded_pg import embedded_url

    return normalise_database_url(embedded_url(settings.data_dir / "pg"))


class Database:
    """An engine (created on first use) and the transactions on it.

    `role`: every new connection takes this role (`SET ROLE`) before its first query, so
    the process acts as `utvag_app` or `utvag_worker` (docs/database-roles.md) although
    the URL logs in as a member of it. `url` stays the login's: migrations use it."""

    def __init__(self, url: str, *, pool_size: int = 5, max_overflow: int = 10,
                 role: str | None = None) -> None:
        self.url = normalise_database_url(url)
        self.role = role
        self._pool = (pool_size, max_overflow)
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            # hide_parameters: an error message never carries a bound value (a name, an
            # identity number in a failed INSERT) into a log or a traceback.
            self._engine = create_engine(self.url, pool_pre_ping=True, hide_parameters=True,
                                         pool_size=self._pool[0], max_overflow=self._pool[1])
            if self.role is not None:
                sa.event.listen(self._engine, "connect", _set_role(self.role))
        return self._engine

    @contextmanager
    def uow(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def raw_connection(self) -> Iterator[Any]:
        """The pooled psycopg connection itself, for bulk reads where SQLAlchemy's rows
        cost more than the query (the register sweep reads 100,000s of rows): one
        transaction, committed when the block ends normally, rolled back otherwise."""
        with self.engine.connect() as conn:
            driver = conn.connection.driver_connection
            try:
                yield driver
                conn.commit()
            except BaseException:
                conn.rollback()
                raise

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def acting_for(self, principal: Principal) -> Database:
        """This database (the same engine and pool) with every unit of work bound to
        `principal` (`adapters.rls.bind`, for the transaction only): what the case
        service hands a use case for one request, so the row-level security policies
        see who acts. `raw_connection` is not bound: under utvag_app it sees nothing."""
        return _Bound(self, principal)


class _Bound(Database):
    def __init__(self, base: Database, principal: Principal) -> None:
        super().__init__(base.url, role=base.role)
        self._base, self.principal = base, principal

    @property
    def engine(self) -> Engine:
        return self._base.engine

    @contextmanager
    def uow(self) -> Iterator[Session]:
        from adapters.rls import bind

        with super().uow() as session:
            bind(session, self.principal)
            yield session

    def dispose(self) -> None:
        """The engine is the base database's: disposing of it is the base's call."""


def _set_role(role: str) -> Callable[[Any, Any], None]:
    def set_role(dbapi_connection: Any, _record: Any) -> None:
        from psycopg import sql

        with dbapi_connection.cursor() as cursor:
            cursor.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))
            cursor.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles"
                           " WHERE rolname = current_user")
            row = cursor.fetchone()
        dbapi_connection.commit()
        if row is None or row[0]:
            raise RuntimeError(f"database_role: {role} bypasses row-level security")
    return set_role


_DATABASES: dict[tuple[str, str | None], Database] = {}


def database_for(settings: Settings) -> Database:
    """The process's `Database` for the configured URL and role (one engine each)."""
    key = (database_url(settings), settings.database_role)
    if key not in _DATABASES:
        _DATABASES[key] = Database(key[0], role=key[1])
    return _DATABASES[key]


def alembic_config(url: str) -> Config:
    # Imported here: every flow-run process imports this module, few migrate.
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str, revision: str = "head") -> None:
    """Bring the schema to `revision` (the newest by default; idempotent). A schema
    already at or past `revision` is left as it is."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = alembic_config(normalise_database_url(url))
    if revision != "head":
        engine = create_engine(normalise_database_url(url), poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as conn:
                heads = MigrationContext.configure(conn).get_current_heads()
        finally:
            engine.dispose()
        script = ScriptDirectory.from_config(config)
        if any(r.revision == revision for head in heads
               for r in script.iterate_revisions(head, "base")):
            return
    command.upgrade(config, revision)


PROCESS_ROLES = ("utvag_app", "utvag_worker")


def allow_login(url: str, role: str, password: str) -> None:
    """Let a process role log in with `password` (production: the case service as
    utvag_app, the workers as utvag_worker; docs/database-roles.md). The server gets a
    SCRAM-SHA-256 verifier computed here, never the password: no statement log shows it.
    Run as the owner (CREATEROLE) or a superuser."""
    if role not in PROCESS_ROLES:
        raise ValueError(f"role: one of {', '.join(PROCESS_ROLES)}")
    if not password:
        raise ValueError(f"password: empty for {role}")
    from psycopg import sql

    engine = create_engine(normalise_database_url(url), poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            pgconn = conn.connection.driver_connection.pgconn  # type: ignore[union-attr]
            verifier = pgconn.encrypt_password(password.encode(), role.encode(),
                                               b"scram-sha-256").decode()
            statement = sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(verifier))
            conn.exec_driver_sql(statement.as_string(conn.connection.driver_connection))
    finally:
        engine.dispose()


def table(model: type[Any]) -> sa.Table:
    """A table model's Core table, typed (SQLModel's `__table__` is invisible to mypy)."""
    found: sa.Table = getattr(model, "__table__")  # noqa: B009 - see docstring
    return found
