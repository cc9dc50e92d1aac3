"""Server-side sessions of the web console (`caseservice.console`; table `console_session`).

The browser gets a random id (32 bytes, URL-safe) in a cookie; the table keeps its
SHA-256 only, and the data (tokens, or the sign-in in progress) encrypted with the
runtime's cipher. The CSRF token of a session is an HMAC of its id under the cipher's
lookup key: tied to the session, never stored, useless without the id.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlmodel import col, delete

from models.console_tables import ConsoleSession
from services.runtime import Runtime

Kind = Literal["login", "session"]


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


@dataclass(frozen=True)
class Stored:
    session_id: str
    subject: str | None
    data: dict[str, Any]
    expires_at: datetime


def create(rt: Runtime, kind: Kind, data: dict[str, Any], *, ttl: timedelta,
           subject: str | None = None) -> str:
    """A new row; returns the id for the cookie (never stored as such)."""
    session_id = secrets.token_urlsafe(32)
    now = rt.now()
    with rt.uow() as session:
        session.add(ConsoleSession(id_hash=_hash(session_id), kind=kind, subject=subject,
                                   data_enc=rt.cipher.encrypt(json.dumps(data)),
                                   created_at=now, expires_at=now + ttl))
    return session_id


def load(rt: Runtime, kind: Kind, session_id: str | None) -> Stored | None:
    if not session_id or len(session_id) > 100:
        return None
    with rt.uow() as session:
        row = session.get(ConsoleSession, _hash(session_id))
        if row is None or row.kind != kind or row.expires_at <= rt.now():
            return None
        return Stored(session_id, row.subject, json.loads(rt.cipher.decrypt(row.data_enc)),
                      row.expires_at)


def update(rt: Runtime, session_id: str, data: dict[str, Any]) -> None:
    with rt.uow() as session:
        row = session.get(ConsoleSession, _hash(session_id))
        if row is not None:
            row.data_enc = rt.cipher.encrypt(json.dumps(data))
            session.add(row)


def end(rt: Runtime, session_id: str | None) -> None:
    """Delete the row (sign-out, a used sign-in); expired rows of anyone go with it."""
    with rt.uow() as session:
        if session_id:
            session.exec(delete(ConsoleSession).where(
                col(ConsoleSession.id_hash) == _hash(session_id)))
        session.exec(delete(ConsoleSession).where(
            col(ConsoleSession.expires_at) <= rt.now()))


def csrf_token(rt: Runtime, session_id: str) -> str:
    return rt.cipher.lookup_hash(f"console-csrf:{session_id}")


def csrf_ok(rt: Runtime, session_id: str, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(csrf_token(rt, session_id), str(token))
