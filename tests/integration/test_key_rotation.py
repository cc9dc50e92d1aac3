"""`utvag keys rotate`: every encrypted value re-encrypted and the look-up hash re-keyed,
the old key refused afterwards, and a rotation killed in the middle finished by running
it again."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import text

from adapters.db import Database
from adapters.vault import read_key_file, write_key_file
from models.crypto import Cipher, DecryptionError, KeyRefused, generate_master_key
from models.enums import Outcome
from services import culling, intake, key_rotation
from services.access import relations
from services.closure import close_with_outcome
from services.person_keys import DbPersonKeys
from services.responsibility import municipality_hash
from services.runtime import Runtime
from services.views import case_view
from tests import states
from tests.conftest import ROOT, TEST_KEY, make_settings
from tests.factories import identity_number, referral
from tests.fakes.agencies import FakeAgencies
from tests.fakes.clock import FakeClock
from tests.fakes.history import RecordingHistory
from tests.fakes.runs import FakeRuns
from utvag_cli.main import main


def _people(rt: Runtime, count: int) -> dict[str, str]:
    """`count` people through intake; identity number -> name."""
    people = {}
    for serial in range(1, count + 1):
        number = identity_number(born=date(1990, 1, 1 + serial % 28), serial=serial)
        name = f"Person {serial}"
        intake.open_case(rt, referral(person={"identity_number": number, "name": name}))
        people[number.replace("-", "")] = name
    return people


def _stored(database: Database) -> list[tuple[bytes, bytes, str]]:
    with database.engine.connect() as conn:
        return [(bytes(i), bytes(n), h) for i, n, h in conn.execute(text(
            "SELECT identity_enc, name_enc, identity_hash FROM person"))]


def _assert_all_under(database: Database, cipher: Cipher, people: dict[str, str]) -> None:
    found = {}
    for identity_enc, name_enc, identity_hash in _stored(database):
        identity = cipher.decrypt(identity_enc)
        assert identity_hash == cipher.lookup_hash(identity)
        found[identity] = cipher.decrypt(name_enc)
    assert found == people


def _cipher(key: bytes, database: Database) -> Cipher:
    """A process's cipher: the master key and the persons' keys in the database."""
    return Cipher(key, person_keys=DbPersonKeys(database))


def _key_file(tmp_path: Path, key: bytes) -> Path:
    path = tmp_path / "utvag.key"
    write_key_file(path, key)
    return path


def test_every_encrypted_column_of_the_schema_is_rotated(db: str, database: Database) -> None:
    with database.engine.connect() as conn:
        columns = set(conn.execute(text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND column_name LIKE '%\\_enc'")).all())
    assert columns | {("person_key", "wrapped")} == {
        (s.table, c) for s in key_rotation.ENCRYPTED for c in s.columns}
    documents = {(s.table, key) for s in key_rotation.ENCRYPTED for _, key in s.documents}
    assert documents >= {("case_journal", "legal_basis_enc"), ("case_journal", "reason_enc"),
                         ("case_wait", "note_enc")}


def test_rotation_re_encrypts_re_keys_and_retires_the_old_key(
        rt: Runtime, database: Database, tmp_path: Path) -> None:
    people = _people(rt, 5)
    key_file = _key_file(tmp_path, TEST_KEY.encode())
    settings = make_settings(rt.db.url, encryption_key=None, key_file=key_file)
    process = Runtime(settings=settings, db=database, clock=FakeClock())
    old = process.cipher  # registers the active key
    stdout = io.StringIO()
    assert main(["keys", "rotate", "--batch-size", "2"], runtime=process, runs=FakeRuns(),
                stdout=stdout, stderr=io.StringIO()) == 0
    new = _cipher(read_key_file(key_file), database)
    assert new.key_id != old.key_id and new.key_id in stdout.getvalue()
    assert (tmp_path / f"utvag.key.retired-{old.key_id}").exists()
    _assert_all_under(database, new, people)
    for identity_enc, _, _ in _stored(database):
        try:
            old.decrypt(identity_enc)
            raise AssertionError("the old key still opens the data")
        except DecryptionError:
            pass
    try:  # a process still holding the old key looks no one up
        intake.open_case(rt, referral())
        raise AssertionError("intake ran with a retired key")
    except KeyRefused as refused:
        assert "rotated since this process started" in str(refused)
    fresh = Runtime(settings=settings, db=database, clock=FakeClock())
    again = intake.open_case(fresh, referral(person={
        "identity_number": next(iter(people)), "name": "x"}))
    assert not again.created  # found by the re-keyed hash: no second person
    view = case_view(fresh, again.case_id, viewer="anna")  # free text and journal tokens
    assert {c.legal_basis for c in view.consents} == {"samtycke enligt OSL 10:1"}
    with database.engine.connect() as conn:
        tokens = conn.execute(text("SELECT data ->> 'legal_basis_enc' FROM case_journal "
                                   "WHERE data ? 'legal_basis_enc'")).scalars().all()
    assert tokens and {new.decrypt(t.encode()) for t in tokens} == {"samtycke enligt OSL 10:1"}


def test_a_value_changed_after_it_was_staged_is_staged_again_before_the_swap(
        rt: Runtime, database: Database) -> None:
    people = _people(rt, 3)
    active = rt.cipher
    Runtime(settings=rt.settings, db=database, clock=FakeClock()).cipher  # noqa: B018
    upcoming = _cipher(generate_master_key(), database)
    key_rotation.begin(database, active=active, upcoming=upcoming, now=rt.now())
    with database.uow() as session:
        key_rotation.stage_batch(session, key_rotation.ENCRYPTED[0], active=active,
                                 upcoming=upcoming, size=None)
    # Meanwhile a process with the active key changes a name (old key still works).
    number = next(iter(people))
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE person SET name_enc = :n WHERE identity_hash = :h"),
                     {"n": active.encrypt("Ny Namnsson"), "h": active.lookup_hash(number)})
    people[number] = "Ny Namnsson"
    key_rotation.finish(database, active=active, upcoming=upcoming, now=rt.now())
    _assert_all_under(database, upcoming, people)
    with database.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM key_rotation_stage")).scalar() == 0


def _rotate_killed(database: Database, tmp_path: Path, *, when: Callable[[str], bool]
                   ) -> Callable[[], None]:
    """`utvag keys rotate` in a process of its own, one row a batch, killed (SIGKILL) at
    the first line of progress `when` accepts; returns the same command run again."""
    key_file = _key_file(tmp_path, TEST_KEY.encode())
    env = {**os.environ, "DATABASE_URL": database.url, "UTVAG_KEY_FILE": str(key_file),
           "UTVAG_DATA_DIR": str(tmp_path), "PREFECT_API_URL": "http://127.0.0.1:9/api"}
    env.pop("UTVAG_ENCRYPTION_KEY", None)
    command = [sys.executable, "-m", "utvag_cli.main", "keys", "rotate", "--batch-size", "1",
               "--pause", "0.05"]
    child = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    assert child.stdout is not None
    for line in child.stdout:
        if when(line):
            child.send_signal(signal.SIGKILL)
            break
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert (tmp_path / "utvag.key.next").exists()

    def again() -> None:
        done = subprocess.run(command[:-2], env=env, cwd=ROOT, capture_output=True,
                              text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        assert not (tmp_path / "utvag.key.next").exists()
    return again


def test_a_rotation_killed_in_the_middle_finishes_when_run_again(
        rt: Runtime, database: Database, tmp_path: Path) -> None:
    people = _people(rt, 12)
    batches = iter(range(1, 100))
    again = _rotate_killed(database, tmp_path, when=lambda line: "re-encrypted" in line
                           and next(batches) == 4)
    _assert_all_under(database, _cipher(TEST_KEY.encode(), database), people)  # untouched so far
    again()
    _assert_all_under(database, _cipher(read_key_file(tmp_path / "utvag.key"), database),
                      people)


def _found(database: Database, table: str, column: str, value: str) -> set[Any]:
    with database.engine.connect() as conn:
        return set(conn.execute(text(  # identifiers: the test's constants
            f"SELECT case_id FROM {table} WHERE {column} = :v"), {"v": value}).scalars())  # noqa: S608


def _found_by_municipality(database: Database, cipher: Cipher, code: str) -> dict[str, set[Any]]:
    """The look-ups by a municipality's keyed hash: relocations to it, periods in it."""
    hashed = municipality_hash(cipher, code)
    return {"destination": _found(database, "relocation", "destination_hash", hashed),
            "responsibility": _found(database, "case_responsibility", "municipality_hash",
                                     hashed)}


def test_the_destination_and_municipality_hashes_are_re_keyed_even_after_a_kill(
        rt: Runtime, database: Database, tmp_path: Path, clock: FakeClock) -> None:
    """The relocation's destination hash and the periods of responsibility's municipality
    hash are keyed by the master key: after a rotation killed while re-keying them and
    run again, they find their rows with the new key and none with the old one. A culled
    person's emptied values are passed over."""
    moved = states.in_after_phase(rt, FakeAgencies(), person={
        "identity_number": identity_number(serial=71), "name": "Flyttad Person"})
    culled = states.in_after_phase(rt, FakeAgencies(), person={
        "identity_number": identity_number(serial=72), "name": "Gallrad Person"})
    close_with_outcome(rt, culled.case_id, outcome=Outcome.COMPLETED, by="anna")
    clock.advance(days=365 * 5 + 30)
    assert culling.cull(rt, RecordingHistory()).persons == 1
    old = _cipher(TEST_KEY.encode(), database)
    mine = {"destination": {moved.case_id}, "responsibility": {moved.case_id}}
    assert _found_by_municipality(database, old, states.DESTINATION) == mine
    again = _rotate_killed(database, tmp_path,
                           when=lambda line: line.startswith("case_responsibility:"))
    assert _found_by_municipality(database, old, states.DESTINATION) == mine  # untouched
    again()
    new = _cipher(read_key_file(tmp_path / "utvag.key"), database)
    assert _found_by_municipality(database, new, states.DESTINATION) == mine
    assert _found_by_municipality(database, new, "0180")["responsibility"] == {moved.case_id}
    assert _found_by_municipality(database, old, states.DESTINATION) == {
        "destination": set(), "responsibility": set()}
    with database.uow() as session:
        assert relations.is_destination(session, new, moved.case_id,
                                        municipality=states.DESTINATION)


def test_every_keyed_hash_of_the_schema_is_re_keyed(db: str, database: Database) -> None:
    with database.engine.connect() as conn:
        columns = set(conn.execute(text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND column_name LIKE '%\\_hash'")).all())
    assert {tuple(c) for c in columns} == {(s.table, k.column) for s in key_rotation.ENCRYPTED
                       for k in s.hashes} | key_rotation.UNKEYED_HASHES
