"""Requests to agencies and their answers: one side effect per task.

Every write to an agency carries an idempotency key derived from the case and the
purpose (never the attempt), stored under a unique constraint before the call:
a Prefect retry, a rerun after a crash, or a second flow run all send the same
key, and the agency (simulator) gives back the same resource. Personal data is
disclosed only with recorded consent for that agency; disclosures and refusals
are journaled. Transient agency errors are retried here, with backoff and
jitter; permanent ones are not.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, ParamSpec, TypeVar

from prefect import Task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import select

from adapters import repo
from adapters.common import Subject, SubmittedRequest
from adapters.db import unit_of_work
from adapters.errors import AgencyError, RetryableAgencyError
from adapters.logs import get_logger
from adapters.settings import get_settings
from adapters.vault import get_cipher
from models.enums import RequestStatus, WaitKind
from models.journal import Kind
from models.tables import AgencyRequest, Case, Person
from tasks.cases import SYSTEM, now
from tasks.waits import close_wait_in, open_wait_in

SendOutcome = Literal["sent", "needs_consent"]
P = ParamSpec("P")
R = TypeVar("R")


def retry_transient_only(task: Task[Any, Any], task_run: TaskRun, state: State[Any]) -> bool:
    try:
        state.result()
    except RetryableAgencyError:
        return True
    except Exception:  # noqa: BLE001 - anything else is permanent: do not retry
        return False
    return False


AGENCY_TASK_OPTIONS: dict[str, Any] = {
    "retries": 4,
    "retry_delay_seconds": [1, 2, 4, 8],
    "retry_jitter_factor": 0.5,
    "retry_condition_fn": retry_transient_only,
    "cache_policy": NO_CACHE,
    "persist_result": False,
}


def with_retry_settings(agency_task: Task[P, R]) -> Task[P, R]:
    """The task with the configured retry delays (read at run time, not import)."""
    delays = get_settings().agency_retry_delays
    return agency_task.with_options(retries=len(delays), retry_delay_seconds=delays)


def idempotency_key(case_id: uuid.UUID, *, agency: str, kind: str) -> str:
    return f"{case_id}:{agency}:{kind}"


@dataclass(frozen=True)
class Disclosure:
    key: str
    case_number: str
    municipality: str
    milieu: str
    subject: Subject


Submit = Callable[[Disclosure], SubmittedRequest]


IDENTITY = ("identity_number", "name")


def send_request(case_id: uuid.UUID, *, agency: str, kind: str, submit: Submit,
                 fields: tuple[str, ...] = IDENTITY) -> SendOutcome:
    """Send one request to an agency at most once (by key), with consent checked.
    `fields`: the personal data `submit` sends, as journaled in the disclosure."""
    key = idempotency_key(case_id, agency=agency, kind=kind)
    prepared = _prepare(case_id, agency=agency, kind=kind, key=key, fields=fields)
    if prepared is None or isinstance(prepared, str):
        return "needs_consent" if prepared is None else "sent"
    try:
        submitted = submit(prepared)
    except AgencyError as exc:
        _record_error(key, exc.reason)
        raise
    at = now()
    with unit_of_work() as session:
        request = session.exec(
            select(AgencyRequest).where(AgencyRequest.idempotency_key == key).with_for_update()
        ).one()
        if request.status == RequestStatus.PENDING:
            request.status, request.external_id, request.sent_at = (
                RequestStatus.SENT, submitted.request_id, at)
            request.last_error = None
            session.add(request)
            case = repo.get_case(session, case_id, lock=True)
            repo.journal(session, case, kind=Kind.AGENCY_REQUEST, actor=SYSTEM, at=at,
                         reason=f"{kind} requested from {agency}",
                         data={"agency": agency, "kind": kind, "idempotency_key": key,
                               "external_id": submitted.request_id})
    get_logger(case_number=prepared.case_number).info(
        "agency.request_sent", agency=agency, request_kind=kind, created=submitted.created)
    return "sent"


def _prepare(case_id: uuid.UUID, *, agency: str, kind: str, key: str,
             fields: tuple[str, ...] = IDENTITY) -> Disclosure | str | None:
    """Check consent, claim the request row and journal the disclosure, in one
    transaction. None: no consent; a string: already sent; else what to send."""
    at = now()
    with unit_of_work() as session:
        case = repo.get_case(session, case_id, lock=True)
        if not repo.consent_given(session, case_id, agency):
            opened = open_wait_in(session, case, kind=WaitKind.CONSENT, subject=agency, at=at)
            if opened:
                repo.journal(session, case, kind=Kind.DISCLOSURE_REFUSED, actor=SYSTEM, at=at,
                             reason=f"no recorded consent for {agency}: nothing disclosed",
                             data={"agency": agency, "kind": kind})
            get_logger(case_number=case.case_number).warning(
                "agency.disclosure_refused", agency=agency, request_kind=kind)
            return None
        session.execute(
            insert(AgencyRequest)
            .values(case_id=case_id, agency=agency, kind=kind, idempotency_key=key,
                    status=RequestStatus.PENDING, created_at=at)
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
        )
        request = session.exec(
            select(AgencyRequest).where(AgencyRequest.idempotency_key == key)
        ).one()
        if request.status != RequestStatus.PENDING:
            return request.status
        if request.attempts == 0:
            what = "identity" if fields == IDENTITY else " and ".join(fields)
            repo.journal(session, case, kind=Kind.DISCLOSURE, actor=SYSTEM, at=at,
                         reason=f"{what} disclosed to {agency} for {kind} (consent recorded)",
                         data={"agency": agency, "kind": kind, "idempotency_key": key,
                               "fields": list(fields)})
        request.attempts += 1
        session.add(request)
        return Disclosure(key=key, case_number=case.case_number,
                          municipality=case.placing_municipality, milieu=case.milieu,
                          subject=_subject(session, case))


def _subject(session: Any, case: Case) -> Subject:
    person = session.exec(select(Person).where(Person.id == case.person_id)).one()
    cipher = get_cipher()
    return Subject(identity_number=cipher.decrypt(person.identity_enc),
                   name=cipher.decrypt(person.name_enc))


def _record_error(key: str, reason: str) -> None:
    with unit_of_work() as session:
        request = session.exec(
            select(AgencyRequest).where(AgencyRequest.idempotency_key == key)
        ).one()
        request.last_error = reason[:500]
        session.add(request)


def sent_request(case_id: uuid.UUID, *, agency: str, kind: str) -> AgencyRequest | None:
    key = idempotency_key(case_id, agency=agency, kind=kind)
    with unit_of_work() as session:
        return session.exec(
            select(AgencyRequest).where(AgencyRequest.idempotency_key == key)
        ).first()


def mark_answered(session: Any, case: Case, *, agency: str, kind: str, reason: str,
                  data: dict[str, Any] | None = None) -> bool:
    """Mark the request answered and close its wait; False if already answered."""
    at = now()
    key = idempotency_key(case.id, agency=agency, kind=kind)
    request = session.exec(
        select(AgencyRequest).where(AgencyRequest.idempotency_key == key).with_for_update()
    ).one()
    if request.status == RequestStatus.ANSWERED:
        return False
    request.status, request.answered_at = RequestStatus.ANSWERED, at
    session.add(request)
    repo.journal(session, case, kind=Kind.AGENCY_ANSWER, actor=agency, at=at, reason=reason,
                 data={"agency": agency, "kind": kind, **(data or {})})
    close_wait_in(session, case, kind=WaitKind.AGENCY_ANSWER, subject=f"{agency}:{kind}",
                  by=agency, at=at, answer={"answered": True})
    return True

