"""The master key against the database: the first start registers it, another key is
refused before anything is written (no second person), and no new key is made for a
database that holds data."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import text

from adapters.db import Database
from adapters.settings import Settings
from models.crypto import KeyRefused, generate_master_key
from services import intake
from services.runtime import Runtime
from tests.conftest import TEST_KEY, make_settings
from tests.factories import open_case, referral
from tests.fakes.clock import FakeClock
from tests.fakes.runs import FakeRuns
from utvag_cli.main import main


def _runtime(settings: Settings, database: Database) -> Runtime:
    """A process's runtime: the key from its settings (no cipher handed in)."""
    return Runtime(settings=settings, db=database, clock=FakeClock())


def _count(database: Database, table: str) -> int:
    with database.engine.connect() as conn:
        return int(conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one())


def test_the_first_process_registers_its_key_id_and_fingerprint(
        db: str, settings: Settings, database: Database) -> None:
    cipher = _runtime(settings, database).cipher
    with database.engine.connect() as conn:
        row = conn.execute(text("SELECT key_id, fingerprint, state FROM master_key")).one()
    assert row == (cipher.key_id, cipher.fingerprint, "active")
    assert TEST_KEY not in row.fingerprint


def test_a_process_with_another_key_is_refused_and_no_second_person_is_created(
        rt: Runtime, database: Database) -> None:
    open_case(rt)
    _runtime(rt.settings, database).cipher  # noqa: B018 - the service's start registers
    other = make_settings(rt.db.url, encryption_key=generate_master_key().decode())
    with pytest.raises(KeyRefused) as refused:
        intake.open_case(_runtime(other, database), referral())
    message = str(refused.value)
    assert "is not the database's key" in message and "Nothing was read or written" in message
    assert (_count(database, "person"), _count(database, "case")) == (1, 1)


def test_a_legacy_database_adopts_only_the_key_that_opens_its_data(
        rt: Runtime, database: Database) -> None:
    open_case(rt)  # stored before any key was registered (as before migration 0017)
    other = make_settings(rt.db.url, encryption_key=generate_master_key().decode())
    with pytest.raises(KeyRefused, match="does not open the personal data"):
        _runtime(other, database).cipher  # noqa: B018
    assert _count(database, "master_key") == 0
    assert _runtime(rt.settings, database).cipher.key_id == rt.cipher.key_id


def test_init_creates_a_key_for_an_empty_database_and_registers_it(
        db: str, database: Database, tmp_path: Path) -> None:
    settings = make_settings(db, encryption_key=None, key_file=tmp_path / "utvag.key")
    assert main(["init"], runtime=_runtime(settings, database), runs=FakeRuns(),
                stdout=io.StringIO(), stderr=io.StringIO()) == 0
    assert (tmp_path / "utvag.key").stat().st_mode & 0o777 == 0o600
    assert _count(database, "master_key") == 1


def test_init_never_creates_a_key_beside_data_it_could_not_open(
        rt: Runtime, database: Database, tmp_path: Path) -> None:
    open_case(rt)
    settings = make_settings(rt.db.url, encryption_key=None, key_file=tmp_path / "utvag.key")
    stderr = io.StringIO()
    code = main(["init"], runtime=_runtime(settings, database), runs=FakeRuns(),
                stdout=io.StringIO(), stderr=stderr)
    assert code != 0
    assert "already holds personal data" in stderr.getvalue()
    assert "Traceback" not in stderr.getvalue()
    assert not (tmp_path / "utvag.key").exists()


@pytest.mark.parametrize("command", [["serve"], ["worker"]])
def test_the_service_and_a_worker_refuse_to_start_with_another_key(
        rt: Runtime, database: Database, command: list[str]) -> None:
    open_case(rt)
    _runtime(rt.settings, database).cipher  # noqa: B018 - the first start registers
    other = make_settings(rt.db.url, encryption_key=generate_master_key().decode())
    stderr = io.StringIO()
    code = main(command, runtime=_runtime(other, database), runs=FakeRuns(),
                stdout=io.StringIO(), stderr=stderr)
    assert code == 1
    assert "is not the database's key" in stderr.getvalue()
    assert "Traceback" not in stderr.getvalue()
