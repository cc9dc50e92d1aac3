"""Closing a case with an outcome, the follow-up indicators, and reopening.

Closure and reopening are transitions (journaled in the same transaction), so the
journal keeps both and `models.journal.replay` rebuilds the case either way. Closing
cancels every open wait (each journaled): a closed case waits for nothing, and nothing
about it turns overdue. Reopening goes back to where the case was: a case never
admitted reopens into screening (before; the criteria that did not hold are asked
again), an admitted one into the during phase with the next version of its action plan
as a draft (`services.plan_versions`, as a relapse assessment's `adjust_plan` opens it),
which is approved like the first before the case moves on (`docs/process.md`).
"""

from __future__ import annotations

import uuid

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select

from adapters.repositories import answers, cases, journal, waits
from models.during_tables import OutcomeIndicator
from models.enums import CaseStatus, Outcome, Phase, WaitKind
from models.journal import Kind
from models.tables import Case
from services import person_keys, plan_versions
from services.runtime import Runtime

CLOSURE_OUTCOMES = (Outcome.COMPLETED, Outcome.DROPPED_OUT, Outcome.RELAPSED,
                    Outcome.MOVED_ABROAD, Outcome.DECEASED, Outcome.OTHER)
INDICATOR_MONTHS = (6, 12, 24)


class ClosureError(ValueError):
    pass


def close_with_outcome(rt: Runtime, case_ref: str | uuid.UUID, *, outcome: Outcome,
                       by: str) -> Case:
    if outcome not in CLOSURE_OUTCOMES:
        raise ClosureError("outcome: one of " + ", ".join(o.value for o in CLOSURE_OUTCOMES))
    at = rt.now()
    with rt.uow() as session:
        case = cases.lock_case_ref(session, case_ref)
        if case.status == CaseStatus.CLOSED:
            raise ClosureError(f"case: {case.case_number} is already closed")
        if case.phase == Phase.BEFORE:
            raise ClosureError(f"case: {case.case_number} was never admitted")
        waits.cancel_open(session, case, by=by, at=at, reason="case closed")
        journal.transition(session, case, kind=Kind.CLOSED, actor=by, at=at, phase=Phase.AFTER,
                           status=CaseStatus.CLOSED, reason=f"closed: {outcome.value}",
                           data={"outcome": outcome.value})
    return case


def reopen(rt: Runtime, case_ref: str | uuid.UUID, *, by: str, reason: str) -> Case:
    """Reopen a closed case where it belongs (module docstring); the earlier closure
    stays in the journal. `ClosureError` for a case that is not closed."""
    at = rt.now()
    with rt.uow() as session:
        case = cases.lock_case_ref(session, case_ref)
        if case.status != CaseStatus.CLOSED:
            raise ClosureError(f"case: {case.case_number} is not closed")
        previous = case.outcome
        # Sealed first: fetching the person's key flushes, and the case is mid-change below.
        sealed = person_keys.sealer(session, rt.cipher, case.person_id, at=at)(reason)
        admitted = journal.has_entry(session, case.id, Kind.ADMITTED)
        failed = [] if admitted else answers.clear_not_holding(session, case.id)
        case.closed_at, case.outcome = None, None
        if not admitted:
            journal.transition(session, case, kind=Kind.REOPENED, actor=by, at=at,
                               phase=Phase.BEFORE, status=CaseStatus.OPEN,
                               reason="reopened into screening",
                               data={"previous_outcome": previous, "asked_again": failed,
                                     "reason_enc": sealed.decode()})
            return case
        journal.transition(session, case, kind=Kind.REOPENED, actor=by, at=at,
                           phase=Phase.DURING, status=CaseStatus.OPEN,
                           reason="reopened in the during phase", data={
                               "previous_outcome": previous,
                               "reason_enc": sealed.decode()})
        # The plan's next version, as an assessment's `adjust_plan` opens it; the case
        # waits for its approval (none when the plan was never approved: the first is).
        plan_versions.open_revision(session, case, reason="reopened", by=by, at=at,
                                    deadline=rt.deadline(WaitKind.ACTION_PLAN, at=at),
                                    change_status=True)
    return case


def record_indicators(rt: Runtime, case_ref: str | uuid.UUID, *, months: int,
                      stable_housing: bool, occupation: bool, no_new_crime: bool,
                      by: str) -> None:
    if months not in INDICATOR_MONTHS:
        raise ClosureError("months: one of 6, 12, 24")
    at = rt.now()
    values = {"stable_housing": stable_housing, "occupation": occupation,
              "no_new_crime": no_new_crime, "recorded_by": by, "recorded_at": at}
    with rt.uow() as session:
        case = cases.lock_case_ref(session, case_ref)
        session.execute(insert(OutcomeIndicator).values(case_id=case.id, months=months, **values)
                        .on_conflict_do_update(index_elements=["case_id", "months"], set_=values))
        journal.journal(session, case, kind=Kind.INDICATORS, actor=by, at=at,
                        reason=f"follow-up at {months} months recorded",
                        data={"months": months, "stable_housing": stable_housing,
                              "occupation": occupation, "no_new_crime": no_new_crime})


def indicators(rt: Runtime, case_id: uuid.UUID) -> list[OutcomeIndicator]:
    with rt.uow() as session:
        return list(session.exec(select(OutcomeIndicator).where(
            OutcomeIndicator.case_id == case_id).order_by(col(OutcomeIndicator.months))))
