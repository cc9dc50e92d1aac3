"""Versions of a case's action plan, the one record of whether the plan stands approved
(`services.snapshot` reads the latest version's status). The first approval makes
version 1; a relapse assessment's `adjust_plan`, or reopening an admitted case
(`services.closure.reopen`), opens the next version as a draft (the approved one stays, as
it was, in `plan_version`) and an action-plan wait; approving the plan (the same
`services.action_plan.approve_plan` as the first time) approves the draft. Runs inside
the caller's transaction: the assessment and its effect are one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from adapters.repositories import journal, waits
from models.during_tables import Intervention
from models.enums import WaitKind
from models.journal import Kind
from models.plan_tables import PlanVersion
from models.tables import Case
from models.waits import Wait
from services.runtime import Runtime


@dataclass(frozen=True)
class Version:
    version: int
    status: str
    reason: str
    intervention_ids: list[int]
    cost_sek: int | None
    approved_by: str | None


def _latest(session: Session, case_id: uuid.UUID) -> PlanVersion | None:
    return session.exec(select(PlanVersion).where(PlanVersion.case_id == case_id)
                        .order_by(col(PlanVersion.version).desc()).with_for_update()).first()


def _snapshot(session: Session, case_id: uuid.UUID) -> tuple[list[int], int]:
    rows = session.exec(select(Intervention.id, Intervention.cost_sek).where(
        Intervention.case_id == case_id).order_by(col(Intervention.id))).all()
    return [int(i) for i, _ in rows if i is not None], sum(c for _, c in rows)


def on_approved(session: Session, case: Case, *, by: str, at: datetime) -> int:
    """The plan was approved: approve the open draft, or record version 1 when the case
    has none. Returns the version approved."""
    from services.plan_delivery import check_agreed  # it imports the agency step

    check_agreed(session, case)
    latest = _latest(session, case.id)
    ids, cost = _snapshot(session, case.id)
    if latest is not None and latest.status == "draft":
        latest.status, latest.approved_by, latest.approved_at = "approved", by, at
        latest.intervention_ids, latest.cost_sek = ids, cost
        session.add(latest)
        return latest.version
    version = 1 if latest is None else latest.version + 1
    session.add(PlanVersion(case_id=case.id, version=version, status="approved",
                            reason="first plan" if latest is None else "approved again",
                            opened_by=by, opened_at=at, intervention_ids=ids, cost_sek=cost,
                            approved_by=by, approved_at=at))
    return version


def open_revision(session: Session, case: Case, *, reason: str, by: str, at: datetime,
                  deadline: datetime, change_status: bool = False) -> int | None:
    """Open the next version as a draft and wait for its approval; None when a draft is
    open already or the plan was never approved (its first approval is still awaited).
    The case keeps its status (a revision is not a step back in its own flow) unless
    `change_status`: a reopened case stands at its plan."""
    latest = _latest(session, case.id)
    if latest is None or latest.status == "draft":
        return None
    draft = PlanVersion(case_id=case.id, version=latest.version + 1, status="draft",
                        reason=reason[:500], opened_by=by, opened_at=at,
                        intervention_ids=list(latest.intervention_ids))
    session.add(draft)
    session.flush()
    journal.journal(session, case, kind=Kind.PLAN_REVISED, actor=by, at=at,
                    reason=f"action plan reopened as version {draft.version}: {reason}",
                    data={"version": draft.version, "previous": latest.version})
    waits.open_wait(session, case, Wait.of(WaitKind.ACTION_PLAN), at=at, deadline=deadline,
                    change_status=change_status)
    return draft.version


def history(rt: Runtime, case_id: uuid.UUID) -> list[Version]:
    with rt.uow() as session:
        rows = session.exec(select(PlanVersion).where(PlanVersion.case_id == case_id)
                            .order_by(col(PlanVersion.version))).all()
        return [Version(r.version, r.status, r.reason, list(r.intervention_ids), r.cost_sek,
                        r.approved_by) for r in rows]
