"""Everything a person's cases disclosed: to agencies (journaled `disclosure` entries, one
per request, naming the fields) and to the registers (`register_disclosure`, one row per
look-up request carrying many cases). Read by the subject-access export and by a
correction (who received the old value)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.crypto import Cipher
from models.journal import Kind
from models.relapse import RegisterDisclosure
from models.tables import Consent, JournalEntry
from services.clear_text import legal_basis_of


@dataclass(frozen=True)
class Disclosure:
    at: datetime
    recipient: str  # an agency, or a register ("register:belastningsregistret")
    fields: tuple[str, ...]
    purpose: str
    legal_basis: str
    case_id: uuid.UUID


def disclosures(session: Session, cipher: Cipher,
                case_ids: Sequence[uuid.UUID]) -> list[Disclosure]:
    """Every disclosure of the cases, oldest first."""
    if not case_ids:
        return []
    consents = session.exec(select(Consent).where(col(Consent.case_id).in_(case_ids))
                            .order_by(col(Consent.at))).all()
    found: list[Disclosure] = []
    for entry in session.exec(select(JournalEntry).where(
            col(JournalEntry.case_id).in_(case_ids), JournalEntry.kind == Kind.DISCLOSURE)):
        agency = str(entry.data.get("agency", ""))
        basis = [legal_basis_of(c, cipher) for c in consents
                 if c.case_id == entry.case_id and c.agency == agency and c.at <= entry.at
                 and c.state == "given"]
        found.append(Disclosure(entry.at, agency, tuple(entry.data.get("fields", ())),
                                str(entry.data.get("kind", "")),
                                basis[-1] if basis else "samtycke", entry.case_id))
    for row in session.exec(select(RegisterDisclosure).where(
            sa.or_(*[col(RegisterDisclosure.case_ids).contains([c]) for c in case_ids]))):
        for case_id in case_ids:
            if case_id in row.case_ids:
                found.append(Disclosure(row.at, f"register:{row.register_name}",
                                        tuple(row.fields), "register sweep", row.reason,
                                        case_id))
    return sorted(found, key=lambda d: d.at)
