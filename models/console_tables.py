"""The web console's server-side sessions. Created by migration 0014_console_sessions.

`console_session` holds one row per sign-in in progress (`kind='login'`: the PKCE
verifier, the state and the nonce) or per signed-in browser (`kind='session'`: the
provider's tokens). The browser holds only the random id in a cookie; the row is keyed
by the id's SHA-256 (a stolen table does not give a usable cookie) and everything else
it knows is encrypted with the runtime's cipher. A row past `expires_at` is dead.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class ConsoleSession(SQLModel, table=True):
    __tablename__ = "console_session"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('login', 'session')", name="ck_console_session_kind"),
        sa.Index("ix_console_session_expires_at", "expires_at"),
    )
    id_hash: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=10)
    subject: str | None = Field(default=None, max_length=200, index=True)
    data_enc: bytes
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
