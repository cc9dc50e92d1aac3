"""The subject-access export (GDPR art. 15): everything Utväg holds about a person.

Made on a request the responsible coordinator records through the case service: the
request is journaled on every case of the person (its own committed transaction, before
anything is read), then the export is built: the personal data, each case's history in
plain Swedish words (`services.subject_access_words`), every disclosure to an agency
(which, when, which fields, on what legal basis), every register look-up, and every
access to the cases and by which organisation (the access log; no staff names). The
destination and address appear only when the caller decided the policy allows it for
this request (`include_destination`). Rendered as JSON (this model) or Swedish HTML
(`services.subject_access_html`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import text
from sqlmodel import Session, col, select

from adapters.repositories import cases, journal
from models.access_tables import AccessLog
from models.during_tables import Relocation
from models.journal import Kind
from models.tables import Case, Consent, EligibilityAnswer, Person
from services.clear_text import birth_date_of, legal_basis_of, note_of, sex_of
from services.disclosures import Disclosure, disclosures
from services.runtime import Runtime
from services.subject_access_words import agency_name, fields_words, sentence


class PersonOut(BaseModel):
    name: str
    identity_number: str
    birth_date: date | None
    sex: str
    protection_level: str


class HistoryLine(BaseModel):
    at: datetime
    text: str


class CriterionOut(BaseModel):
    criterion: str
    holds: bool | None
    note: str


class ConsentOut(BaseModel):
    agency: str
    state: str
    at: datetime
    legal_basis: str


class RelocationOut(BaseModel):
    destination: str
    address: str
    housing_form: str
    decided_at: datetime


class CaseOut(BaseModel):
    case_number: str
    placing_municipality: str
    opened_at: datetime
    closed_at: datetime | None
    phase: str
    status: str
    outcome: str | None
    criteria: list[CriterionOut]
    consents: list[ConsentOut]
    relocation: RelocationOut | None
    history: list[HistoryLine]


class DisclosureOut(BaseModel):
    at: datetime
    recipient: str
    recipient_name: str
    fields: list[str]
    fields_words: str
    purpose: str
    legal_basis: str
    case_number: str


class ReadOut(BaseModel):
    at: datetime
    organisation: str
    roles: list[str]
    action: str
    purpose: str
    outcome: str
    fields: list[str]
    case_number: str


class SubjectAccessExport(BaseModel):
    generated_at: datetime
    request_received_on: date
    requested_by_organisation: str
    destination_included: bool
    person: PersonOut
    cases: list[CaseOut]
    disclosures: list[DisclosureOut]
    register_lookups: list[DisclosureOut]
    reads: list[ReadOut]


def subject_access(rt: Runtime, case_ref: str | uuid.UUID, *, by: str, organisation: str,
                   received_on: date, include_destination: bool) -> SubjectAccessExport:
    """Journal the request on the person's cases, then build the export."""
    at = rt.now()
    with rt.uow() as session:
        case = cases.find_case(session, case_ref)
        for each in _cases_of(session, case.person_id):
            journal.journal(session, each, kind=Kind.SUBJECT_ACCESS, actor=by, at=at,
                            reason="subject-access export made (GDPR art. 15)",
                            data={"received_on": received_on.isoformat(),
                                  "destination_included": include_destination})
    with rt.uow() as session:
        person = session.get_one(Person, case.person_id)
        own = _cases_of(session, person.id)
        numbers = {c.id: c.case_number for c in own}
        shared = disclosures(session, rt.cipher, [c.id for c in own])
        out = [_disclosure(d, numbers) for d in shared]
        return SubjectAccessExport(
            generated_at=at, request_received_on=received_on,
            requested_by_organisation=organisation,
            destination_included=include_destination,
            person=PersonOut(name=rt.cipher.decrypt(person.name_enc),
                             identity_number=rt.cipher.decrypt(person.identity_enc),
                             birth_date=_birth(person, rt), sex=sex_of(person, rt.cipher),
                             protection_level=person.protection_level),
            cases=[_case(session, rt, c, include_destination) for c in own],
            disclosures=[d for d in out if not d.recipient.startswith("register:")],
            register_lookups=[d for d in out if d.recipient.startswith("register:")],
            reads=_reads(session, numbers))


def _cases_of(session: Session, person_id: uuid.UUID) -> list[Case]:
    return list(session.exec(select(Case).where(Case.person_id == person_id)
                             .order_by(col(Case.opened_at))))


def _birth(person: Person, rt: Runtime) -> date | None:
    try:
        return birth_date_of(person, rt.cipher)
    except ValueError:
        return None


def _case(session: Session, rt: Runtime, case: Case, include_destination: bool) -> CaseOut:
    criteria = session.exec(select(EligibilityAnswer).where(
        EligibilityAnswer.case_id == case.id).order_by(col(EligibilityAnswer.id))).all()
    consents = session.exec(select(Consent).where(Consent.case_id == case.id)
                            .order_by(col(Consent.id))).all()
    relocation = session.exec(select(Relocation).where(Relocation.case_id == case.id)).first()
    return CaseOut(
        case_number=case.case_number, placing_municipality=case.placing_municipality,
        opened_at=case.opened_at, closed_at=case.closed_at, phase=case.phase,
        status=case.status, outcome=case.outcome,
        criteria=[CriterionOut(criterion=a.criterion, holds=a.holds, note=note_of(a, rt.cipher))
                  for a in criteria],
        consents=[ConsentOut(agency=c.agency, state=c.state, at=c.at,
                             legal_basis=legal_basis_of(c, rt.cipher)) for c in consents],
        relocation=RelocationOut(
            destination=rt.cipher.decrypt(relocation.destination_enc),
            address=rt.cipher.decrypt(relocation.address_enc),
            housing_form=relocation.housing_form, decided_at=relocation.decided_at)
        if relocation is not None and include_destination else None,
        history=[HistoryLine(at=e.at, text=sentence(e.kind, e.data))
                 for e in journal.entries(session, case.id)])


def _disclosure(d: Disclosure, numbers: dict[uuid.UUID, str]) -> DisclosureOut:
    return DisclosureOut(at=d.at, recipient=d.recipient, recipient_name=agency_name(d.recipient),
                         fields=list(d.fields), fields_words=fields_words(d.fields),
                         purpose=d.purpose, legal_basis=d.legal_basis,
                         case_number=numbers[d.case_id])


def _reads(session: Session, numbers: dict[uuid.UUID, str]) -> list[ReadOut]:
    """The access log of the cases: what the session may read of it directly (the
    owner: all), and through `utvag_case_reads` what lies in the bound principal's scope."""
    ids = list(numbers)
    rows = {r.id: (r.at, r.organisation, list(r.roles), r.action, r.purpose, r.outcome,
                   list(r.fields), r.case_id)
            for r in session.exec(select(AccessLog).where(col(AccessLog.case_id).in_(ids)))}
    if session.execute(text("SELECT current_setting('utvag.org', true)")).scalar():
        for r in session.execute(text("SELECT * FROM utvag_case_reads(:ids)"), {"ids": ids}):
            rows[r.id] = (r.at, r.organisation, list(r.roles), r.action, r.purpose, r.outcome,
                          list(r.fields), r.case_id)
    return [ReadOut(at=at, organisation=org, roles=roles, action=action, purpose=purpose,
                    outcome=outcome, fields=fields, case_number=numbers[case_id])
            for _, (at, org, roles, action, purpose, outcome, fields, case_id)
            in sorted(rows.items(), key=lambda item: item[1][0])
            if case_id in numbers]
