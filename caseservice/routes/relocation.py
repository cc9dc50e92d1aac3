"""The relocation and what follows it: the decision, its approval, the destination
(social services of the placing or the receiving municipality only), the belongings
and the transfer of responsibility. The municipality that answers is always the one in
the token, never a typed code."""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter, BackgroundTasks
from pydantic import BaseModel, ConfigDict, Field

from caseservice.deps import Actor, CaseRef
from caseservice.errors import ApiError, not_found
from caseservice.recording import Recorded, answer
from models.enums import WaitKind
from models.relocation import DisclosureDenied
from services import belongings, relocation, responsibility
from services.access.log import Outcome, log_access
from services.access.policy import POLICY, Action
from services.answers import EstablishmentAnswer, RelocationAnswer, TransferOfferAnswer

router = APIRouter(tags=["relocation"])


class TransferBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    accept: bool
    cost_payer: Literal["placing", "receiving"]
    cost_from: date
    responsible_from: date | None = Field(
        default=None, description="the agreed date from which the receiving municipality is "
                                  "responsible; the cost date unless given")


class Period(BaseModel):
    role: Literal["residence", "stay", "costs"]
    municipality: str
    valid_from: date
    valid_to: date | None


class ResponsibilityView(BaseModel):
    case_number: str
    responsible: str  # the residence municipality (bosättningskommun) today
    stay: str | None  # where the person stays (vistelsekommun), after a move
    costs: str  # who pays the support today
    periods: list[Period]


class Destination(BaseModel):
    case_number: str
    destination: str
    address: str


class WorkOrder(BaseModel):
    case_number: str
    provider: str | None
    collect_in: str | None
    deliver_to: str | None


@router.post("/cases/{case}/relocation", response_model=Recorded)
def decide(case: CaseRef, body: RelocationAnswer, ctx: Actor,
           tasks: BackgroundTasks) -> Recorded:
    """Decide where the person moves (destination municipality and address)."""
    return answer(ctx, tasks, Action.RELOCATION_DECIDE, case, WaitKind.RELOCATION,
                  {**body.model_dump()})


@router.post("/cases/{case}/relocation/approval", response_model=Recorded)
def approve(case: CaseRef, ctx: Actor, tasks: BackgroundTasks) -> Recorded:
    return answer(ctx, tasks, Action.RELOCATION_APPROVE, case, WaitKind.RELOCATION_APPROVAL,
                  {})


@router.get("/cases/{case}/destination", response_model=Destination)
def destination(case: CaseRef, ctx: Actor) -> Destination:
    """The destination and address: social services of the placing municipality, or of
    the receiving one once it accepted the transfer. Journaled before it is read."""
    found = ctx.case(Action.DESTINATION_READ, case, fields=["destination", "address"])
    try:
        where, address = relocation.read_destination(
            ctx.rt, found.case_id, viewer_agency="social_services",
            viewer_municipality=ctx.principal.municipality, by=ctx.by)
    except relocation.NoRelocation:
        raise ApiError(409, "case", "no relocation decided yet") from None
    except DisclosureDenied:
        log_access(ctx.rt, ctx.principal, action=Action.DESTINATION_READ.value,
                   outcome=Outcome.DENIED, purpose=POLICY[Action.DESTINATION_READ].what,
                   case_id=found.case_id)
        raise not_found() from None
    return Destination(case_number=found.case_number, destination=where, address=address)


@router.get("/cases/{case}/belongings/work-order", response_model=WorkOrder)
def work_order(case: CaseRef, ctx: Actor) -> WorkOrder:
    """The mover's work order: collect in the placing municipality, deliver to its
    social services (never the destination)."""
    found = ctx.case(Action.WORK_ORDER, case)
    order = belongings.work_order(ctx.rt, found.case_id)
    if order is None:
        return WorkOrder(case_number=found.case_number, provider=None, collect_in=None,
                         deliver_to=None)
    return WorkOrder(case_number=order.case_number, provider=order.provider,
                     collect_in=order.collect_in, deliver_to=order.deliver_to)


@router.post("/cases/{case}/belongings/delivered", response_model=Recorded)
def delivered(case: CaseRef, ctx: Actor, tasks: BackgroundTasks) -> Recorded:
    """Social services (placing or destination) confirm the belongings arrived."""
    return answer(ctx, tasks, Action.BELONGINGS_DELIVERED, case, WaitKind.BELONGINGS,
                  {"municipality": ctx.principal.municipality or ""})


@router.post("/cases/{case}/transfer", response_model=Recorded)
def transfer(case: CaseRef, body: TransferBody, ctx: Actor,
             tasks: BackgroundTasks) -> Recorded:
    """The receiving social services accept or decline the transfer of responsibility."""
    return answer(ctx, tasks, Action.TRANSFER, case, WaitKind.TRANSFER,
                  {**body.model_dump(), "municipality": ctx.principal.municipality or ""})


@router.post("/cases/{case}/establishment", response_model=Recorded)
def establishment(case: CaseRef, body: EstablishmentAnswer, ctx: Actor,
                  tasks: BackgroundTasks) -> Recorded:
    """Social services record how the person is established in the new town; once they
    have more lasting housing and an occupation and still need support, the case's run
    offers the transfer of responsibility."""
    return answer(ctx, tasks, Action.ESTABLISHMENT, case, WaitKind.ESTABLISHMENT,
                  body.model_dump())


@router.post("/cases/{case}/transfer/offer", response_model=Recorded)
def offer(case: CaseRef, body: TransferOfferAnswer, ctx: Actor,
          tasks: BackgroundTasks) -> Recorded:
    """A coordinator of the responsible municipality offers the transfer now, with a
    reason: before the person is established, or again after a decline."""
    return answer(ctx, tasks, Action.TRANSFER_OFFER, case, WaitKind.TRANSFER_OFFER,
                  body.model_dump())


@router.get("/cases/{case}/responsibility", response_model=ResponsibilityView)
def responsibility_view(case: CaseRef, ctx: Actor) -> ResponsibilityView:
    """Who is responsible for the case today, where the person stays and who pays, with
    the history. Journaled before it is read."""
    found = ctx.case(Action.RESPONSIBILITY, case, fields=["responsibility"])
    held = responsibility.responsibility_of(ctx.rt, found.case_id)
    return ResponsibilityView(
        case_number=held.case_number, responsible=held.responsible, stay=held.stay,
        costs=held.costs, periods=[Period(role=p.role.value, municipality=p.municipality,
                                          valid_from=p.valid_from, valid_to=p.valid_to)
                                   for p in held.periods])
