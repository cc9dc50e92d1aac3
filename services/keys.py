"""The master key against the database: register it at the first start, refuse any other.

Every process that touches personal data loads its key through `load_cipher`: the key is
validated (`models.crypto.validate_master_key`, the key file's mode), then compared by
fingerprint with the database's active key (`master_key`). A database with no key yet
registers this one, unless personal data is already stored that this key cannot open. A
different key is refused with a message that says so, before anything is read or written:
a new key would otherwise silently change the look-up hash, and intake would create a
second person for a human being already known (issue 14).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session

from adapters.db import Database
from adapters.settings import Settings
from models.crypto import Cipher, DecryptionError, KeyRefused


@dataclass(frozen=True)
class KeyRecord:
    key_id: str
    fingerprint: str
    state: str


def keys_of(session: Session) -> list[KeyRecord]:
    """Every key the installation has had, the active one first."""
    rows = session.execute(text(
        "SELECT key_id, fingerprint, state FROM master_key "
        "ORDER BY state = 'active' DESC, state = 'next' DESC, created_at")).all()
    return [KeyRecord(*row) for row in rows]


def _in_state(records: list[KeyRecord], state: str) -> KeyRecord | None:
    return next((r for r in records if r.state == state), None)


def holds_data(session: Session) -> bool:
    """Whether the database holds personal data or a registered key: then no new key may
    be created for it (`utvag init`, `make run`)."""
    probe = session.execute(text("SELECT utvag_key_probe()")).scalar()
    return probe is not None or bool(keys_of(session))


def check_key(session: Session, cipher: Cipher, *, now: datetime) -> None:
    """Register `cipher`'s key if the database has none, else insist on it being the active
    one. `KeyRefused` otherwise, with what to do."""
    records = keys_of(session)
    active = _in_state(records, "active")
    if active is None:
        probe = session.execute(text("SELECT utvag_key_probe()")).scalar()
        if probe is not None:
            try:
                cipher.decrypt(probe)
            except DecryptionError:
                raise KeyRefused(
                    f"encryption key: this key ({cipher.key_id}) does not open the personal "
                    "data already in the database; start with the key it was stored with. "
                    "Nothing was read or written") from None
        session.execute(text(
            "INSERT INTO master_key (key_id, fingerprint, state, created_at, activated_at) "
            "VALUES (:id, :fp, 'active', :now, :now) ON CONFLICT DO NOTHING"),
            {"id": cipher.key_id, "fp": cipher.fingerprint, "now": now})
        active = _in_state(keys_of(session), "active")
    if active is not None and active.fingerprint == cipher.fingerprint:
        return
    upcoming = _in_state(records, "next")
    if upcoming is not None and upcoming.fingerprint == cipher.fingerprint:
        raise KeyRefused(
            f"encryption key: {cipher.key_id} is the key a rotation under way moves to; "
            f"until `utvag keys rotate` finishes, start with the active key "
            f"({active.key_id if active else '?'})")
    retired = any(r.fingerprint == cipher.fingerprint for r in records)
    raise KeyRefused(
        f"encryption key: this key ({cipher.key_id}{', retired' if retired else ''}) is not "
        f"the database's key ({active.key_id if active else '?'}); the data there was "
        "encrypted with that one. Start with it (UTVAG_ENCRYPTION_KEY or the key file). "
        "Nothing was read or written")


def assert_current(session: Session, cipher: Cipher) -> None:
    """In a transaction that looks a person up by hash: the key is still the active one
    (a process started before a rotation finished holds the retired key, and its hashes
    would find no one). No key registered (a test database): nothing to compare."""
    active = _in_state(keys_of(session), "active")
    if active is not None and active.fingerprint != cipher.fingerprint:
        raise KeyRefused(
            f"encryption key: the database's key is now {active.key_id} (rotated since this "
            f"process started with {cipher.key_id}); restart it with the current key")


def load_cipher(settings: Settings, db: Database, *, now: datetime) -> Cipher:
    """The process's cipher: validated key, checked against (or registered in) the
    database. Raises `KeyRefused`."""
    from services.person_keys import DbPersonKeys

    cipher = Cipher(settings.master_key(), person_keys=DbPersonKeys(db))
    with db.uow() as session:
        check_key(session, cipher, now=now)
    return cipher


def may_create_key(db: Database) -> None:
    """Refuse (`KeyRefused`) to create a key for a database that holds data or a key."""
    with db.uow() as session:
        if holds_data(session):
            raise KeyRefused(
                "encryption key: no key found, but the database already holds personal data "
                "or a registered key; a new key would not open it. Restore the key file "
                "(or set UTVAG_ENCRYPTION_KEY) instead. No key was created")


# The last revision with the clear columns that `encrypt_clear_values` empties (0021
# drops them).
CLEAR_COLUMNS_UNTIL = "0019_person_keys"


def prepare_database(settings: Settings, url: str, *, now: datetime) -> bool:
    """`utvag init` and `make run`: the schema migrated, the key prepared (`prepare_key`),
    and values from before migration 0017 encrypted before 0021 drops their clear
    columns. True when a key file was created. Raises `KeyRefused`."""
    from adapters.db import migrate

    migrate(url, CLEAR_COLUMNS_UNTIL)
    owner = Database(url, pool_size=2, max_overflow=0)  # + the persons' keys
    try:
        created = prepare_key(settings, owner, now=now)
    finally:
        owner.dispose()
    migrate(url)
    return created


def prepare_key(settings: Settings, db: Database, *, now: datetime) -> bool:
    """`utvag init` and `make run`, after migrating: create the key file when there is no
    key and the database holds nothing a new key could not open, then register the key.
    True when a key file was created. Raises `KeyRefused` (nothing created)."""
    from adapters.vault import ensure_key_file

    created = False
    if settings.encryption_key is None and not settings.resolved_key_file.exists():
        may_create_key(db)
        created = ensure_key_file(settings.resolved_key_file)
    cipher = load_cipher(settings, db, now=now)
    from services.clear_text import encrypt_clear_values

    encrypt_clear_values(db, cipher)  # rows from before migration 0017; idempotent
    return created
