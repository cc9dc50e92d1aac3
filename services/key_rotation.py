"""Rotating the master key: every encrypted column re-encrypted, every look-up hash keyed
by the master key re-keyed (the identity number's, the destination's and the responsible
municipality's: `Keyed`).

Three steps, each safe to repeat, so that a rotation killed at any point is finished by
running it again (`utvag keys rotate`):

1. `begin`: the next key is recorded as `next` in `master_key` (its file written first,
   by the command).
2. `stage_batch`, until nothing is left: a batch of rows is read, decrypted with the
   active key, encrypted with the next one and written to `key_rotation_stage` with the
   SHA-256 of the value it replaces; one transaction a batch. The tables themselves are
   untouched, so every process holding the active key keeps working meanwhile.
3. `finish`, one transaction: writes to the encrypted tables are locked out, rows
   changed or added since they were staged are staged now, every staged value is swapped
   in where its digest still matches, the stage is emptied, and the next key becomes the
   active one (the old one `retired`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, text
from sqlmodel import Session

from adapters.db import Database
from models.crypto import Cipher, DecryptionError, KeyRefused, is_person_token
from services.keys import KeyRecord, keys_of


@dataclass(frozen=True)
class Keyed:
    """A look-up hash column: `Cipher.lookup_hash(prefix + value)`, `value` being the
    plaintext of the encrypted column `source` of the same row."""

    column: str
    source: str
    prefix: str = ""


@dataclass(frozen=True)
class Encrypted:
    """A table's encrypted columns, the encrypted tokens inside its JSON documents
    (`documents`: (column, key)) and its look-up hashes (`hashes`)."""

    table: str
    columns: tuple[str, ...] = ()
    hashes: tuple[Keyed, ...] = ()
    key: str = "id"
    documents: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class _Field:
    name: str  # the stage's column_name
    read: str  # SQL: the stored ciphertext as bytea
    assign: str  # SQL: SET clause taking the staged s.value


def _fields(spec: Encrypted) -> list[_Field]:
    fields = [_Field(c, f"t.{c}", f"{c} = s.value") for c in spec.columns]
    fields += [_Field(f"{doc}.{key}", f"convert_to(t.{doc} ->> '{key}', 'UTF8')",
                      f"{doc} = jsonb_set(t.{doc}, '{{{key}}}', "
                      "to_jsonb(convert_from(s.value, 'UTF8')))")
               for doc, key in spec.documents]
    return fields


# Every encrypted value of the schema (tests/integration/test_key_rotation.py checks that
# no `*_enc` column is missing here).
ENCRYPTED: tuple[Encrypted, ...] = (
    Encrypted("person", ("identity_enc", "name_enc", "birth_date_enc", "sex_enc"),
              hashes=(Keyed("identity_hash", "identity_enc"),)),
    # services.responsibility.municipality_hash: the destination and the periods'
    # municipalities (`municipality:<code>`).
    Encrypted("relocation", ("destination_enc", "address_enc"),
              hashes=(Keyed("destination_hash", "destination_enc", "municipality:"),)),
    Encrypted("break_glass", ("reason_enc",)),
    Encrypted("transfer_offer", ("receiving_enc",)),
    Encrypted("case_responsibility", ("municipality_enc",),
              hashes=(Keyed("municipality_hash", "municipality_enc", "municipality:"),)),
    Encrypted("guardian", ("name_enc",)),
    Encrypted("eligibility_assessment", ("evidence_note_enc",)),
    Encrypted("consent", ("legal_basis_enc",)),
    Encrypted("case_journal", documents=(("data", "legal_basis_enc"), ("data", "reason_enc"))),
    Encrypted("case_wait", documents=(("answer", "note_enc"),)),
    # The persons' data keys: re-wrapped; what they seal stays as it is.
    Encrypted("person_key", ("wrapped",), key="person_id"),
    Encrypted("retention_hold", ("reason_enc",), key="case_id"),
    Encrypted("console_session", ("data_enc",), key="id_hash"),
)
# Hash columns not keyed by the master key (tests/integration/test_key_rotation.py checks
# that every `*_hash` column is here or in ENCRYPTED): the console session's id is a
# SHA-256 of a secret only the browser holds.
UNKEYED_HASHES = frozenset({("console_session", "id_hash")})


def begin(db: Database, *, active: Cipher, upcoming: Cipher, now: datetime) -> None:
    """Record `upcoming` as the next key; refuse if `active` is not the active key or
    another rotation is under way."""
    with db.uow() as session:
        session.execute(text("LOCK TABLE master_key IN EXCLUSIVE MODE"))
        records = keys_of(session)
        current = _state(records, "active")
        if current is None or current.fingerprint != active.fingerprint:
            raise KeyRefused("key rotation: start it with the database's active key")
        under_way = _state(records, "next")
        if under_way is not None and under_way.fingerprint != upcoming.fingerprint:
            raise KeyRefused(f"key rotation: a rotation to {under_way.key_id} is under way; "
                             "finish it with that key's file")
        if any(r.fingerprint == upcoming.fingerprint for r in records if r.state != "next"):
            raise KeyRefused("key rotation: the new key must be a key never used before")
        if under_way is None:
            session.execute(text(
                "INSERT INTO master_key (key_id, fingerprint, state, created_at) "
                "VALUES (:id, :fp, 'next', :now)"),
                {"id": upcoming.key_id, "fp": upcoming.fingerprint, "now": now})


def _state(records: list[KeyRecord], state: str) -> KeyRecord | None:
    return next((r for r in records if r.state == state), None)


def _unstaged(spec: Encrypted, field: _Field) -> str:
    # Identifiers from ENCRYPTED (constants), never from input; values are bound.
    return (f"({field.read} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM key_rotation_stage s "  # noqa: S608
            f"WHERE s.table_name = '{spec.table}' AND s.row_id = t.{spec.key}::text "
            f"AND s.column_name = '{field.name}' AND s.key_id = :key_id "
            f"AND s.source_digest = sha256({field.read})))")


def stage_batch(session: Session, spec: Encrypted, *, active: Cipher, upcoming: Cipher,
                size: int | None) -> int:
    """Stage up to `size` (None: all) rows of `spec.table` not staged yet, or changed
    since; the number of rows staged."""
    fields = _fields(spec)
    wanted = " OR ".join(_unstaged(spec, f) for f in fields)
    limit = "" if size is None else f" LIMIT {int(size)}"
    rows = session.execute(text(
        f'SELECT t.{spec.key}::text, {", ".join(f.read for f in fields)} '  # noqa: S608
        f'FROM "{spec.table}" t WHERE {wanted} ORDER BY t.{spec.key}{limit} FOR UPDATE OF t'),
        {"key_id": upcoming.key_id}).all()
    for row_id, *values in rows:
        for field, value in zip(fields, values, strict=True):
            if value is None:
                continue
            old = bytes(value)
            staged = _restaged(old, active=active, upcoming=upcoming,
                               keyed=[k for k in spec.hashes if k.source == field.name])
            staged = [(field.name if name is None else name, new) for name, new in staged]
            for name, new in staged:
                session.execute(text(
                    "INSERT INTO key_rotation_stage (table_name, row_id, column_name, key_id,"
                    " source_digest, value) VALUES (:t, :r, :c, :k, :d, :v) "
                    "ON CONFLICT (table_name, row_id, column_name) DO UPDATE SET "
                    "key_id = EXCLUDED.key_id, source_digest = EXCLUDED.source_digest, "
                    "value = EXCLUDED.value"),
                    {"t": spec.table, "r": row_id, "c": name, "k": upcoming.key_id,
                     "d": hashlib.sha256(old).digest(), "v": new})
    return len(rows)


def _restaged(old: bytes, *, active: Cipher, upcoming: Cipher,
              keyed: list[Keyed]) -> list[tuple[str | None, bytes]]:
    """The value under the next key (None: the field itself) and the look-up hashes
    keyed from it, re-keyed. A value sealed with a person's own key stays as it is (the
    key's wrapping is rotated instead); a culled person's cannot be opened (nor can an
    overwritten, empty value), and its hashes are already no one's."""
    if not old or is_person_token(old):
        if not keyed or not old:
            return [(None, old)]
        try:
            plain = active.decrypt(old)
        except DecryptionError:
            return [(None, old)]
        return [(None, old), *_hashes(plain, keyed, upcoming)]
    plain = _decrypt(old, active, upcoming)
    return [(None, upcoming.encrypt(plain)), *_hashes(plain, keyed, upcoming)]


def _hashes(plain: str, keyed: list[Keyed],
            upcoming: Cipher) -> list[tuple[str | None, bytes]]:
    return [(k.column, upcoming.lookup_hash(k.prefix + plain).encode()) for k in keyed]


def _decrypt(token: bytes, active: Cipher, upcoming: Cipher) -> str:
    try:
        return active.decrypt(token)
    except DecryptionError:
        # Written by a process that held the next key: impossible while it is refused
        # at start, kept so a re-run never stops on a value that is already right.
        return upcoming.decrypt(token)


def finish(db: Database, *, active: Cipher, upcoming: Cipher, now: datetime) -> int:
    """Swap every staged value in and make `upcoming` the active key, in one transaction;
    the number of values swapped."""
    swapped = 0
    with db.uow() as session:
        session.execute(text("LOCK TABLE master_key IN EXCLUSIVE MODE"))
        session.execute(text("SET LOCAL utvag.rekey = 'on'"))  # the journal's tokens
        for spec in ENCRYPTED:
            session.execute(text(f'LOCK TABLE "{spec.table}" IN SHARE ROW EXCLUSIVE MODE'))
            stage_batch(session, spec, active=active, upcoming=upcoming, size=None)
        for spec in ENCRYPTED:
            fields = _fields(spec)
            # The hashes first: their digest is the source column's value before the swap.
            for keyed in spec.hashes:
                source = next(f for f in fields if f.name == keyed.source)
                fields.insert(0, _Field(keyed.column, source.read,
                                        f"{keyed.column} = convert_from(s.value, 'UTF8')"))
            for field in fields:
                result = session.execute(text(
                    f'UPDATE "{spec.table}" t SET {field.assign} FROM key_rotation_stage s '  # noqa: S608
                    f"WHERE s.table_name = :t AND s.column_name = :c AND s.key_id = :k "
                    f"AND s.row_id = t.{spec.key}::text "
                    f"AND s.source_digest = sha256({field.read})"),
                    {"t": spec.table, "c": field.name, "k": upcoming.key_id})
                swapped += cast("CursorResult[Any]", result).rowcount
        session.execute(text("DELETE FROM key_rotation_stage WHERE key_id = :k"),
                        {"k": upcoming.key_id})
        session.execute(text("UPDATE master_key SET state = 'retired', retired_at = :now "
                             "WHERE state = 'active'"), {"now": now})
        session.execute(text("UPDATE master_key SET state = 'active', activated_at = :now "
                             "WHERE key_id = :k"), {"now": now, "k": upcoming.key_id})
    return swapped


def rotate(db: Database, *, active: Cipher, upcoming: Cipher, now: datetime,
           batch_size: int = 500,
           on_batch: Callable[[str, int], None] | None = None) -> int:
    """All three steps; `on_batch(table, rows)` after each committed batch."""
    begin(db, active=active, upcoming=upcoming, now=now)
    for spec in ENCRYPTED:
        while True:
            with db.uow() as session:
                done = stage_batch(session, spec, active=active, upcoming=upcoming,
                                   size=batch_size)
            if not done:
                break
            if on_batch is not None:
                on_batch(spec.table, done)
    return finish(db, active=active, upcoming=upcoming, now=now)


def abandon(db: Database) -> None:
    """Give up a rotation under way: the staged values and the next key's record go; the
    active key stays what it was."""
    with db.uow() as session:
        session.execute(text("DELETE FROM key_rotation_stage"))
        session.execute(text("DELETE FROM master_key WHERE state = 'next'"))
