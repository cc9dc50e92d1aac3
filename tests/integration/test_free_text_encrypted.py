"""Free text that can describe a person, and the birth date and sex, are stored encrypted
(issue 14): a dump of the tables holds none of them, the case view shows them, and rows
from before migration 0017 are encrypted by `utvag init`."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import text

from adapters.db import Database, migrate
from models.crypto import Cipher
from models.enums import Outcome
from services import decisions
from services.clear_text import encrypt_clear_values
from services.closure import close_with_outcome, reopen
from services.keys import CLEAR_COLUMNS_UNTIL, prepare_database
from services.runtime import Runtime
from services.views import case_view
from tests.conftest import TEST_KEY, _with_database, make_settings, sqlalchemy_url
from tests.factories import open_case, referral
from tests.fakes.clock import FakeClock
from tests.states import admitted

NOTE = "Uppgav att han lämnat Vårbynätverket efter knivhot"
BASIS = "samtycke enligt OSL 10:1, muntligt till Kerstin"
REOPEN = "återfall: gripen i Rinkeby för narkotikabrott"


def _dump(rt: Runtime) -> str:
    """Every row of the tables a backup would hold, as text."""
    tables = ("person", "consent", "eligibility_assessment", "case_journal", "case_wait")
    with rt.db.engine.connect() as conn:
        return "\n".join(str(row) for t in tables
                         for row in conn.execute(text(f'SELECT * FROM "{t}"')))


def test_notes_legal_basis_birth_date_and_sex_are_not_in_clear(rt: Runtime) -> None:
    eligibility = {**referral()["eligibility"], "motivated": {"holds": True,
                                                              "evidence_note": NOTE}}
    opened = open_case(rt, eligibility=eligibility,
                       consents=[{"agency": "police", "legal_basis": BASIS}])
    decisions.record_consent(rt, opened.case_id, agency="social_services", given=True,
                             by="anna", legal_basis=BASIS)
    dump = _dump(rt)
    for secret in (NOTE, BASIS, "1912-12-12", "datetime.date(1912, 12, 12)", "'male'"):
        assert secret not in dump
    view = case_view(rt, opened.case_id, viewer="anna")
    assert NOTE in [c.note for c in view.criteria]
    assert [c.legal_basis for c in view.consents] == [BASIS, BASIS]


def test_a_reopening_reason_is_encrypted_and_shown_in_the_timeline(rt: Runtime) -> None:
    number = admitted(rt).case_number
    close_with_outcome(rt, number, outcome=Outcome.RELAPSED, by="anna")
    reopen(rt, number, by="anna", reason=REOPEN)
    assert REOPEN not in _dump(rt)
    timeline = case_view(rt, number, viewer="anna").timeline
    # An admitted case reopens in the during phase (docs/process.md).
    assert f"reopened in the during phase: {REOPEN}" in [e.reason for e in timeline]


@pytest.fixture()
def before_0021(server_url: str) -> Iterator[Runtime]:
    """A database of its own at migration 0019: the clear columns still there."""
    name = f"utvag_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = sqlalchemy_url(_with_database(server_url, name))
    migrate(url, CLEAR_COLUMNS_UNTIL)
    database = Database(url)
    try:
        yield Runtime(settings=make_settings(url), db=database, clock=FakeClock(),
                      cipher=Cipher(TEST_KEY.encode()))
    finally:
        database.dispose()
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _columns(rt: Runtime) -> set[str]:
    with rt.db.engine.connect() as conn:
        return set(conn.execute(text(
            "SELECT table_name || '.' || column_name FROM information_schema.columns "
            "WHERE table_schema = 'public'")).scalars())


CLEAR = {"person.birth_date", "person.sex", "consent.legal_basis",
         "eligibility_assessment.evidence_note"}


def test_init_encrypts_the_values_held_in_clear_then_drops_their_columns(
        before_0021: Runtime) -> None:
    rt = before_0021
    opened = open_case(rt)
    with rt.db.engine.begin() as conn:  # as migration 0016 left them
        conn.execute(text("UPDATE person SET birth_date = '1912-12-12', sex = 'male', "
                          "birth_date_enc = NULL, sex_enc = NULL"))
        conn.execute(text("UPDATE consent SET legal_basis = :b, legal_basis_enc = NULL"),
                     {"b": BASIS})
        conn.execute(text("UPDATE eligibility_assessment SET evidence_note = :n "
                          "WHERE criterion = 'motivated'"), {"n": NOTE})
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("UPDATE case_journal SET data = data - 'legal_basis_enc' "
                          "|| jsonb_build_object('legal_basis', CAST(:b AS text)) "
                          "WHERE kind = 'consent'"), {"b": BASIS})
    assert BASIS in _dump(rt)
    # Migrating past 0019 with values still in clear is refused, nothing changed.
    with pytest.raises(RuntimeError, match=r"still in clear .*utvag init"):
        migrate(rt.db.url)
    assert CLEAR <= _columns(rt) and BASIS in _dump(rt)
    # `utvag init`: encrypted with the key, then the clear columns dropped.
    prepare_database(rt.settings, rt.db.url, now=rt.now())
    assert not CLEAR & _columns(rt)
    dump = _dump(rt)
    assert BASIS not in dump and NOTE not in dump and "1912, 12, 12" not in dump
    assert encrypt_clear_values(rt.db, rt.cipher) == 0
    view = case_view(rt, opened.case_id, viewer="anna")
    assert NOTE in [c.note for c in view.criteria]
    assert {c.legal_basis for c in view.consents} == {BASIS}
    prepare_database(rt.settings, rt.db.url, now=rt.now())  # again: nothing to do
