"""Intake: open a case from a coordinator's referral.

Validation happens before any write, and a person with an open case gets that case back
instead of a duplicate; the database enforces both the one-person-one-row and the
one-open-case rule. The new-case flow is then started with the case id alone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from adapters import rls
from adapters.logs import get_logger
from adapters.repositories import answers, cases, journal
from models.crypto import Cipher
from models.enums import CaseStatus, ConsentState, Phase
from models.journal import Kind
from models.referral import Referral, parse_referral
from models.routing import CURRENT_VERSION as ROUTING_VERSION
from models.tables import Case, Consent, Person
from services import minors, person_keys
from services.keys import assert_current
from services.runtime import Runtime


@dataclass(frozen=True)
class OpenedCase:
    case_id: uuid.UUID
    case_number: str
    placing_municipality: str
    created: bool
    # An open case another municipality placed, hidden from the bound one by row-level
    # security: its coordinators were told in its journal (`utvag_intake_probe`); the
    # number and the municipality stay empty.
    told: bool = False


def open_case(rt: Runtime, raw: object) -> OpenedCase:
    """Validate `raw` (a referral as parsed JSON) and open a case, or return the
    person's open case. Raises `models.referral.ReferralError` on bad input."""
    now = rt.now()
    referral, identity, birth_date, sex = parse_referral(raw, today=now.date())
    for attempt in (1, 2):
        try:
            with rt.uow() as session:
                return _open(session, referral, identity=identity, birth_date=birth_date,
                             sex=sex, now=now, cipher=rt.cipher)
        except IntegrityError:
            # A concurrent intake of the same person won the race; look again.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _open(session: Session, referral: Referral, *, identity: str, birth_date: date, sex: str,
          now: datetime, cipher: Cipher) -> OpenedCase:
    log = get_logger()
    assert_current(session, cipher)  # a retired key's hash would find no one: a duplicate
    lookup = cipher.lookup_hash(identity)
    person = session.exec(select(Person).where(Person.identity_hash == lookup)).first()
    if person is not None:
        existing = session.exec(select(Case).where(
            Case.person_id == person.id, Case.status != CaseStatus.CLOSED)).first()
        if existing is not None:
            log.info("intake.existing_case", case_number=existing.case_number)
            return OpenedCase(existing.id, existing.case_number, existing.placing_municipality,
                              created=False)
    person_id = person.id if person is not None else rls.person_id(session, lookup)
    if person_id is not None:
        # Registered, without an open case the bound principal sees (row-level security:
        # the service bound to one municipality). One placed by another municipality is
        # told of the referral; otherwise (their cases are closed) they get a case here.
        elsewhere = rls.intake_probe(session, lookup)
        if elsewhere is not None:
            log.info("intake.open_elsewhere")
            return OpenedCase(elsewhere, "", "", created=False, told=True)
    else:
        # Every value about the person sealed with their own data key (crypto-shredding).
        person_id = uuid.uuid4()
        new_key, wrapped = cipher.new_person_key()

        def seal(value: str) -> bytes:
            return cipher.seal(person_id, new_key, value)

        session.add(Person(id=person_id, identity_enc=seal(identity),
                           name_enc=seal(referral.person.name), identity_hash=lookup,
                           protection_level=referral.person.protection_level.value,
                           sex_enc=seal(sex), birth_date_enc=seal(birth_date.isoformat()),
                           created_at=now))
        session.flush()
        person_keys.store(session, cipher, person_id, wrapped, at=now)
    key = person_keys.key_of(session, cipher, person_id, at=now)
    owner = person_id

    def sealer(value: str) -> bytes:
        return cipher.seal(owner, key, value)

    case = Case(case_number=cases.next_case_number(session, year=now.year), person_id=person_id,
                placing_municipality=referral.placing_municipality,
                referring_agency=referral.referring_agency.value, milieu=referral.milieu.value,
                custody_status=referral.custody_status.value, phase=Phase.BEFORE,
                status=CaseStatus.OPEN, opened_at=now, updated_at=now,
                routing_version=ROUTING_VERSION)
    session.add(case)
    session.flush()
    actor = referral.recorded_by
    journal.journal(session, case, kind=Kind.OPENED, actor=actor, at=now,
                    reason=f"referred by {referral.referring_agency.value}")
    for criterion, answer in referral.eligibility.items():
        answers.upsert(session, case_id=case.id, criterion=criterion.value, holds=answer.holds,
                       note_enc=sealer(answer.evidence_note) if answer.evidence_note
                       else None, recorded_by=actor, at=now)
        if answer.holds is not None:
            verdict = "holds" if answer.holds else "does not hold"
            journal.journal(session, case, kind=Kind.DECISION, actor=actor, at=now,
                            reason=f"{criterion.value}: {verdict}",
                            data={"criterion": criterion.value, "holds": answer.holds})
    for consent in referral.consents:
        session.add(Consent(case_id=case.id, agency=consent.agency.value,
                            state=ConsentState.GIVEN, at=now, recorded_by=actor,
                            legal_basis_enc=sealer(consent.legal_basis)))
        journal.journal(session, case, kind=Kind.CONSENT, actor=actor, at=now,
                        reason=f"consent given for {consent.agency.value}",
                        data={"agency": consent.agency.value, "state": "given",
                              "legal_basis_enc": sealer(consent.legal_basis).decode()})
    if referral.guardians:  # a child's: the consent rule for minors needs them
        minors.add_at_intake(session, case, [(g.role, g.name.strip(), g.consents)
                                             for g in referral.guardians],
                             cipher=cipher, by=actor, at=now)
    log.info("intake.opened", case_number=case.case_number, case_id=str(case.id))
    return OpenedCase(case.id, case.case_number, case.placing_municipality, created=True)
