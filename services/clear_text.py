"""Free text and the birth date and sex, encrypted at rest like names (issue 14).

Evidence notes, the legal basis of a consent, the note of a relapse assessment, the reason
a case was reopened, the birth date and sex: each can identify or describe a person, so
each is stored encrypted (`*_enc` columns, or an `*_enc` token in a JSON document), and
read here. What the rules need from the birth date (child or adult, the age band) is
derived from the decrypted value when needed, never stored.

`encrypt_clear_values` moves rows written before migration 0017 into the encrypted
columns (`utvag init` runs it; it holds the key, the migration does not). Idempotent.
Migration 0021 drops the clear columns then (`services.keys.prepare_database` runs this
before it); on a schema without them, only the JSON documents are left to look at.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Protocol

from sqlalchemy import text

from adapters.db import Database
from models.crypto import Cipher
from models.tables import Consent, EligibilityAnswer, Person


class Sealer(Protocol):
    def encrypt(self, plaintext: str) -> bytes: ...

    def decrypt(self, token: bytes) -> str: ...


def seal(cipher: Sealer, value: str) -> bytes:
    return cipher.encrypt(value)


def seal_text(cipher: Sealer, value: str) -> str:
    """A token for a JSON document (a Fernet token is URL-safe base64 text)."""
    return cipher.encrypt(value).decode()


def seal_person_text(cipher: Cipher, person_id: uuid.UUID, key: bytes, value: str) -> str:
    """A token sealed with the person's own key, for a JSON document."""
    return cipher.seal(person_id, key, value).decode()


def open_text(cipher: Sealer, token: str) -> str:
    return cipher.decrypt(token.encode())


def birth_date_of(person: Person, cipher: Sealer) -> date:
    if person.birth_date_enc is None:
        raise ValueError("person: no birth date stored")
    return date.fromisoformat(cipher.decrypt(person.birth_date_enc))


def sex_of(person: Person, cipher: Sealer) -> str:
    return cipher.decrypt(person.sex_enc) if person.sex_enc is not None else ""


def note_of(answer: EligibilityAnswer, cipher: Sealer) -> str:
    return cipher.decrypt(answer.evidence_note_enc) if answer.evidence_note_enc is not None \
        else ""


def legal_basis_of(consent: Consent, cipher: Sealer) -> str:
    return cipher.decrypt(consent.legal_basis_enc) if consent.legal_basis_enc is not None \
        else ""


def journal_data(data: dict[str, Any], cipher: Sealer) -> dict[str, Any]:
    """A journal entry's data with its encrypted values opened (`x_enc` -> `x`)."""
    opened = {}
    for key, value in data.items():
        if key.endswith("_enc") and isinstance(value, str):
            opened[key[:-4]] = open_text(cipher, value)
        else:
            opened[key] = value
    return opened


# (table, clear column, encrypted column, how the clear value becomes text, "emptied" value)
_COLUMNS = (
    ("person", "birth_date", "birth_date_enc", "to_char({c}, 'YYYY-MM-DD')", "NULL"),
    ("person", "sex", "sex_enc", "{c}", "NULL"),
    ("consent", "legal_basis", "legal_basis_enc", "{c}", "NULL"),
    ("eligibility_assessment", "evidence_note", "evidence_note_enc", "{c}", "''"),
)
# JSON documents: (table, key column, document column, condition, clear key).
_DOCUMENTS = (
    ("case_journal", "id", "data", "data ? 'legal_basis'", "legal_basis"),
    ("case_wait", "id", "answer", "answer ? 'note'", "note"),
)
REOPENED_PREFIX = "reopened: "


def encrypt_clear_values(db: Database, cipher: Sealer) -> int:
    """Encrypt every value still in clear (rows from before migration 0017) and empty its
    clear column; the number of values moved. Run as the owner (all rows)."""
    moved = 0
    with db.uow() as session:
        session.execute(text("SET LOCAL utvag.rekey = 'on'"))  # the journal's tokens
        present = {(t, c) for t, c in session.execute(text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public'")).all()}
        for table, clear, enc, as_text, empty in _COLUMNS:
            if (table, clear) not in present:  # dropped by migration 0021
                continue
            rows = session.execute(text(  # identifiers: the constants above
                f'SELECT id::text, {as_text.format(c=clear)} FROM "{table}" '  # noqa: S608
                f"WHERE {clear} IS NOT NULL AND {clear}::text <> '' AND {enc} IS NULL")).all()
            for row_id, value in rows:
                session.execute(text(
                    f'UPDATE "{table}" SET {enc} = :v, {clear} = {empty} WHERE id::text = :id'),  # noqa: S608
                    {"v": cipher.encrypt(value), "id": row_id})
            moved += len(rows)
        for table, key, doc, where, field in _DOCUMENTS:
            rows = session.execute(text(
                f'SELECT {key}, {doc} ->> :f FROM "{table}" WHERE {where}'),  # noqa: S608
                {"f": field}).all()
            for row_id, value in rows:
                session.execute(text(
                    f'UPDATE "{table}" SET {doc} = ({doc} - CAST(:f AS text)) || '  # noqa: S608
                    f"jsonb_build_object(CAST(:fe AS text), CAST(:v AS text)) WHERE {key} = :id"),
                    {"f": field, "fe": f"{field}_enc", "v": seal_text(cipher, value or ""),
                     "id": row_id})
            moved += len(rows)
        rows = session.execute(text(
            "SELECT id, reason FROM case_journal WHERE kind = 'reopened' "
            "AND reason LIKE 'reopened: %'")).all()
        for row_id, reason in rows:
            session.execute(text(
                "UPDATE case_journal SET reason = 'reopened', "
                "data = data || jsonb_build_object('reason_enc', CAST(:v AS text)) WHERE id = :id"),
                {"v": seal_text(cipher, reason[len(REOPENED_PREFIX):]), "id": row_id})
        moved += len(rows)
    return moved
