"""Each person's own data key (envelope encryption): created at intake, wrapped by the
master key in `person_key`, fetched to open a sealed value, destroyed by culling.

A process's cipher is handed a `DbPersonKeys` (services.keys.load_cipher, or the runtime
for a cipher handed in), so `Cipher.decrypt` opens values sealed with a person's key
wherever they are read, without the reader knowing which key sealed them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from adapters.db import Database
from models.crypto import Cipher
from models.key_tables import PersonKey


class DbPersonKeys:
    """The wrapped keys, read in their own short transaction (a value may be opened
    outside any unit of work). Not cached: a destroyed key is gone for every process at
    once."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def wrapped(self, person_ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, bytes | None]:
        if not person_ids:
            return {}
        with self._db.uow() as session:
            rows = session.exec(select(PersonKey.person_id, PersonKey.wrapped).where(
                col(PersonKey.person_id).in_(list(person_ids)))).all()
        return {pid: (bytes(w) if w is not None else None) for pid, w in rows}


def store(session: Session, cipher: Cipher, person_id: uuid.UUID, wrapped: bytes, *,
          at: datetime) -> None:
    """Keep a person's new data key (`Cipher.new_person_key`), after the person's row."""
    session.add(PersonKey(person_id=person_id, key_id=cipher.key_id, wrapped=wrapped,
                          created_at=at))
    session.flush()


def create_key(session: Session, cipher: Cipher, person_id: uuid.UUID, *,
               at: datetime) -> bytes:
    """A new data key for a person stored before they had one; the key itself."""
    key, wrapped = cipher.new_person_key()
    store(session, cipher, person_id, wrapped, at=at)
    return key


def key_of(session: Session, cipher: Cipher, person_id: uuid.UUID, *,
           at: datetime) -> bytes:
    """The person's data key (created when a person from before had none). Refuses a
    destroyed one: a culled person gets no new data."""
    row = session.get(PersonKey, person_id)
    if row is None:
        return create_key(session, cipher, person_id, at=at)
    if row.wrapped is None:
        raise ValueError("person: the person's data was culled; nothing more is stored")
    return cipher.unwrap(row.wrapped)


def sealer(session: Session, cipher: Cipher, person_id: uuid.UUID, *,
           at: datetime) -> Callable[[str], bytes]:
    """Seal values with the person's own key (what culling destroys)."""
    key = key_of(session, cipher, person_id, at=at)
    return lambda value: cipher.seal(person_id, key, value)
