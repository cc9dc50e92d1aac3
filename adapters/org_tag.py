"""The receiving organisation of a transfer offer as the row-level security policies
recognise it (migration 0013_rls, docs/database-roles.md): a SHA-256 over the database's
own tag key and the organisation, the same as SQL `utvag_org_tag(org)`.

Computed here rather than by the server so that the destination (the receiving
municipality) never reaches PostgreSQL in clear, not even as a statement parameter that
a server logging every statement would write down."""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlmodel import Session


def org_tag(session: Session, organisation: str) -> str:
    key = session.execute(text("SELECT utvag_org_tag_key()")).scalar_one()
    if not key:
        raise RuntimeError("utvag_org_tag_key: the database has no tag key (migrate it)")
    return hashlib.sha256(f"{key}|{organisation}".encode()).hexdigest()
