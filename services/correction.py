"""Correcting a person's name or identity number (GDPR art. 16).

One transaction: the new values encrypted, the look-up hash re-keyed (and the birth date
and sex, which the identity number carries, with it), the correction journaled on every
case of the person with the reason (encrypted) and the fields, never the values. A new
identity number that another person record already holds is a duplicate: refused,
nothing written, and said so (the records must be merged, not made two of one human
being). The answer lists the agencies and registers that received the old value, so
that they can be told (art. 19).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from adapters.repositories import cases, journal
from models.identity import IdentityNumber, InvalidIdentityNumber, parse_identity_number
from models.journal import Kind
from models.tables import Case, Person
from services import person_keys
from services.disclosures import disclosures
from services.keys import assert_current
from services.runtime import Runtime


class CorrectionError(ValueError):
    """Refused, nothing written; worded `field: problem`."""


@dataclass(frozen=True)
class Recipient:
    recipient: str
    at: datetime
    fields: tuple[str, ...]  # which of the corrected fields it received


@dataclass(frozen=True)
class Corrected:
    case_number: str
    fields: tuple[str, ...]
    tell: tuple[Recipient, ...]  # who received an old value


def correct_person(rt: Runtime, case_ref: str | uuid.UUID, *, by: str, reason: str,
                   name: str | None = None, identity_number: str | None = None) -> Corrected:
    """Correct the name and/or identity number of the case's person."""
    at = rt.now()
    reason = reason.strip()
    if len(reason) < 3:
        raise CorrectionError("reason: say why the data is corrected (at least 3 characters)")
    new_name = name.strip() if name is not None else None
    if new_name is not None and not 1 <= len(new_name) <= 200:
        raise CorrectionError("name: 1 to 200 characters")
    parsed = None
    if identity_number is not None:
        try:
            parsed = parse_identity_number(identity_number, today=at.date())
        except InvalidIdentityNumber as exc:
            raise CorrectionError(str(exc)) from None
    if new_name is None and parsed is None:
        raise CorrectionError("name: give the corrected name or identity_number")
    try:
        return _correct(rt, case_ref, by=by, reason=reason, name=new_name, parsed=parsed,
                        at=at)
    except IntegrityError:  # a duplicate outside what this principal may see
        raise CorrectionError(DUPLICATE) from None


DUPLICATE = ("identity_number: another person record already holds this identity number "
             "(a duplicate); the two records must be merged, not corrected into one "
             "another. Nothing was changed")


def _correct(rt: Runtime, case_ref: str | uuid.UUID, *, by: str, reason: str,
             name: str | None, parsed: IdentityNumber | None, at: datetime) -> Corrected:
    new_name = name
    cipher = rt.cipher
    with rt.uow() as session:
        assert_current(session, cipher)
        case = cases.lock_case_ref(session, case_ref)
        person = session.get_one(Person, case.person_id, with_for_update=True)
        changed: list[str] = []
        key = person_keys.key_of(session, cipher, person.id, at=at)

        def seal(value: str) -> bytes:
            return cipher.seal(person.id, key, value)
        if parsed is not None and cipher.decrypt(person.identity_enc) != parsed.canonical:
            lookup = cipher.lookup_hash(parsed.canonical)
            other = session.execute(text("SELECT utvag_person_id(:h)"), {"h": lookup}).scalar()
            if other is None:  # the function answers municipalities only; the owner sees all
                other = session.exec(select(Person.id).where(
                    Person.identity_hash == lookup)).first()
            if other is not None and other != person.id:
                raise CorrectionError(DUPLICATE)
            person.identity_enc = seal(parsed.canonical)
            person.identity_hash = lookup
            person.birth_date_enc = seal(parsed.birth_date.isoformat())
            person.sex_enc = seal(parsed.sex)
            changed.append("identity_number")
        if new_name is not None and cipher.decrypt(person.name_enc) != new_name:
            person.name_enc = seal(new_name)
            changed.append("name")
        if not changed:
            raise CorrectionError("name: the stored values are already these; nothing to correct")
        session.add(person)
        own = session.exec(select(Case).where(Case.person_id == person.id)
                           .order_by(col(Case.opened_at))).all()
        for each in own:
            journal.journal(session, each, kind=Kind.CORRECTED, actor=by, at=at,
                            reason=f"personal data corrected: {', '.join(changed)}",
                            data={"fields": changed, "reason_enc": seal(reason).decode()})
        tell = tuple(Recipient(d.recipient, d.at, tuple(f for f in d.fields if f in changed))
                     for d in disclosures(session, cipher, [c.id for c in own])
                     if set(d.fields) & set(changed))
    return Corrected(case.case_number, tuple(changed), tell)
