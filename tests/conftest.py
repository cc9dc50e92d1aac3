"""Test-wide fixtures: a real PostgreSQL database, migrated by Alembic.

TEST_DATABASE_URL names a server to use; without it an embedded PostgreSQL
(pgserver) is started under .data/test-pg. Each test session gets its own fresh
database, dropped at the end, so runs never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
TEST_KEY = "dGVzdC1vbmx5LWtleS1ub3QtZm9yLXByb2R1Y3Rpb24xMjM0NTY3ODkwYWI="
TABLES = ("belongings_move", "protection_request", "case_wait", "agency_request",
          "threat_assessment", "eligibility_assessment",
          "meeting_invitation", "needs_assessment", "intervention", "provider_follow_up",
          "outcome_indicator", "transfer_offer", "relocation", "provider", "coordinator_statement",
          "grant_decision", "grant_budget", "consent", "case_journal", "case", "person",
          "case_number_counter", "relapse_flag", "register_check",
          "register_disclosure")


def _server_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url.replace("postgresql+psycopg://", "postgresql://")
    from adapters.embedded_pg import embedded_url

    return embedded_url(ROOT / ".data" / "test-pg")


def _with_database(url: str, database: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(url)
    info["dbname"] = database
    return psycopg.conninfo.make_conninfo(**info)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    server = _server_url()
    name = f"utvag_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = _with_database(server, name)
    sa_url = "postgresql+psycopg://" + url.split("://", 1)[1] if "://" in url else url
    if "://" not in url:
        sa_url = "postgresql+psycopg:///?" + url.replace(" ", "&")
    os.environ["DATABASE_URL"] = sa_url
    os.environ["UTVAG_ENCRYPTION_KEY"] = TEST_KEY
    os.environ["UTVAG_DATA_DIR"] = str(ROOT / ".data" / "test-run")
    _reset_caches()
    from adapters.db import migrate

    migrate(sa_url)
    yield sa_url
    from adapters.db import dispose_engines

    dispose_engines()
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _reset_caches() -> None:
    from adapters.settings import get_settings
    from adapters.vault import get_cipher

    get_settings.cache_clear()
    get_cipher.cache_clear()


def _remove_case_data() -> None:
    from adapters.db import get_engine

    with get_engine().begin() as conn:
        conn.execute(text("ALTER TABLE case_journal DISABLE TRIGGER case_journal_no_update"))
        conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in TABLES) + " CASCADE"))
        conn.execute(text("ALTER TABLE case_journal ENABLE TRIGGER case_journal_no_update"))


@pytest.fixture()
def db(database_url: str) -> Iterator[str]:
    """A migrated database with no case data (reference data stays)."""
    _remove_case_data()
    yield database_url


@pytest.fixture(scope="module")
def module_db(database_url: str) -> str:
    """The same, emptied once for a module whose tests share one stack and its cases."""
    _remove_case_data()
    return database_url
