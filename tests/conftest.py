"""Test-wide fixtures: a real PostgreSQL database migrated by Alembic, settings and a
runtime handed to the code under test (never read from the environment), a clock the
test moves, and recording fakes of the agencies.

TEST_DATABASE_URL names a server to use; without it an embedded PostgreSQL (pgserver) is
started under .data/test-pg. Each test session gets its own fresh database, dropped at
the end, so runs never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import text

from adapters.db import Database, migrate
from adapters.settings import Settings
from models.crypto import Cipher
from services.runtime import Runtime
from tests.fakes.agencies import FakeAgencies
from tests.fakes.clock import FakeClock

pytest_plugins = ["tests.oidc_fixtures"]

ROOT = Path(__file__).resolve().parent.parent
TEST_KEY = "5sewr1CeFrB3-qNNvo2hmqtXq9s2tJ3vznfUKXRXDhU="  # random, test-only
TABLES = ("access_log", "break_glass", "case_assignment",
          "belongings_move", "protection_request", "case_wait", "agency_request",
          "threat_assessment", "eligibility_assessment", "case_responsibility",
          "case_establishment",
          "meeting_invitation", "needs_assessment", "intervention", "provider_follow_up",
          "outcome_indicator", "transfer_offer", "relocation", "provider", "coordinator_statement",
          "grant_decision", "grant_budget", "consent", "case_journal", "case", "person",
          "case_number_counter", "relapse_flag", "register_check",
          "register_disclosure",
          # The grant model's records (migration 0011's seeds, the appropriation and the
          # allocation decisions, are in other tables and stay).
          "grant_payout", "grant_use", "grant_application_decision", "grant_application",
          "grant_applicant",
          # Migration 0016_plan_and_people.
          "relapse_event", "plan_version", "closure_proposal", "meeting_record", "guardian",
          "provider_permit",
          # Reports made by the workers, and requests for them (0018_published_reports).
          "published_report", "report_request",
          # Keys and retention (0019_person_keys).
          "key_rotation_stage", "master_key", "person_key", "retention_hold",
          # The console's sessions (0014): their tokens are encrypted under the test key.
          "console_session")


@pytest.hookimpl(optionalhook=True)  # xdist's hook: none without it (`-p no:xdist`)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadscope`: one unit of work per stack folder, else per module
    (tests/parallel.py)."""
    if config.getoption("dist") != "loadscope":
        return None
    from tests.parallel import StackScheduling

    return StackScheduling(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under xdist the stacks come first: their waiting overlaps the rest."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        from tests.parallel import stacks_first

        stacks_first(items)


def _server_url(environ: Mapping[str, str] = os.environ) -> str:
    """TEST_DATABASE_URL (libpq form), else the embedded server under .data/test-pg."""
    url = environ.get("TEST_DATABASE_URL")
    if url:
        return url.replace("postgresql+psycopg://", "postgresql://")
    from adapters.embedded_pg import embedded_url

    return embedded_url(ROOT / ".data" / "test-pg")


def _with_database(url: str, database: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(url)
    info["dbname"] = database
    return psycopg.conninfo.make_conninfo(**info)


def sqlalchemy_url(conninfo: str) -> str:
    if "://" in conninfo:
        return "postgresql+psycopg://" + conninfo.split("://", 1)[1]
    return "postgresql+psycopg:///?" + conninfo.replace(" ", "&")


@pytest.fixture(scope="session")
def server_url() -> str:
    """The PostgreSQL server the session's databases live on (libpq form)."""
    return _server_url()


@pytest.fixture(scope="session")
def database_url(server_url: str) -> Iterator[str]:
    name = f"utvag_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = sqlalchemy_url(_with_database(server_url, name))
    migrate(url)
    yield url
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_settings(database_url: str, **overrides: Any) -> Settings:
    """Settings for code under test: every value given here, none from the environment
    that matters (agency URLs point nowhere unless a test says otherwise)."""
    values: dict[str, Any] = {
        "DATABASE_URL": database_url, "encryption_key": TEST_KEY,
        "data_dir": ROOT / ".data" / "test-run", "agency_retry_delays": [0.0, 0.0, 0.0],
        "http_read_timeout": 1.0,
        **{f"{name}_url": "http://127.0.0.1:9" for name in (
            "police", "social_services", "kriminalvarden", "arbetsformedlingen",
            "health_care", "sis", "police_grants", "criminal_records", "suspicions",
            "tax_agency")},
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture(scope="session")
def database(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def cipher() -> Cipher:
    return Cipher(TEST_KEY.encode())


def _remove_case_data(database: Database) -> None:
    # DELETE with triggers off (the journal's append-only trigger, the foreign keys: every
    # table here is emptied) rather than TRUNCATE, which costs ~0.7 s a test on small
    # tables against ~0.07 s. `SET LOCAL` ends with the transaction.
    with database.engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        for table in TABLES:
            conn.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture()
def db(database: Database, database_url: str) -> Iterator[str]:
    """A migrated database with no case data (reference data stays)."""
    _remove_case_data(database)
    yield database_url


@pytest.fixture(scope="module")
def module_db(database: Database, database_url: str) -> str:
    """The same, emptied once for a module whose tests share one stack and its cases."""
    _remove_case_data(database)
    return database_url


@pytest.fixture()
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture()
def rt(db: str, settings: Settings, database: Database, clock: FakeClock,
       cipher: Cipher) -> Runtime:
    """The runtime for code under test: the session's database (emptied), a fake clock."""
    return Runtime(settings=settings, db=database, clock=clock, cipher=cipher)


@pytest.fixture(scope="module")
def module_rt(module_db: str, settings: Settings, database: Database,
              cipher: Cipher) -> Runtime:
    """The runtime for a module whose tests share rows a module fixture wrote (emptied
    once, before the module); its own fake clock. A test that also asks for `rt` (or
    `db`) empties the database again."""
    return Runtime(settings=settings, db=database, clock=FakeClock(), cipher=cipher)


@pytest.fixture(scope="session")
def app_database(database_url: str) -> Iterator[Database]:
    """The session's database as the case service connects to it: role utvag_app, under
    row-level security (docs/database-roles.md)."""
    database = Database(database_url, role="utvag_app")
    yield database
    database.dispose()


@pytest.fixture()
def app_rt(rt: Runtime, database_url: str, app_database: Database) -> Runtime:
    """The case service's runtime (`utvag serve`): role utvag_app, the same clock and key
    as `rt`, which stays the owner's for setting up cases."""
    return Runtime(settings=make_settings(database_url, database_role="utvag_app"),
                   db=app_database, clock=rt.clock, cipher=rt.cipher)


@pytest.fixture(scope="module")
def module_app_rt(module_rt: Runtime, database_url: str, app_database: Database) -> Runtime:
    return Runtime(settings=make_settings(database_url, database_role="utvag_app"),
                   db=app_database, clock=module_rt.clock, cipher=module_rt.cipher)


@pytest.fixture()
def agencies() -> FakeAgencies:
    return FakeAgencies()


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """Prefect's test harness: a temporary server, started once per session, for the
    flow tests (tests/flows) and the console's journey (tests/console)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    # No heartbeats from runs under test: each run's heartbeat thread sleeps in whole
    # seconds and is joined at the end, which cost every flow run about a second.
    # (Deployed runs send them: `deployments/deploy.py`.)
    with prefect_test_harness(server_startup_timeout=120), temporary_settings(
            updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield
