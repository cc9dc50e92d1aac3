"""What a relapse assessment does (`services.relapse.record_assessment` calls `apply` in
its transaction), a closure that takes effect only when a second person confirms it, and
a handler's report of a relapse the registers do not show (substance abuse, lost
contact), which goes through the same assessment.

- `continue`: nothing more.
- `adjust_plan`: the action plan reopens as a new version (`services.plan_versions`).
- `end_support`: a closure with outcome `relapsed` is proposed and a second, different
  person is waited for (`closure_confirmation`); confirmed, the case closes
  (`services.closure.close_with_outcome`); declined, the case goes on.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from adapters.repositories import cases, journal, relapse, waits
from models.enums import CaseStatus, Outcome, WaitKind
from models.journal import Kind
from models.plan_tables import ClosureProposal
from models.relapse import ONGOING_PHASES, AssessmentDecision, RelapseFlag
from models.tables import Case
from models.waits import Wait
from services import closure, plan_versions
from services.runtime import Runtime

HANDLER_REPORT = "handler_report"


class ReportedRelapse(StrEnum):
    SUBSTANCE_ABUSE = "substance_abuse"
    LOST_CONTACT = "lost_contact"


class OutcomeError(ValueError):
    """The message names the field (`by: ...`, `case: ...`)."""


def apply(session: Session, case: Case, *, flag_id: int, decision: AssessmentDecision,
          by: str, at: datetime, deadline: datetime) -> None:
    """The effect of an assessment, in the assessment's own transaction."""
    if decision == AssessmentDecision.ADJUST_PLAN:
        plan_versions.open_revision(session, case, by=by, at=at, deadline=deadline,
                                    reason=f"relapse flag {flag_id} assessed: adjust the plan")
    elif decision == AssessmentDecision.END_SUPPORT:
        _propose(session, case, flag_id=flag_id, by=by, at=at, deadline=deadline)


def _propose(session: Session, case: Case, *, flag_id: int, by: str, at: datetime,
             deadline: datetime) -> None:
    row = session.execute(insert(ClosureProposal).values(
        case_id=case.id, flag_id=flag_id, outcome=Outcome.RELAPSED.value, proposed_by=by,
        proposed_at=at).on_conflict_do_nothing(
            index_elements=["case_id"], index_where=col(ClosureProposal.decided_at).is_(None))
        .returning(col(ClosureProposal.id))).first()
    if row is None:
        return  # a proposal is open already: one confirmation closes the case
    journal.journal(session, case, kind=Kind.CLOSURE_PROPOSED, actor=by, at=at,
                    reason=f"closure proposed (relapsed) after relapse flag {flag_id}; "
                           "a second person confirms",
                    data={"proposal_id": row[0], "flag_id": flag_id, "outcome": "relapsed"})
    waits.open_wait(session, case, Wait.of(WaitKind.CLOSURE_CONFIRMATION), at=at,
                    deadline=deadline, change_status=False)


@dataclass(frozen=True)
class ClosureDecided:
    case_number: str
    closed: bool


def decide_closure(rt: Runtime, case_ref: str | uuid.UUID, *, by: str,
                   confirm: bool) -> ClosureDecided:
    """The second person's answer to a proposed closure. Raises `OutcomeError` (nothing
    written) when none is open or `by` proposed it. Re-entrant: a closure whose case
    closed before its answer was recorded is finished by the repeat."""
    at = rt.now()
    with rt.uow() as session:
        case = cases.lock_case_ref(session, case_ref)
        proposal = session.exec(select(ClosureProposal).where(
            ClosureProposal.case_id == case.id, col(ClosureProposal.decided_at).is_(None))
            .with_for_update()).first()
        if proposal is None:
            raise OutcomeError(f"case: {case.case_number} has no closure waiting to be "
                               "confirmed")
        if proposal.proposed_by == by:
            raise OutcomeError("by: the person who proposed the closure cannot confirm it; "
                               "a second person must")
        already_closed = case.status == CaseStatus.CLOSED
        number, case_id = case.case_number, case.id
    if confirm and not already_closed:
        closure.close_with_outcome(rt, case_id, outcome=Outcome.RELAPSED, by=by)
    with rt.uow() as session:
        case = cases.lock_case(session, case_id)
        session.execute(sa.update(ClosureProposal).where(
            col(ClosureProposal.id) == proposal.id, col(ClosureProposal.decided_at).is_(None))
            .values(decided_by=by, decided_at=at, confirmed=confirm))
        answered = relapse.lock_open_wait(session, case_id,
                                          wait=Wait.of(WaitKind.CLOSURE_CONFIRMATION))
        if answered is not None:
            answered.answered_at, answered.answered_by = at, by
            answered.answer = {"confirmed": confirm}
            session.add(answered)
        if not confirm:
            journal.journal(session, case, kind=Kind.CLOSURE_DECLINED, actor=by, at=at,
                            reason="proposed closure declined by a second person; the "
                                   "support goes on",
                            data={"proposal_id": proposal.id})
    return ClosureDecided(number, confirm)


def report_relapse(rt: Runtime, case_ref: str | uuid.UUID, *, kind: ReportedRelapse,
                   on: date, by: str) -> int:
    """A handler's report: a relapse flag assessed like the registers' ones (its wait
    opened now; the coordinators are told by `services.relapse_events`). The same kind
    on the same day is one report (idempotent); returns the flag id."""
    at = rt.now()
    if on > at.date():
        raise OutcomeError("on: a relapse is reported after it happened, not in the future")
    with rt.uow() as session:
        case = cases.lock_case_ref(session, case_ref)
        if case.phase not in ONGOING_PHASES or case.status == CaseStatus.CLOSED:
            raise OutcomeError(f"case: {case.case_number} is not ongoing (admitted, not "
                               "closed)")
        entry = f"{kind.value}:{on.isoformat()}"
        found = session.exec(select(RelapseFlag.id).where(
            RelapseFlag.case_id == case.id, RelapseFlag.register_name == HANDLER_REPORT,
            RelapseFlag.entry_id == entry)).first()
        if found is not None:
            return int(found)
        flag = RelapseFlag(case_id=case.id, register_name=HANDLER_REPORT, entry_id=entry,
                           entry_kind=kind.value, entry_date=on, found_at=at,
                           sweep_run=f"reported by {by}"[:200], notified_at=at,
                           notification_id="handler-report")
        session.add(flag)
        session.flush()
        assert flag.id is not None  # noqa: S101 - flushed
        journal.journal(session, case, kind=Kind.RELAPSE_REPORTED, actor=by, at=at,
                        reason=f"relapse reported by a handler: {kind.value}",
                        data={"flag_id": flag.id, "kind": kind.value,
                              "entry_date": on.isoformat()})
        relapse.open_assessment_waits(session, [(case.id, flag.id)], at=at,
                                      deadline=rt.deadline(WaitKind.RELAPSE_ASSESSMENT, at=at))
        return flag.id
