"""The after phase: relapse assessments, follow-up indicators, closing and reopening."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from caseservice.deps import Actor, CaseRef
from caseservice.errors import refused
from caseservice.recording import Done
from models.enums import Outcome
from models.relapse import AssessmentDecision
from services import closure
from services.access.policy import Action
from services.closure import ClosureError
from services.relapse import AssessmentError, record_assessment

router = APIRouter(tags=["after"])
ClosureOutcome = Literal["completed", "dropped_out", "relapsed", "moved_abroad", "deceased",
                         "other"]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AssessmentBody(Body):
    flag_id: int = Field(ge=1)
    decision: AssessmentDecision
    note: str = Field(default="", max_length=2000)


class IndicatorsBody(Body):
    months: Literal[6, 12, 24]
    stable_housing: bool
    occupation: bool
    no_new_crime: bool


class CloseBody(Body):
    outcome: ClosureOutcome


class ReopenBody(Body):
    reason: str = Field(min_length=3, max_length=500)


@router.post("/cases/{case}/relapse-assessments", response_model=Done)
def assess(case: CaseRef, body: AssessmentBody, ctx: Actor) -> Done:
    """Social services' individual assessment of a relapse flag."""
    found = ctx.case(Action.ASSESS, case)
    try:
        record_assessment(ctx.rt, found.case_number, flag_id=body.flag_id,
                          decision=body.decision, by=ctx.by, note=body.note)
    except AssessmentError as exc:
        raise refused(exc) from None
    return Done(case_number=found.case_number,
                summary=f"relapse flag {body.flag_id} assessed: {body.decision.value}")


@router.post("/cases/{case}/indicators", response_model=Done)
def indicators(case: CaseRef, body: IndicatorsBody, ctx: Actor) -> Done:
    found = ctx.case(Action.INDICATORS, case)
    try:
        closure.record_indicators(ctx.rt, found.case_id, months=body.months,
                                  stable_housing=body.stable_housing,
                                  occupation=body.occupation, no_new_crime=body.no_new_crime,
                                  by=ctx.by)
    except ClosureError as exc:
        raise refused(exc) from None
    return Done(case_number=found.case_number,
                summary=f"follow-up at {body.months} months recorded")


@router.post("/cases/{case}/closure", response_model=Done)
def close(case: CaseRef, body: CloseBody, ctx: Actor) -> Done:
    found = ctx.case(Action.CLOSE, case)
    try:
        closure.close_with_outcome(ctx.rt, found.case_id, outcome=Outcome(body.outcome),
                                   by=ctx.by)
    except ClosureError as exc:
        raise refused(exc) from None
    return Done(case_number=found.case_number, summary=f"closed ({body.outcome})")


@router.post("/cases/{case}/reopening", response_model=Done)
def reopen(case: CaseRef, body: ReopenBody, ctx: Actor) -> Done:
    """Reopen a closed case where it belongs: into screening when it was never admitted,
    into the during phase with a revision of its action plan otherwise; the
    recover-stalled-cases deployment starts its run."""
    found = ctx.case(Action.REOPEN, case)
    try:
        reopened = closure.reopen(ctx.rt, found.case_id, by=ctx.by, reason=body.reason)
    except ClosureError as exc:
        raise refused(exc) from None
    return Done(case_number=found.case_number,
                summary=f"reopened in the {reopened.phase} phase")
