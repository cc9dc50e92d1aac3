"""The embedded PostgreSQL default (pgserver): what a new machine gets with no
DATABASE_URL and no TEST_DATABASE_URL. These run on the embedded server whatever the
environment names (`make test-embedded`; CI runs them so when its main pass used the
PostgreSQL at 127.0.0.1:5432)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from adapters import embedded_pg
from adapters.db import Database
from adapters.settings import Settings
from tests.conftest import ROOT, _server_url, _with_database
from utvag_cli.stack import Ports, Stack

pytestmark = pytest.mark.embedded


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # Short: the server's socket lives under it (unix socket paths are ~107 bytes).
    path = Path(f"/tmp/utvag-emb-{uuid.uuid4().hex[:8]}")
    yield path
    if (path / "pg" / "postmaster.pid").exists():  # started by this process: stop it
        embedded_pg._server(str((path / "pg").resolve())).cleanup()  # noqa: SLF001
    shutil.rmtree(path, ignore_errors=True)


def test_make_run_without_a_database_url_gets_a_migrated_embedded_postgres(
    data_dir: Path,
) -> None:
    settings = Settings(DATABASE_URL=None, data_dir=data_dir)
    stack = Stack(data_dir=data_dir, ports=Ports.free())
    stack.prepare(settings)  # what `make run` does before it starts anything
    url = stack.env["DATABASE_URL"]
    assert str(data_dir / "pg") in url, "the server's files are under the data directory"
    assert (data_dir / "utvag.key").exists(), "a key file was made for the personal data"
    database = Database(url)
    try:
        with database.engine.connect() as conn:
            tables = set(conn.exec_driver_sql(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").scalars())
            revision = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    finally:
        database.dispose()
    assert {"case", "case_journal", "consent", "access_log"} <= tables
    assert revision


_RUN = """
import sys
from pathlib import Path
import psycopg
from adapters.embedded_pg import embedded_url
with psycopg.connect(embedded_url(Path(sys.argv[1])), autocommit=True) as conn:
    conn.execute("CREATE TABLE IF NOT EXISTS kept (n int)")
    conn.execute("INSERT INTO kept VALUES (1)")
    print(conn.execute("SELECT count(*) FROM kept").fetchone()[0])
"""


def test_the_embedded_server_keeps_its_data_between_runs(data_dir: Path) -> None:
    """Each run (a process) starts the server when none is up and stops it when it exits;
    what one run wrote, the next one reads."""
    counts = []
    for _ in range(2):
        done = subprocess.run(  # noqa: S603 - our own interpreter
            [sys.executable, "-c", _RUN, str(data_dir / "pg")], cwd=ROOT,
            capture_output=True, text=True, timeout=120, check=True)
        counts.append(int(done.stdout.split()[-1]))
    assert counts == [1, 2]


def test_the_suite_without_test_database_url_runs_on_the_embedded_server() -> None:
    url = _server_url({})
    assert str(ROOT / ".data" / "test-pg") in url
    name = f"utvag_emb_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with psycopg.connect(_with_database(url, name)) as conn:
            assert conn.execute("SELECT current_database()").fetchone() == (name,)
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
