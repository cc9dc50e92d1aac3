"""A relapse flag is for a human: notify social services, open a wait for their
individual assessment (continue / adjust the plan / end the support), record the answer.

Flags are an outbox: written by the sweep first, notified after. Every flag without
`notified_at` is (re)tried by the next sweep; the idempotency key `relapse-flag:<id>` is
derived from the flag's unique row, so a retry never notifies twice. Notification carries
no personal data (case number, register, kind, date) and needs a recorded consent to
social services, like every exchange. Nothing adverse happens automatically: the case
keeps its phase and status, the wait only asks for a decision.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import sqlalchemy as sa
from prefect import task
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from adapters import repo
from adapters.db import table as core_table
from adapters.db import unit_of_work
from adapters.errors import AgencyError, RetryableAgencyError
from adapters.logs import get_logger
from adapters.settings import get_settings
from adapters.social_services.port import SocialServicesPort
from adapters.social_services.schemas import RelapseNotification
from models.enums import WaitKind
from models.journal import Kind
from models.relapse import AssessmentDecision, RelapseFlag
from models.tables import Case, CaseWait
from tasks.cases import SYSTEM, now
from tasks.sweep_db import DB_TASK_OPTIONS

AGENCY = "social_services"


def notification_key(flag_id: int) -> str:
    return f"relapse-flag:{flag_id}"


def wait_subject(flag_id: int) -> str:
    return f"relapse-flag:{flag_id}"


class NotifyOutcome(dict[str, int]):
    pass


def _pending(limit: int) -> list[tuple[int, uuid.UUID]]:
    with unit_of_work() as session:
        rows = session.execute(
            sa.select(core_table(RelapseFlag).c.id, core_table(RelapseFlag).c.case_id)
            .where(core_table(RelapseFlag).c.notified_at.is_(None))
            .order_by(core_table(RelapseFlag).c.id).limit(limit)).all()
    return [(flag_id, case_id) for flag_id, case_id in rows]


def _notify_one(flag_id: int, social: SocialServicesPort) -> str:
    deadline_days = get_settings().relapse_assessment_deadline_days
    with unit_of_work() as session:
        flag = session.get(RelapseFlag, flag_id)
        assert flag is not None  # noqa: S101 - read from the table just before
        if flag.notified_at is not None:
            return "done"
        case = repo.get_case(session, flag.case_id)
        if not repo.consent_given(session, case.id, AGENCY):
            return "no_consent"
        at = now()
        notification = RelapseNotification(
            case_number=case.case_number, municipality_code=case.placing_municipality,
            flag_id=flag_id, register_name=flag.register_name,
            kind=flag.entry_kind,
            entry_date=flag.entry_date,
            assessment_deadline=(at + timedelta(days=deadline_days)).date())
    receipt = social.notify_relapse(idempotency_key=notification_key(flag_id),
                                    notification=notification)
    with unit_of_work() as session:
        flag = session.exec(select(RelapseFlag).where(col(RelapseFlag.id) == flag_id)
                            .with_for_update()).one()
        if flag.notified_at is not None:
            return "done"
        case = repo.get_case(session, flag.case_id, lock=True)
        at = now()
        flag.notified_at, flag.notification_id = at, receipt.notification_id
        session.add(flag)
        facts = {"flag_id": flag_id, "register": flag.register_name, "kind": flag.entry_kind,
                 "entry_date": flag.entry_date.isoformat()}
        repo.journal(session, case, kind=Kind.RELAPSE_NOTIFIED, actor=SYSTEM, at=at,
                     reason=f"social services notified of relapse flag {flag_id} "
                            f"({flag.entry_kind})",
                     data={**facts, "idempotency_key": notification_key(flag_id),
                           "notification_id": receipt.notification_id})
        _open_assessment_wait(session, case, flag_id=flag_id, at=at, days=deadline_days)
    get_logger(case_number=case.case_number).info("relapse.notified", flag_id=flag_id)
    return "notified"


def _open_assessment_wait(session: Session, case: Case, *, flag_id: int, at: datetime,
                          days: int) -> None:
    """Insert the wait without changing the case's status: waiting on an assessment is
    not a step back for the person."""
    table = core_table(CaseWait)
    opened = session.execute(
        insert(table).values(case_id=case.id, kind=WaitKind.RELAPSE_ASSESSMENT.value,
                             subject=wait_subject(flag_id), opened_at=at,
                             deadline=at + timedelta(days=days))
        .on_conflict_do_nothing(index_elements=["case_id", "kind", "subject"],
                                index_where=table.c.answered_at.is_(None))
        .returning(table.c.id)).first()
    if opened is not None:
        repo.journal(session, case, kind=Kind.WAIT_OPENED, actor=SYSTEM, at=at,
                     reason=f"waiting for relapse_assessment: {wait_subject(flag_id)}",
                     data={"wait_kind": WaitKind.RELAPSE_ASSESSMENT.value,
                           "subject": wait_subject(flag_id), "flag_id": flag_id})


@task(name="notify-relapses", **DB_TASK_OPTIONS)
def notify_relapses(social: SocialServicesPort, *, limit: int = 10_000) -> dict[str, int]:
    """Notify every flag not yet notified (this run's and earlier runs' leftovers)."""
    counts = {"notified": 0, "no_consent": 0, "failed": 0}
    retryable = False

    def one(flag_id: int) -> str:
        try:
            return _notify_one(flag_id, social)
        except RetryableAgencyError:
            return "retryable"
        except AgencyError:
            return "failed"

    # A few at a time: each is one HTTP call and two short transactions of its own.
    with ThreadPoolExecutor(max_workers=4) as pool:
        for outcome in pool.map(one, [flag_id for flag_id, _ in _pending(limit)]):
            retryable = retryable or outcome == "retryable"
            outcome = "failed" if outcome == "retryable" else outcome
            if outcome in counts:
                counts[outcome] += 1
    if retryable:
        raise RetryableAgencyError(agency=AGENCY,
                                   reason=f"{counts['failed']} relapse notifications failed")
    return counts


class AssessmentError(ValueError):
    pass


def record_assessment(case_ref: str, *, flag_id: int, decision: AssessmentDecision, by: str,
                      note: str = "") -> Case:
    """Social services' individual assessment of one flag: recorded once and journaled;
    the wait is closed. The decision is recorded only: acting on it is for people."""
    at = now()
    with unit_of_work() as session:
        found = repo.find_case(session, case_ref)
        case = repo.get_case(session, found.id, lock=True)
        flag = session.exec(select(RelapseFlag).where(
            col(RelapseFlag.id) == flag_id, col(RelapseFlag.case_id) == case.id)
            .with_for_update()).first()
        if flag is None:
            raise AssessmentError(f"flag: no relapse flag {flag_id} in case {case.case_number}")
        if flag.decision is not None:
            raise AssessmentError(f"flag: relapse flag {flag_id} was already assessed "
                                  f"({flag.decision} by {flag.decided_by})")
        flag.decision, flag.decided_by, flag.decided_at = decision.value, by, at
        session.add(flag)
        repo.journal(session, case, kind=Kind.RELAPSE_ASSESSED, actor=by, at=at,
                     reason=f"relapse flag {flag_id} assessed: {decision.value}",
                     data={"flag_id": flag_id, "decision": decision.value,
                           "note_given": bool(note)})
        wait = session.exec(select(CaseWait).where(
            CaseWait.case_id == case.id, CaseWait.kind == WaitKind.RELAPSE_ASSESSMENT.value,
            CaseWait.subject == wait_subject(flag_id), col(CaseWait.answered_at).is_(None))
            .with_for_update()).first()
        if wait is not None:
            wait.answered_at, wait.answered_by = at, by
            wait.answer = {"decision": decision.value, "note": note}
            session.add(wait)
            repo.journal(session, case, kind=Kind.WAIT_ANSWERED, actor=by, at=at,
                         reason=f"answered relapse_assessment: {wait_subject(flag_id)}",
                         data={"wait_kind": WaitKind.RELAPSE_ASSESSMENT.value,
                               "subject": wait_subject(flag_id)})
    return case
