"""The during phase: needs, the action plan, providers, the state grant."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fastapi import APIRouter, BackgroundTasks
from pydantic import BaseModel, ConfigDict, Field

from caseservice.deps import Actor, CaseRef
from caseservice.errors import ApiError, refused
from caseservice.recording import Done, Recorded, answer
from models.action_plan import FollowUpVerdict, InterventionKind, InterventionRefused
from models.enums import WaitKind
from services import action_plan
from services.access.policy import Action
from services.action_plan import InterventionIn, ProviderNotFound
from services.answers import NeedsAnswer, StatementAnswer

router = APIRouter(tags=["during"])


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InterventionBody(Body):
    kind: InterventionKind
    start: date
    planned_end: date
    cost_sek: int = Field(ge=0, le=100_000_000)
    provider: str | None = Field(default=None, min_length=1, max_length=200)


class ProviderBody(Body):
    name: str = Field(min_length=1, max_length=200)


class VettingBody(ProviderBody):
    on: date
    follow_up_due: date


class FollowUpBody(ProviderBody):
    verdict: FollowUpVerdict
    on: date
    next_due: date


@router.post("/cases/{case}/needs", response_model=Recorded)
def needs(case: CaseRef, body: NeedsAnswer, ctx: Actor, tasks: BackgroundTasks) -> Recorded:
    """The needs assessment before the collaboration meeting."""
    return answer(ctx, tasks, Action.NEEDS, case, WaitKind.NEEDS_ASSESSMENT, body.model_dump())


@router.post("/cases/{case}/plan/interventions", response_model=Done, status_code=201)
def add_intervention(case: CaseRef, body: InterventionBody, ctx: Actor) -> Done:
    found = ctx.case(Action.INTERVENTION, case)
    try:
        action_plan.add_intervention(ctx.rt, found.case_id, InterventionIn(
            kind=body.kind, start=body.start, planned_end=body.planned_end,
            cost_sek=body.cost_sek, provider=body.provider), by=ctx.by)
    except (InterventionRefused, ProviderNotFound) as exc:
        raise refused(exc) from None
    return Done(case_number=found.case_number,
                summary=f"intervention {body.kind.value} added ({body.cost_sek} kr)")


@router.post("/cases/{case}/plan/approval", response_model=Recorded)
def approve_plan(case: CaseRef, ctx: Actor, tasks: BackgroundTasks) -> Recorded:
    return answer(ctx, tasks, Action.PLAN_APPROVE, case, WaitKind.ACTION_PLAN, {})


@router.post("/cases/{case}/grant/statement", response_model=Recorded)
def statement(case: CaseRef, body: StatementAnswer, ctx: Actor,
              tasks: BackgroundTasks) -> Recorded:
    """The police defector coordinator's statement (police assigned to the case)."""
    return answer(ctx, tasks, Action.STATEMENT, case, WaitKind.GRANT_STATEMENT,
                  body.model_dump())


@router.post("/cases/{case}/grant/completion", response_model=Recorded)
def complete_grant(case: CaseRef, ctx: Actor, tasks: BackgroundTasks) -> Recorded:
    return answer(ctx, tasks, Action.GRANT_COMPLETE, case, WaitKind.GRANT_COMPLETION, {})


class ProviderDone(BaseModel):
    provider: str
    summary: str


def _provider(ctx: Actor, action: Action, name: str, summary: str,
              call: Callable[[], object]) -> ProviderDone:
    ctx.allow(action)
    try:
        call()
    except ProviderNotFound:
        raise ApiError(422, "name", "no provider registered by this name") from None
    except ValueError as exc:
        raise refused(exc) from None
    return ProviderDone(provider=name, summary=summary)


@router.post("/providers", response_model=ProviderDone, status_code=201)
def add_provider(body: ProviderBody, ctx: Actor) -> ProviderDone:
    """Register an external provider (unvetted until vetted)."""
    return _provider(ctx, Action.PROVIDER_ADD, body.name, "registered",
                     lambda: action_plan.register_provider(ctx.rt, body.name))


@router.post("/providers/vetting", response_model=ProviderDone)
def vet_provider(body: VettingBody, ctx: Actor) -> ProviderDone:
    return _provider(ctx, Action.PROVIDER_VET, body.name, "vetting recorded",
                     lambda: action_plan.vet_provider(ctx.rt, body.name, by=ctx.by, on=body.on,
                                                      next_follow_up_due=body.follow_up_due))


@router.post("/providers/follow-ups", response_model=ProviderDone)
def follow_up(body: FollowUpBody, ctx: Actor) -> ProviderDone:
    return _provider(ctx, Action.PROVIDER_FOLLOW_UP, body.name, "follow-up recorded",
                     lambda: action_plan.record_follow_up(
                         ctx.rt, body.name, verdict=body.verdict, by=ctx.by, on=body.on,
                         next_follow_up_due=body.next_due))
