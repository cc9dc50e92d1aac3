"""The plan and the people around it (docs/plan-and-people.md): a handler's relapse
report, the second person's answer to a proposed closure, the plan's versions, the
meeting as an event, a child's guardians, and protected-housing permits."""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter, BackgroundTasks
from pydantic import BaseModel, ConfigDict, Field

from caseservice.deps import Actor, CaseRef
from caseservice.errors import ApiError, refused
from caseservice.recording import Done
from caseservice.routes.during import ProviderDone
from models.enums import GuardianRole
from services import (
    minors,
    plan_delivery,
    plan_versions,
    protected_housing,
    provider_watch,
    relapse_outcomes,
)
from services.access.policy import Action
from services.action_plan import ProviderNotFound
from services.relapse_outcomes import OutcomeError, ReportedRelapse

router = APIRouter(tags=["plan and people"])


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RelapseReportBody(Body):
    kind: ReportedRelapse
    on: date


class ClosureAnswerBody(Body):
    confirm: bool


class ProviderConcernBody(Body):
    provider_id: int = Field(ge=1)
    decision: Literal["keep", "end_interventions"]


class MeetingBody(Body):
    held_on: date
    participants: list[plan_delivery.Participant] = Field(min_length=1, max_length=8)
    defector_participated: bool
    defector_agreed: bool


class GuardianBody(Body):
    role: GuardianRole
    name: str = Field(min_length=1, max_length=200)
    consents: bool


class PermitBody(Body):
    name: str = Field(min_length=1, max_length=200, description="the provider's name")
    reference: str = Field(min_length=1, max_length=100)
    valid_from: date
    valid_until: date | None = None


class VersionOut(BaseModel):
    version: int
    status: str
    reason: str
    interventions: int
    cost_sek: int | None
    approved_by: str | None


@router.post("/cases/{case}/relapse-reports", response_model=Done, status_code=201)
def report_relapse(case: CaseRef, body: RelapseReportBody, ctx: Actor) -> Done:
    """A relapse into substance abuse, or lost contact: assessed like a register's flag."""
    found = ctx.case(Action.RELAPSE_REPORT, case)
    try:
        flag = relapse_outcomes.report_relapse(ctx.rt, found.case_id, kind=body.kind,
                                               on=body.on, by=ctx.by)
    except OutcomeError as exc:
        raise refused(exc) from None
    return Done(case_number=found.case_number,
                summary=f"relapse reported ({body.kind.value}): flag {flag}")


@router.post("/cases/{case}/closure/confirmation", response_model=Done)
def confirm_closure(case: CaseRef, body: ClosureAnswerBody, ctx: Actor) -> Done:
    """A second person confirms (or declines) the closure an assessment proposed."""
    found = ctx.case(Action.CLOSURE_CONFIRM, case)
    try:
        decided = relapse_outcomes.decide_closure(ctx.rt, found.case_id, by=ctx.by,
                                                  confirm=body.confirm)
    except OutcomeError as exc:
        raise refused(exc, status=409 if str(exc).startswith("case:") else 422) from None
    return Done(case_number=found.case_number,
                summary="closed (relapsed)" if decided.closed else "closure declined")


@router.get("/cases/{case}/plan/versions", response_model=list[VersionOut])
def versions(case: CaseRef, ctx: Actor) -> list[VersionOut]:
    found = ctx.case(Action.PLAN_HISTORY, case)
    return [VersionOut(version=v.version, status=v.status, reason=v.reason,
                       interventions=len(v.intervention_ids), cost_sek=v.cost_sek,
                       approved_by=v.approved_by)
            for v in plan_versions.history(ctx.rt, found.case_id)]


@router.post("/cases/{case}/provider-concerns", response_model=Done)
def provider_concern(case: CaseRef, body: ProviderConcernBody, ctx: Actor) -> Done:
    """Decide on a provider whose follow-up lapsed or failed: keep it, or end its running
    interventions in this case today."""
    found = ctx.case(Action.PROVIDER_CONCERN, case)
    try:
        done = provider_watch.answer_concern(ctx.rt, found.case_id,
                                             provider_id=body.provider_id,
                                             decision=body.decision, by=ctx.by)
    except provider_watch.ConcernError as exc:
        raise refused(exc) from None
    return Done(case_number=found.case_number,
                summary=f"provider {body.provider_id}: {body.decision} ({done.ended} ended)")


@router.post("/cases/{case}/meeting", response_model=Done)
def record_meeting(case: CaseRef, body: MeetingBody, ctx: Actor) -> Done:
    """The collaboration meeting as it happened: date, organisations by role, and the
    defector's participation and agreement to the plan."""
    found = ctx.case(Action.MEETING_RECORD, case)
    try:
        plan_delivery.record_meeting(ctx.rt, found.case_id, held_on=body.held_on,
                                     participants=body.participants,
                                     defector_participated=body.defector_participated,
                                     defector_agreed=body.defector_agreed, by=ctx.by)
    except plan_delivery.MeetingError as exc:
        raise refused(exc) from None
    return Done(case_number=found.case_number,
                summary=f"collaboration meeting of {body.held_on} recorded")


@router.post("/cases/{case}/guardians", response_model=Done)
def record_guardian(case: CaseRef, body: GuardianBody, ctx: Actor,
                    tasks: BackgroundTasks) -> Done:
    """A child's guardian, by role (the name is encrypted); when every guardian
    consents, the case's run is woken to disclose what waited for them."""
    found = ctx.case(Action.GUARDIAN, case)
    try:
        complete = minors.record_guardian(ctx.rt, found.case_id, role=body.role,
                                          name=body.name, consents=body.consents, by=ctx.by)
    except minors.GuardianError as exc:
        raise refused(exc, status=409 if str(exc).startswith("case:") else 422) from None
    if complete:
        tasks.add_task(ctx.waker.wake, ctx.rt, found.case_id)
    return Done(case_number=found.case_number,
                summary=f"guardian recorded ({body.role.value})"
                        + ("; every guardian consents" if complete else ""))


@router.post("/providers/permits", response_model=ProviderDone)
def record_permit(body: PermitBody, ctx: Actor) -> ProviderDone:
    """A provider's permit for protected housing (required since 1 April 2024)."""
    ctx.allow(Action.PROVIDER_PERMIT)
    try:
        protected_housing.record_permit(ctx.rt, body.name, reference=body.reference,
                                        valid_from=body.valid_from,
                                        valid_until=body.valid_until, by=ctx.by)
    except ProviderNotFound:
        raise ApiError(422, "name", "no provider registered by this name") from None
    except protected_housing.PermitError as exc:
        raise refused(exc) from None
    return ProviderDone(provider=body.name, summary="protected-housing permit recorded")
