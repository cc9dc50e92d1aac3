"""A relapse flag is for a human: notify the social services of the municipality
responsible for the case (`services.responsibility`), open a wait for their
individual assessment (continue / adjust the plan / end the support), record the
answer.

Flags are an outbox: written by the sweep first, notified after. Every flag without
`notified_at` is (re)tried by the next sweep; the idempotency key `relapse-flag:<id>` is
derived from the flag's unique row, so a retry never notifies twice. A notification
carries no personal data (case number, register, kind, date) and needs a recorded
consent to social services, like every exchange. Nothing adverse happens automatically:
the case keeps its phase and status, the wait only asks for a decision.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adapters.errors import AgencyError, RetryableAgencyError
from adapters.logs import get_logger
from adapters.repositories import cases, journal, relapse
from adapters.repositories.sweep import journal_rows
from adapters.social_services.port import SocialServicesPort
from adapters.social_services.schemas import (
    MAX_NOTIFICATIONS_PER_BATCH,
    RelapseNotification,
    RelapseNotificationReceipt,
)
from models.enums import WaitKind
from models.journal import Kind
from models.relapse import AssessmentDecision
from models.waits import Wait
from services import person_keys, relapse_outcomes
from services.responsibility import responsible_for
from services.runtime import Runtime

AGENCY = "social_services"
SYSTEM = "utvag"


def notification_key(flag_id: int) -> str:
    return f"relapse-flag:{flag_id}"


@dataclass(frozen=True)
class Notified:
    """What one pass over the outbox did: counts only."""

    notified: int = 0
    no_consent: int = 0  # flags whose case has no consent to social services: kept
    failed: int = 0  # left for the retry or the next sweep


def _notification(flag: relapse.PendingFlag, *, key: str,
                  deadline: datetime) -> RelapseNotification:
    return RelapseNotification.model_validate({
        "idempotency_key": key, "case_number": flag.case_number,
        "municipality_code": flag.municipality, "flag_id": flag.flag_id,
        "register_name": flag.register, "kind": flag.kind, "entry_date": flag.entry_date,
        "assessment_deadline": deadline.date()})


def notify_relapses(rt: Runtime, social: SocialServicesPort, *,
                    limit: int = 10_000) -> Notified:
    """Notify every flag not yet notified (this run's and earlier runs' leftovers): one
    read, the notifications in batches of `MAX_NOTIFICATIONS_PER_BATCH` (one call each;
    each notification's idempotency key makes a repeat harmless), then one transaction
    recording what was notified. A batch that fails leaves its flags for the retry or
    the next sweep; raises `RetryableAgencyError` after recording the rest when a
    batch failed in a way that may pass."""
    at = rt.now()
    with rt.uow() as session:
        pending = relapse.pending(session, agency=AGENCY, limit=limit)
        # The notification goes to the municipality responsible for the case today
        # (the receiving one once a transfer took effect), not the one that placed it.
        responsible = responsible_for(session, rt.cipher, {
            f.case_id: f.municipality for f in pending}, on=at.date())
    to_send = [flag._replace(municipality=responsible[flag.case_id])
               for flag in pending if flag.consent]
    deadline = rt.deadline(WaitKind.RELAPSE_ASSESSMENT, at=at)
    receipts: dict[int, RelapseNotificationReceipt] = {}
    failed, retryable = 0, False
    for i in range(0, len(to_send), MAX_NOTIFICATIONS_PER_BATCH):
        batch = to_send[i:i + MAX_NOTIFICATIONS_PER_BATCH]
        try:
            answered = social.notify_relapses(notifications=[
                _notification(flag, key=notification_key(flag.flag_id), deadline=deadline)
                for flag in batch])
        except AgencyError as exc:
            retryable = retryable or isinstance(exc, RetryableAgencyError)
            failed += len(batch)
            continue
        by_key = {receipt.idempotency_key: receipt for receipt in answered}
        for flag in batch:
            receipt = by_key.get(notification_key(flag.flag_id))
            if receipt is None:
                failed += 1
            else:
                receipts[flag.flag_id] = receipt
    notified = _record_notified(rt, receipts, case_ids=[
        f.case_id for f in to_send if f.flag_id in receipts]) if receipts else 0
    counts = Notified(notified=notified, no_consent=len(pending) - len(to_send), failed=failed)
    get_logger().info("relapse.notified", notified=counts.notified,
                      no_consent=counts.no_consent, failed=counts.failed)
    if retryable:
        raise RetryableAgencyError(agency=AGENCY,
                                   reason=f"{failed} relapse notifications failed")
    return counts


def _entry(case: Any, *, kind: Kind, at: datetime, reason: str,
           data: dict[str, Any]) -> dict[str, Any]:
    return {"case_id": case.id, "at": at, "actor": SYSTEM, "kind": kind.value,
            "phase": case.phase, "status": case.status, "reason": reason, "data": data}


def _record_notified(rt: Runtime, receipts: dict[int, RelapseNotificationReceipt], *,
                     case_ids: Sequence[uuid.UUID]) -> int:
    """Mark the notified flags, journal each and open its assessment wait: one
    transaction for all of them."""
    at = rt.now()
    with rt.uow() as session:
        locked = relapse.lock_cases(session, case_ids)
        marked = relapse.mark_notified(
            session, {flag_id: r.notification_id for flag_id, r in receipts.items()}, at=at)
        if not marked:
            return 0
        entries = [_entry(
            locked[flag.case_id], kind=Kind.RELAPSE_NOTIFIED, at=at,
            reason=f"social services notified of relapse flag {flag.id} ({flag.entry_kind})",
            data={"flag_id": flag.id, "register": flag.register, "kind": flag.entry_kind,
                  "entry_date": flag.entry_date.isoformat(),
                  "idempotency_key": notification_key(flag.id),
                  "notification_id": flag.notification_id}) for flag in marked]
        opened = relapse.open_assessment_waits(
            session, [(flag.case_id, flag.id) for flag in marked], at=at,
            deadline=rt.deadline(WaitKind.RELAPSE_ASSESSMENT, at=at))
        flag_of = {Wait.relapse_assessment(flag.id).subject: flag.id for flag in marked}
        entries += [_entry(
            locked[case_id], kind=Kind.WAIT_OPENED, at=at,
            reason=f"waiting for {WaitKind.RELAPSE_ASSESSMENT.value}: {subject}",
            data={"wait_kind": WaitKind.RELAPSE_ASSESSMENT.value, "subject": subject,
                  "flag_id": flag_of[subject]}) for case_id, subject in opened]
        journal_rows(session, entries)
    return len(marked)


class AssessmentError(ValueError):
    """The assessment cannot be recorded; the message names the field (`flag: ...`)."""


@dataclass(frozen=True)
class Assessed:
    case_number: str
    flag_id: int
    decision: AssessmentDecision


def record_assessment(rt: Runtime, case_ref: str, *, flag_id: int,
                      decision: AssessmentDecision, by: str, note: str = "") -> Assessed:
    """Social services' individual assessment of one flag: recorded once and journaled;
    the wait is closed. Its effect (`services.relapse_outcomes.apply`) is part of the
    same transaction: a plan revision or a proposed closure; the case keeps its phase
    and status. Raises `AssessmentError` (nothing written) for
    an unknown flag or one already assessed, `cases.CaseNotFound` for an unknown case."""
    at = rt.now()
    wait = Wait.relapse_assessment(flag_id)
    with rt.uow() as session:
        case = cases.lock_case_ref(session, case_ref)
        flag = relapse.lock_flag(session, case.id, flag_id=flag_id)
        if flag is None:
            raise AssessmentError(f"flag: no relapse flag {flag_id} in case {case.case_number}")
        if flag.decision is not None:
            raise AssessmentError(f"flag: relapse flag {flag_id} was already assessed "
                                  f"({flag.decision} by {flag.decided_by})")
        flag.decision, flag.decided_by, flag.decided_at = decision.value, by, at
        session.add(flag)
        journal.journal(session, case, kind=Kind.RELAPSE_ASSESSED, actor=by, at=at,
                        reason=f"relapse flag {flag_id} assessed: {decision.value}",
                        data={"flag_id": flag_id, "decision": decision.value,
                              "note_given": bool(note)})
        # The decision's effect, in the same transaction (docs/plan-and-people.md).
        relapse_outcomes.apply(session, case, flag_id=flag_id, decision=decision, by=by,
                               at=at, deadline=rt.deadline(WaitKind.ACTION_PLAN, at=at))
        row = relapse.lock_open_wait(session, case.id, wait=wait)
        if row is not None:
            # Answered without `waits.close_wait`: that moves the case's status, and an
            # assessment is not a step in the case's own flow.
            row.answered_at, row.answered_by = at, by
            seal = person_keys.sealer(session, rt.cipher, case.person_id, at=at)
            row.answer = {"decision": decision.value, "note_enc": seal(note).decode()}
            session.add(row)
            journal.journal(session, case, kind=Kind.WAIT_ANSWERED, actor=by, at=at,
                            reason=f"answered {wait.kind.value}: {wait.subject}",
                            data={"wait_kind": wait.kind.value, "subject": wait.subject})
    return Assessed(case.case_number, flag_id, decision)
