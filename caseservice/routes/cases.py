"""Cases: open from a referral, the caseload, the case view, the agencies' view,
assignments and break-glass."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Body
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from caseservice.deps import Actor, CaseRef
from caseservice.errors import not_found, refused
from caseservice.recording import Done
from models.principal import Role
from models.referral import ReferralError
from services import views
from services.access import break_glass, caseload
from services.access.disclosed import DisclosedView, disclosed_view
from services.access.intake import open_referral
from services.access.policy import Action
from services.access.scoped import scoped, view_fields
from services.views import CaseNotFound, CaseView

router = APIRouter(tags=["cases"])


class Referred(BaseModel):
    """`opened`: a new case (its number); `existing`: the person's open case in your own
    municipality; `accepted_for_review`: no case opened for you and nothing more said
    (the referral is reviewed with whoever must be told)."""

    status: Literal["opened", "existing", "accepted_for_review"]
    case_number: str | None


class WaitOut(BaseModel):
    kind: str
    subject: str
    since: datetime
    deadline: datetime
    overdue: bool


class CaseLineOut(BaseModel):
    case_number: str
    phase: str
    status: str
    relations: list[str]
    waits: list[WaitOut]


class AssignmentBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    staff_id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._@-]+$")
    organisation: str = Field(min_length=1, max_length=100, pattern=r"^[a-z_]+(:[a-z0-9_-]+)?$")
    role: Literal["coordinator", "social_handler", "police_contact", "police_regional"]


class BreakGlassBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=10, max_length=1000)


class BreakGlassOut(BaseModel):
    case_number: str
    opened_at: datetime
    expires_at: datetime


@router.post("/cases", response_model=Referred, status_code=201,
             responses={200: {"model": Referred, "description": "the person's open case in "
                                                                "your own municipality"},
                        202: {"model": Referred, "description": "accepted for review"}})
def open_case(ctx: Actor, tasks: BackgroundTasks,
              referral: Annotated[dict[str, Any], Body(description=(
                  "the referral (as `utvag case open` reads it); `recorded_by` is you and "
                  "`placing_municipality` your own municipality, from your login"))]
              ) -> Referred | JSONResponse:
    ctx.allow(Action.CASE_OPEN)
    try:
        referred = open_referral(ctx.rt, ctx.principal, referral)
    except ReferralError as exc:
        raise refused(exc.errors[0] if exc.errors else exc) from None
    if referred.status == "opened" and referred.case_id is not None:
        tasks.add_task(_start, ctx, referred.case_id)
        return Referred(status="opened", case_number=referred.case_number)
    body = Referred(status=referred.status, case_number=referred.case_number)
    return JSONResponse(body.model_dump(), status_code=202 if referred.status ==
                        "accepted_for_review" else 200)


def _start(ctx: Actor, case_id: uuid.UUID) -> None:
    try:
        ctx.waker.start(ctx.rt, case_id)
    except Exception:  # noqa: BLE001 - the case stands; recover-stalled-cases starts it
        from adapters.logs import get_logger

        get_logger(case_id=str(case_id)).warning("case.run_not_started")


@router.get("/cases", response_model=list[CaseLineOut])
def my_cases(ctx: Actor) -> list[CaseLineOut]:
    """Every case you stand in a relation to: its phase, status, what it waits for and
    since when, the deadline, overdue. No personal data."""
    ctx.allow(Action.CASE_LIST)
    return [CaseLineOut(case_number=c.case_number, phase=c.phase, status=c.status,
                        relations=c.relations,
                        waits=[WaitOut(kind=w.kind, subject=w.subject, since=w.since,
                                       deadline=w.deadline, overdue=w.overdue)
                               for w in c.waits])
            for c in caseload.caseload(ctx.rt, ctx.principal)]


@router.get("/cases/{case}", response_model=CaseView)
def show(case: CaseRef, ctx: Actor) -> CaseView:
    """The case with personal data, cut to your part in it (`services.access.scoped`);
    the read is journaled before anything is read. A protected identity is masked
    unless you are a handler assigned to the case."""
    found = ctx.case(Action.CASE_SHOW, case, fields=view_fields)
    try:
        view = views.case_view(ctx.rt, found.case_id, viewer=ctx.by,
                               purpose=f"case shown to {ctx.principal.organisation}")
    except CaseNotFound:
        raise not_found() from None
    return scoped(view, found)


@router.get("/cases/{case}/disclosed", response_model=DisclosedView)
def disclosed(case: CaseRef, ctx: Actor) -> DisclosedView:
    """What was disclosed to your agency about this case."""
    found = ctx.case(Action.CASE_DISCLOSED, case, fields=("name", "identity_number"))
    return disclosed_view(ctx.rt, found.case_id, agency=ctx.principal.org_code,
                          masked=found.masked)


@router.post("/cases/{case}/assignments", response_model=Done, status_code=201)
def assign(case: CaseRef, body: AssignmentBody, ctx: Actor) -> Done:
    """Assign a handler (your own municipality) or a police contact to the case."""
    found = ctx.case(Action.ASSIGN, case)
    try:
        caseload.assign(ctx.rt, ctx.principal, found.case_id, staff_id=body.staff_id,
                        organisation=body.organisation, role=Role(body.role))
    except caseload.AssignmentError as exc:
        raise refused(exc) from None
    return Done(case_number=found.case_number,
                summary=f"{body.staff_id} assigned as {body.role}")


@router.post("/cases/{case}/break-glass", response_model=BreakGlassOut, status_code=201)
def open_break_glass(case: CaseRef, body: BreakGlassBody, ctx: Actor) -> BreakGlassOut:
    """Emergency access to a case outside your scope, with a reason: journaled, told to
    the case's coordinators, time-limited, reviewed by the auditor."""
    found = ctx.case(Action.BREAK_GLASS, case)
    try:
        opening = break_glass.open_glass(ctx.rt, ctx.principal, found.case_id,
                                         reason=body.reason)
    except break_glass.BreakGlassError as exc:
        raise refused(exc) from None
    return BreakGlassOut(case_number=opening.case_number, opened_at=opening.opened_at,
                         expires_at=opening.expires_at)

