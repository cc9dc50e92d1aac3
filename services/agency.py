"""The one agency step: send a request with consent checked, the disclosure journaled
and an idempotency key; collect its answer; everything an agency request of any kind
goes through (`services.agency_steps` says per kind what is sent and what an answer
records).

    send(...)    -> Sent | AlreadySent | NeedsConsent     (AgencyError propagates)
    collect(...) -> Answered | Pending | Deferred | NotSent

Consent: the latest consent record for the agency decides, checked in the same
transaction that claims the request row; without it the refusal is journaled once and
the case waits for consent. The disclosure (which fields, to whom, for what) is journaled
on the first attempt only: a retry of the same request discloses nothing new.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlmodel import Session

from adapters.common import SubmittedRequest
from adapters.errors import AgencyError
from adapters.logs import get_logger
from adapters.repositories import cases, journal, requests, waits
from models.disclosure import Fields, fields_for, is_protected
from models.enums import RequestStatus
from models.journal import Kind
from models.tables import Case, Person
from models.waits import AgencySubject, Wait
from services import minors
from services.runtime import Runtime

SYSTEM = "utvag"
Body = TypeVar("Body")
Answer = TypeVar("Answer")


@dataclass(frozen=True)
class Personal:
    """The person's data a request may carry: only the fields its purpose needs are
    decrypted (`models.disclosure`), the others stay None."""

    identity_number: str
    name: str | None


@dataclass(frozen=True)
class Recorded:
    """What an answer changed, for the journal (no personal data)."""

    reason: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Defer:
    """The agency needs something from us before it answers: wait for this instead."""

    wait: Wait
    deadline: datetime | None
    reason: str
    data: dict[str, Any]
    kind: Kind = Kind.AGENCY_ANSWER  # what the journal calls the request for more


class Step(Protocol[Body, Answer]):
    """One kind of agency request (see `services.agency_steps`)."""

    @property
    def subject(self) -> AgencySubject: ...

    def body(self, session: Session, case: Case, person: Personal, *, key: str,
             at: datetime) -> Body:
        """The wire request, built in the transaction that claims the request."""
        ...

    def submit(self, ports: Any, *, key: str, body: Body) -> SubmittedRequest: ...

    def poll(self, ports: Any, *, external_id: str) -> Answer | None:
        """The answer, or None while the agency is still on it."""
        ...

    def record(self, session: Session, case: Case, answer: Answer,
               *, at: datetime) -> Recorded | Defer:
        """Store what the answer says (in the answer's transaction)."""
        ...


@dataclass(frozen=True)
class Sent:
    external_id: str


@dataclass(frozen=True)
class AlreadySent:
    status: str


@dataclass(frozen=True)
class NeedsConsent:
    agency: str


SendResult = Sent | AlreadySent | NeedsConsent


@dataclass(frozen=True)
class Answered:
    pass


@dataclass(frozen=True)
class Pending:
    pass


@dataclass(frozen=True)
class Deferred:
    wait: Wait


@dataclass(frozen=True)
class NotSent:
    pass


Collected = Answered | Pending | Deferred | NotSent


def _fields(session: Session, case: Case, subject: AgencySubject) -> Fields:
    """The table's fields for this purpose and this person (protected: no name)."""
    person = session.get_one(Person, case.person_id)
    return fields_for(subject, protected=is_protected(person.protection_level))


def _personal(session: Session, rt: Runtime, case: Case, fields: Fields) -> Personal:
    person = session.get_one(Person, case.person_id)
    return Personal(identity_number=rt.cipher.decrypt(person.identity_enc),
                    name=rt.cipher.decrypt(person.name_enc) if "name" in fields else None)


def _refuse_for_guardians(session: Session, rt: Runtime, case: Case, subject: AgencySubject,
                         *, at: datetime) -> None:
    """A child's disclosure without every guardian's consent: refused, journaled once."""
    wait = minors.GUARDIANS_WAIT
    if waits.open_wait(session, case, wait, at=at, deadline=rt.deadline(wait.kind, at=at)):
        journal.journal(session, case, kind=Kind.DISCLOSURE_REFUSED, actor=SYSTEM, at=at,
                        reason=f"a child: the guardians' consent is not recorded; nothing "
                               f"disclosed to {subject.agency}",
                        data={"agency": subject.agency, "kind": subject.kind,
                              "missing": "guardians"})


def send(rt: Runtime, ports: Any, case_id: uuid.UUID, step: Step[Any, Any]) -> SendResult:
    """Send the step's request at most once (by key), with consent checked."""
    subject = step.subject
    key = requests.idempotency_key(case_id, subject)
    at = rt.now()
    with rt.uow() as session:
        case = cases.lock_case(session, case_id)
        fields = _fields(session, case, subject)
        if not cases.consent_given(session, case_id, subject.agency):
            if waits.open_wait(session, case, Wait.consent(subject.agency), at=at,
                               deadline=rt.deadline(Wait.consent(subject.agency).kind, at=at)):
                journal.journal(session, case, kind=Kind.DISCLOSURE_REFUSED, actor=SYSTEM, at=at,
                                reason=f"no recorded consent for {subject.agency}: "
                                       "nothing disclosed",
                                data={"agency": subject.agency, "kind": subject.kind})
            get_logger(case_number=case.case_number).warning(
                "agency.disclosure_refused", agency=subject.agency, request_kind=subject.kind)
            return NeedsConsent(subject.agency)
        if not minors.guardians_consent(session, case, rt.cipher, today=at.date()):
            _refuse_for_guardians(session, rt, case, subject, at=at)
            return NeedsConsent(subject.agency)
        request = requests.claim(session, case_id, subject, at=at)
        if request.status != RequestStatus.PENDING:
            return AlreadySent(request.status)
        if request.attempts == 0:
            journal.journal(session, case, kind=Kind.DISCLOSURE, actor=SYSTEM, at=at,
                            reason=f"{' and '.join(fields)} disclosed to {subject.agency} for "
                                   f"{subject.kind} (consent recorded)",
                            data={"agency": subject.agency, "kind": subject.kind,
                                  "idempotency_key": key, "fields": list(fields)})
        request.attempts += 1
        session.add(request)
        body = step.body(session, case, _personal(session, rt, case, fields), key=key, at=at)
        case_number = case.case_number
    try:
        submitted = step.submit(ports, key=key, body=body)
    except AgencyError as exc:
        with rt.uow() as session:
            row = requests.get(session, case_id, subject, lock=True)
            if row is not None:
                row.last_error = exc.reason[:500]
                session.add(row)
        raise
    at = rt.now()
    with rt.uow() as session:
        case = cases.lock_case(session, case_id)
        row = requests.get(session, case_id, subject, lock=True)
        if row is not None and row.status == RequestStatus.PENDING:
            row.status, row.external_id, row.sent_at = (RequestStatus.SENT,
                                                        submitted.request_id, at)
            row.last_error = None
            session.add(row)
            journal.journal(session, case, kind=Kind.AGENCY_REQUEST, actor=SYSTEM, at=at,
                            reason=f"{subject.kind} requested from {subject.agency}",
                            data={"agency": subject.agency, "kind": subject.kind,
                                  "idempotency_key": key, "external_id": submitted.request_id})
    get_logger(case_number=case_number).info(
        "agency.request_sent", agency=subject.agency, request_kind=subject.kind,
        created=submitted.created)
    return Sent(submitted.request_id)


def collect(rt: Runtime, ports: Any, case_id: uuid.UUID, step: Step[Any, Any]) -> Collected:
    """Fetch the answer to the step's request and record it once."""
    subject = step.subject
    with rt.uow() as session:
        request = requests.get(session, case_id, subject)
        if request is None or request.external_id is None:
            return NotSent()
        if request.status == RequestStatus.ANSWERED:
            return Answered()
        external_id = request.external_id
    answer = step.poll(ports, external_id=external_id)
    if answer is None:
        return Pending()
    at = rt.now()
    with rt.uow() as session:
        case = cases.lock_case(session, case_id)
        request = requests.get(session, case_id, subject, lock=True)
        if request is None or request.status == RequestStatus.ANSWERED:
            return Answered()
        outcome = step.record(session, case, answer, at=at)
        agency_wait = Wait.answer(subject)
        if isinstance(outcome, Defer):
            waits.close_wait(session, case, agency_wait, by=subject.agency, at=at,
                             answer={"deferred": outcome.wait.kind.value})
            if waits.open_wait(session, case, outcome.wait, at=at,
                               deadline=outcome.deadline or rt.deadline(outcome.wait.kind, at=at)):
                journal.journal(session, case, kind=outcome.kind, actor=subject.agency,
                                at=at, reason=outcome.reason,
                                data={"agency": subject.agency, "kind": subject.kind,
                                      **outcome.data})
            return Deferred(outcome.wait)
        request.status, request.answered_at = RequestStatus.ANSWERED, at
        session.add(request)
        journal.journal(session, case, kind=Kind.AGENCY_ANSWER, actor=subject.agency, at=at,
                        reason=outcome.reason,
                        data={"agency": subject.agency, "kind": subject.kind, **outcome.data})
        waits.close_wait(session, case, agency_wait, by=subject.agency, at=at,
                         answer={"answered": True})
        case_number = case.case_number
    get_logger(case_number=case_number).info("agency.answered", agency=subject.agency,
                                             request_kind=subject.kind)
    return Answered()


@dataclass(frozen=True)
class CollectReport:
    answered: frozenset[uuid.UUID]  # cases with something new to act on
    failed: int


def collect_open(rt: Runtime, ports: Any) -> CollectReport:
    """Collect every answer the agencies have ready for an open agency wait."""
    from services.agency_steps import step_for  # the table imports this module

    with rt.uow() as session:
        open_rows = waits.open_agency_waits(session)
    answered: set[uuid.UUID] = set()
    failed = 0
    for case_id, wait in open_rows:
        subject = wait.agency_subject
        if subject is None:
            continue
        try:
            outcome = collect(rt, ports, case_id, step_for(subject))
        except AgencyError:
            failed += 1
            continue
        if isinstance(outcome, Answered | Deferred):
            answered.add(case_id)
    return CollectReport(frozenset(answered), failed)
