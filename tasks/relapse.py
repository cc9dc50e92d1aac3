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
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa
from prefect import task
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select

from adapters import repo
from adapters.db import table as core_table
from adapters.db import unit_of_work
from adapters.errors import AgencyError, RetryableAgencyError
from adapters.logs import get_logger
from adapters.settings import get_settings
from adapters.social_services.port import SocialServicesPort
from adapters.social_services.schemas import (
    MAX_NOTIFICATIONS_PER_BATCH,
    RelapseNotification,
    RelapseNotificationReceipt,
)
from models.enums import WaitKind
from models.journal import Kind
from models.relapse import AssessmentDecision, RelapseFlag
from models.tables import Case, CaseWait, JournalEntry
from tasks.cases import SYSTEM, now
from tasks.sweep_db import DB_TASK_OPTIONS

AGENCY = "social_services"


def notification_key(flag_id: int) -> str:
    return f"relapse-flag:{flag_id}"


def wait_subject(flag_id: int) -> str:
    return f"relapse-flag:{flag_id}"


class _Pending(NamedTuple):
    """One row of ``_PENDING``, in its column order."""

    flag_id: int
    case_id: uuid.UUID
    register: str
    kind: str
    entry_date: date
    case_number: str
    municipality: str
    consent: bool


_PENDING = sa.text("""
SELECT f.id, f.case_id, f.register, f.entry_kind, f.entry_date, c.case_number,
       c.placing_municipality,
       coalesce((SELECT co.state = 'given' FROM consent co
                 WHERE co.case_id = f.case_id AND co.agency = :agency
                 ORDER BY co.id DESC LIMIT 1), false) AS consent
FROM relapse_flag f JOIN "case" c ON c.id = f.case_id
WHERE f.notified_at IS NULL
ORDER BY f.id LIMIT :n
""")

# Cases locked in id order (two sweeps never deadlock), then only the flags still not
# notified are marked: a flag notified meanwhile by another sweep is journaled by it alone.
_LOCK_CASES = sa.text("""
SELECT id, phase, status FROM "case" WHERE id = ANY(CAST(:ids AS uuid[]))
ORDER BY id FOR UPDATE
""")
_MARK_NOTIFIED = sa.text("""
UPDATE relapse_flag f SET notified_at = :at, notification_id = u.notification_id
FROM unnest(CAST(:ids AS bigint[]), CAST(:notification_ids AS text[]))
     AS u(id, notification_id)
WHERE f.id = u.id AND f.notified_at IS NULL
RETURNING f.id, f.case_id, f.register, f.entry_kind, f.entry_date, f.notification_id
""")


def _pending(limit: int) -> list[_Pending]:
    with unit_of_work() as session:
        rows = session.execute(_PENDING, {"agency": AGENCY, "n": limit}).all()
    return [_Pending(*row) for row in rows]


def _notification(flag: _Pending, *, at: datetime, days: int) -> RelapseNotification:
    return RelapseNotification.model_validate({
        "idempotency_key": notification_key(flag.flag_id),
        "case_number": flag.case_number, "municipality_code": flag.municipality,
        "flag_id": flag.flag_id, "register_name": flag.register, "kind": flag.kind,
        "entry_date": flag.entry_date,
        "assessment_deadline": (at + timedelta(days=days)).date()})


def _journal_row(case: Any, *, kind: Kind, at: datetime, reason: str,
                 data: dict[str, Any]) -> dict[str, Any]:
    return {"case_id": case.id, "at": at, "actor": SYSTEM, "kind": kind.value,
            "phase": case.phase, "status": case.status, "reason": reason, "data": data}


def _record_notified(receipts: dict[int, RelapseNotificationReceipt],
                     case_ids: set[uuid.UUID], *, days: int) -> int:
    """Mark the notified flags, journal each and open its assessment wait: one
    transaction for all of them."""
    at = now()
    waits = core_table(CaseWait)
    with unit_of_work() as session:
        cases = {row.id: row for row in session.execute(
            _LOCK_CASES, {"ids": sorted(case_ids)}).all()}
        marked = session.execute(_MARK_NOTIFIED, {
            "at": at, "ids": list(receipts),
            "notification_ids": [r.notification_id for r in receipts.values()]}).all()
        if not marked:
            return 0
        entries = [_journal_row(
            cases[flag.case_id], kind=Kind.RELAPSE_NOTIFIED, at=at,
            reason=f"social services notified of relapse flag {flag.id} ({flag.entry_kind})",
            data={"flag_id": flag.id, "register": flag.register, "kind": flag.entry_kind,
                  "entry_date": flag.entry_date.isoformat(),
                  "idempotency_key": notification_key(flag.id),
                  "notification_id": flag.notification_id}) for flag in marked]
        # The wait is inserted without changing the case's status: waiting on an
        # assessment is not a step back for the person.
        opened = session.execute(
            insert(waits).values([
                {"case_id": flag.case_id, "kind": WaitKind.RELAPSE_ASSESSMENT.value,
                 "subject": wait_subject(flag.id), "opened_at": at,
                 "deadline": at + timedelta(days=days)} for flag in marked])
            .on_conflict_do_nothing(index_elements=["case_id", "kind", "subject"],
                                    index_where=waits.c.answered_at.is_(None))
            .returning(waits.c.case_id, waits.c.subject)).all()
        flag_of = {wait_subject(flag.id): flag.id for flag in marked}
        entries += [_journal_row(
            cases[case_id], kind=Kind.WAIT_OPENED, at=at,
            reason=f"waiting for relapse_assessment: {subject}",
            data={"wait_kind": WaitKind.RELAPSE_ASSESSMENT.value, "subject": subject,
                  "flag_id": flag_of[subject]}) for case_id, subject in opened]
        session.execute(insert(core_table(JournalEntry)).values(entries))
    return len(marked)


@task(name="notify-relapses", **DB_TASK_OPTIONS)
def notify_relapses(social: SocialServicesPort, *, limit: int = 10_000) -> dict[str, int]:
    """Notify every flag not yet notified (this run's and earlier runs' leftovers): one
    read, the notifications in batches of ``MAX_NOTIFICATIONS_PER_BATCH`` (one HTTP call
    each; each notification's idempotency key makes a repeat harmless), then one
    transaction recording what was notified. A batch that fails leaves its flags for
    the retry or the next sweep."""
    days = get_settings().relapse_assessment_deadline_days
    counts = {"notified": 0, "no_consent": 0, "failed": 0}
    pending = _pending(limit)
    to_send = [flag for flag in pending if flag.consent]
    counts["no_consent"] = len(pending) - len(to_send)
    at = now()
    receipts: dict[int, RelapseNotificationReceipt] = {}
    retryable = False
    for i in range(0, len(to_send), MAX_NOTIFICATIONS_PER_BATCH):
        batch = to_send[i:i + MAX_NOTIFICATIONS_PER_BATCH]
        try:
            answered = social.notify_relapses(
                notifications=[_notification(flag, at=at, days=days) for flag in batch])
        except AgencyError as exc:
            retryable = retryable or isinstance(exc, RetryableAgencyError)
            counts["failed"] += len(batch)
            continue
        by_key = {receipt.idempotency_key: receipt for receipt in answered}
        for flag in batch:
            receipt = by_key.get(notification_key(flag.flag_id))
            if receipt is None:
                counts["failed"] += 1
            else:
                receipts[flag.flag_id] = receipt
    if receipts:
        counts["notified"] = _record_notified(
            receipts, {f.case_id for f in to_send if f.flag_id in receipts}, days=days)
    get_logger().info("relapse.notified", **counts)
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
