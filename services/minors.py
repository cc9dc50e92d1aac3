"""A child (under 18) as a defector: guardians recorded and the consent rule for minors.

Guardians (vårdnadshavare) are recorded by role; the name is encrypted like every name
and never leaves the database (the journal and Prefect see the role and whether they
consent). Consent rule for a minor: besides the consent recorded for the agency (the
child's own, heard according to age and maturity), every recorded guardian must
consent, and at least one must be recorded, before anything is disclosed to an agency
(`services.agency.send` asks `guardians_consent`). Until then the case waits for
`guardian_consent`, which closes when the last missing guardian consents.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, select

from adapters.repositories import cases, journal, waits
from models.crypto import Cipher
from models.enums import GuardianRole, WaitKind
from models.journal import Kind
from models.plan_tables import Guardian
from models.routing import is_child
from models.tables import Case, Person
from models.waits import Wait
from services.clear_text import birth_date_of
from services.runtime import Runtime

GUARDIANS_WAIT = Wait.of(WaitKind.GUARDIAN_CONSENT)


class GuardianError(ValueError):
    """The message names the field."""


def child_case(session: Session, case: Case, cipher: Cipher, *, today: date) -> bool:
    person = session.get_one(Person, case.person_id)
    return is_child(birth_date_of(person, cipher), today=today)


def guardians_consent(session: Session, case: Case, cipher: Cipher, *, today: date) -> bool:
    """True for an adult; for a child, when guardians are recorded and all consent."""
    if not child_case(session, case, cipher, today=today):
        return True
    rows = session.exec(select(Guardian.consents).where(Guardian.case_id == case.id)).all()
    return bool(rows) and all(rows)


def record_guardian(rt: Runtime, case_ref: str | uuid.UUID, *, role: GuardianRole, name: str,
                    consents: bool, by: str) -> bool:
    """Record (or update, by role) a child's guardian; True when every recorded guardian
    now consents (the case's guardian-consent wait is then answered)."""
    name = name.strip()
    if not 1 <= len(name) <= 200:
        raise GuardianError("name: 1-200 characters")
    at = rt.now()
    with rt.uow() as session:
        case = cases.lock_case_ref(session, case_ref)
        if not child_case(session, case, rt.cipher, today=at.date()):
            raise GuardianError(f"case: the person in {case.case_number} is not a child; "
                                "guardians are recorded for children only")
        values = {"name_enc": rt.cipher.encrypt(name), "consents": consents,
                  "recorded_by": by, "recorded_at": at}
        session.execute(insert(Guardian).values(case_id=case.id, role=role.value, **values)
                        .on_conflict_do_update(index_elements=["case_id", "role"],
                                               set_=values))
        journal.journal(session, case, kind=Kind.GUARDIAN_RECORDED, actor=by, at=at,
                        reason=f"guardian recorded ({role.value}): "
                               + ("consents" if consents else "does not consent"),
                        data={"role": role.value, "consents": consents})
        complete = guardians_consent(session, case, rt.cipher, today=at.date())
        if complete:
            waits.close_wait(session, case, GUARDIANS_WAIT, by=by, at=at,
                             answer={"guardians_consent": True})
        return complete


def add_at_intake(session: Session, case: Case, guardians: list[tuple[GuardianRole, str, bool]],
                  *, cipher: Cipher, by: str, at: datetime) -> None:
    """The guardians named in a child's referral (intake's transaction)."""
    for role, name, consents in guardians:
        session.add(Guardian(case_id=case.id, role=role.value, name_enc=cipher.encrypt(name),
                             consents=consents, recorded_by=by, recorded_at=at))
        journal.journal(session, case, kind=Kind.GUARDIAN_RECORDED, actor=by, at=at,
                        reason=f"guardian recorded ({role.value}): "
                               + ("consents" if consents else "does not consent"),
                        data={"role": role.value, "consents": consents})


def guardian_roles(rt: Runtime, case_id: uuid.UUID) -> dict[str, bool]:
    """role -> consents, without names."""
    with rt.uow() as session:
        rows = session.exec(select(Guardian.role, Guardian.consents).where(
            Guardian.case_id == case_id)).all()
    return dict(rows)
