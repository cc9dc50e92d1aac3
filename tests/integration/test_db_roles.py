"""The database roles (migration 0013_rls): the case service's `utvag_app` and the
workers' `utvag_worker` cannot alter tables, disable triggers, truncate, or change or
delete a journal entry; the journals refuse TRUNCATE even to their owner; every table
that holds a case's rows or a person is under forced row-level security."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.engine import make_url

from adapters.db import Database, database_for
from adapters.settings import Settings
from services.runtime import Runtime
from tests.conftest import make_settings
from tests.factories import open_case
from tests.fakes.runs import FakeRuns
from tests.rls_support import acting, coordinator
from utvag_cli.main import main

JOURNALS = ("case_journal", "register_disclosure", "access_log")


@pytest.fixture(scope="module", params=["utvag_app", "utvag_worker"])
def role_db(request: pytest.FixtureRequest, database_url: str) -> Iterator[Database]:
    db = Database(database_url, pool_size=1, max_overflow=1, role=request.param)
    yield db
    db.dispose()


def _refused(db: Database, sql: str, match: str = "permission denied|must be owner") -> None:
    with pytest.raises(sa.exc.DBAPIError, match=match), acting(db, coordinator("0180")) as s:
        s.execute(text(sql))


@pytest.mark.parametrize("sql", [
    *(f"TRUNCATE {table}" for table in (*JOURNALS, '"case"', "person")),
    "ALTER TABLE case_journal DISABLE TRIGGER ALL",
    "ALTER TABLE case_journal DISABLE TRIGGER case_journal_no_update",
    "ALTER TABLE person ADD COLUMN leaked text",
    "ALTER TABLE person DISABLE ROW LEVEL SECURITY",
    "DROP POLICY app_scope ON person",
    "SET session_replication_role = replica",
    "DELETE FROM person",
    'DELETE FROM "case"',
    "DELETE FROM case_journal",
    "UPDATE case_journal SET reason = 'rewritten'",
    "UPDATE register_disclosure SET reason = 'rewritten'",
    "UPDATE access_log SET outcome = 'allowed'",
    "DELETE FROM access_log",
    "INSERT INTO municipality (code, name, county_code) VALUES ('9999', 'X', '01')",
    "SELECT * FROM alembic_version",
    "SELECT utvag_org_tag('municipality:2584')",
])
def test_the_service_and_the_workers_cannot_alter_truncate_or_rewrite(
        db: str, role_db: Database, sql: str) -> None:
    _refused(role_db, sql)


def test_journals_take_inserts_and_reads(rt: Runtime, role_db: Database) -> None:
    opened = open_case(rt)
    with acting(role_db, coordinator("0180")) as s:
        s.execute(text("INSERT INTO case_journal (case_id, at, actor, kind, phase, status,"
                       " reason) VALUES (:c, now(), 'coordinator-x', 'note', 'before', 'open',"
                       " 'a note')"), {"c": opened.case_id})
        kinds = {k for (k,) in s.execute(text("SELECT kind FROM case_journal"))}
    assert "note" in kinds


@pytest.mark.parametrize("table", JOURNALS)
def test_truncating_a_journal_is_refused_even_to_the_owner(rt: Runtime, database: Database,
                                                          table: str) -> None:
    open_case(rt)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), database.engine.begin() as c:
        # Even with the ordinary triggers off (what the tests' clean-up does).
        c.execute(text("SET LOCAL session_replication_role = replica"))
        c.execute(text(f"TRUNCATE {table} CASCADE"))
    with database.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM case_journal")).scalar_one() > 0


def test_every_table_with_cases_or_persons_is_under_forced_row_level_security(
        database: Database) -> None:
    with database.engine.connect() as c:
        unprotected = c.execute(text(
            "SELECT DISTINCT t.relname FROM pg_class t"
            " JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'"
            " LEFT JOIN pg_attribute a ON a.attrelid = t.oid"
            "  AND a.attname IN ('case_id', 'case_ids', 'person_id') AND NOT a.attisdropped"
            " WHERE t.relkind = 'r' AND (a.attname IS NOT NULL OR t.relname = 'person')"
            " AND NOT (t.relrowsecurity AND t.relforcerowsecurity)")).scalars().all()
        bypass = c.execute(text(
            "SELECT rolname FROM pg_roles WHERE rolname IN ('utvag_app', 'utvag_worker')"
            " AND NOT (rolsuper OR rolbypassrls OR rolcreaterole)")).scalars().all()
    assert unprotected == []
    assert sorted(bypass) == ["utvag_app", "utvag_worker"]


def test_the_configured_role_is_the_one_every_connection_acts_as(database_url: str) -> None:
    settings = make_settings(database_url, database_role="utvag_app")
    db = database_for(settings)
    try:
        with db.engine.connect() as c:
            assert c.execute(text("SELECT current_user")).scalar_one() == "utvag_app"
        assert db.url == settings.database_url  # migrations keep the login
    finally:
        db.dispose()


def test_a_role_that_bypasses_row_level_security_is_refused(database_url: str) -> None:
    db = Database(database_url, pool_size=1, role="postgres")
    try:
        with pytest.raises(RuntimeError, match="database_role: postgres bypasses"):
            db.engine.connect()
    finally:
        db.dispose()


def test_a_role_name_that_is_not_an_identifier_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError, match="database_role"):
        Settings(database_role="utvag_app; DROP TABLE person")



def _init(rt: Runtime, *argv: str, stdin: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["init", *argv], runtime=rt, runs=FakeRuns(), stdin=io.StringIO(stdin),
                stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _login(database: Database) -> tuple[bool, bool]:
    with database.engine.connect() as c:
        row = c.execute(text("SELECT rolcanlogin, coalesce(rolpassword, '') LIKE"
                             " 'SCRAM-SHA-256$%' FROM pg_authid"
                             " WHERE rolname = 'utvag_worker'")).one()
    return bool(row[0]), bool(row[1])


def test_init_lets_a_process_role_log_in_with_a_password_from_stdin(
        rt: Runtime, database: Database, database_url: str) -> None:
    assert _init(rt, "--login", "utvag_worker", stdin="\n")[0] == 2  # empty: refused
    try:
        code, out, _ = _init(rt, "--login", "utvag_worker", stdin="a-long-passphrase\n")
        assert code == 0 and "utvag_worker may log in" in out
        assert "a-long-passphrase" not in out
        assert _login(database) == (True, True)  # stored as a SCRAM verifier, not in clear
        url = make_url(database_url).set(username="utvag_worker")
        if "user" in url.query:  # the tests' URL names the user as a parameter
            url = url.update_query_dict({"user": "utvag_worker"})
        as_worker = Database(url.render_as_string(hide_password=False), pool_size=1)
        try:
            with as_worker.engine.connect() as c:
                assert c.execute(text("SELECT current_user")).scalar_one() == "utvag_worker"
        finally:
            as_worker.dispose()
    finally:  # the role is the cluster's: leave it as the migration makes it
        with database.engine.begin() as c:
            c.execute(text("ALTER ROLE utvag_worker NOLOGIN PASSWORD NULL"))


def test_the_tag_key_is_read_through_its_function_only(database_url: str) -> None:
    """The organisation tags' key: the worker tags a transfer offer with it, the service
    a relocation (both hold the encryption key that opens the destination itself, so the
    tag key tells them nothing more); neither reads its row."""
    app = Database(database_url, pool_size=1, role="utvag_app")
    worker = Database(database_url, pool_size=1, role="utvag_worker")
    try:
        for db in (app, worker):
            with acting(db, coordinator("2584")) as s:
                assert "secret:org_tag" not in {k for (k,) in s.execute(
                    text("SELECT key FROM installation"))}
                assert len(s.execute(text("SELECT utvag_org_tag_key()")).scalar_one()) == 64
        _refused(app, "SELECT utvag_org_tag('municipality:2584')")
    finally:
        app.dispose()
        worker.dispose()
