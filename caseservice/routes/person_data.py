"""The person's rights: correction of name or identity number (GDPR art. 16) and the
subject-access export (art. 15), recorded by the responsible coordinator; and the legal
hold that keeps a case from culling (set and lifted by the same coordinator)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from caseservice.deps import Actor, CaseRef
from caseservice.errors import refused
from caseservice.recording import Done
from services import legal_hold
from services.access.policy import DESTINATION_ROLES, Action, allowed
from services.access.relations import Standing
from services.correction import CorrectionError, correct_person
from services.subject_access import SubjectAccessExport, subject_access
from services.subject_access_html import render_html

router = APIRouter(tags=["person"])


class CorrectionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    identity_number: str | None = Field(default=None, min_length=10, max_length=13)
    reason: str = Field(min_length=3, max_length=1000)


class RecipientOut(BaseModel):
    recipient: str
    at: datetime
    fields: list[str]


class CorrectedOut(BaseModel):
    """What was corrected (fields, never values) and who received an old value, to be told."""

    case_number: str
    fields: list[str]
    tell: list[RecipientOut]


@router.post("/cases/{case}/person/correction", response_model=CorrectedOut)
def correct(case: CaseRef, body: CorrectionBody, ctx: Actor) -> CorrectedOut:
    found = ctx.case(Action.PERSON_CORRECT, case)
    try:
        done = correct_person(ctx.rt, found.case_id, by=ctx.by, reason=body.reason,
                              name=body.name, identity_number=body.identity_number)
    except CorrectionError as exc:
        raise refused(exc) from None
    return CorrectedOut(case_number=done.case_number, fields=list(done.fields),
                        tell=[RecipientOut(recipient=r.recipient, at=r.at, fields=list(r.fields))
                              for r in done.tell])


class SubjectAccessBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    received_on: date = Field(description="the day the person's request was received")
    format: Literal["json", "html"] = "json"
    include_destination: bool = Field(
        default=False, description="the new municipality and address, when the policy lets "
                                   "the requester read them (else left out, and said so)")


PERSONAL = ["name", "identity_number", "birth_date", "sex", "evidence_note", "legal_basis"]
NO_STORE = {"Cache-Control": "no-store"}


@router.post("/cases/{case}/subject-access", response_model=SubjectAccessExport,
             responses={200: {"content": {"text/html": {}}}})
def export(case: CaseRef, body: SubjectAccessBody, ctx: Actor) -> JSONResponse | HTMLResponse:
    """The person's subject-access export (GDPR art. 15), journaled on their cases."""

    def destination(standing: Standing) -> bool:
        return body.include_destination and bool(ctx.principal.roles & DESTINATION_ROLES) \
            and allowed(Action.DESTINATION_READ, ctx.principal.roles, standing.relations)

    found = ctx.case(Action.SUBJECT_ACCESS, case, fields=lambda s: PERSONAL + (
        ["destination", "address"] if destination(s) else []))
    if found.masked:
        raise refused("case: the person's identity is protected; only a handler assigned to "
                      "the case may make the export")
    made = subject_access(ctx.rt, found.case_id, by=ctx.by,
                          organisation=ctx.principal.organisation, received_on=body.received_on,
                          include_destination=destination(found))
    if body.format == "html":
        return HTMLResponse(render_html(made), headers={
            **NO_STORE, "Content-Disposition":
            f'attachment; filename="registerutdrag-{found.case_number}.html"'})
    return JSONResponse(made.model_dump(mode="json"), headers=NO_STORE)


class HoldBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=3, max_length=legal_hold.MAX_REASON,
                        description="why (the decision, the appeal, the complaint); "
                                    "journaled, encrypted")


@router.post("/cases/{case}/legal-hold", response_model=Done)
def set_hold(case: CaseRef, body: HoldBody, ctx: Actor) -> Done:
    """A legal hold: the case is not culled while it stands."""
    found = ctx.case(Action.LEGAL_HOLD, case)
    try:
        legal_hold.hold(ctx.rt, found.case_id, by=ctx.by, reason=body.reason)
    except legal_hold.HoldError as exc:
        raise refused(exc) from None
    return Done(case_number=found.case_number, summary="legal hold set: not culled while "
                                                       "it stands")


@router.post("/cases/{case}/legal-hold/lift", response_model=Done)
def lift_hold(case: CaseRef, body: HoldBody, ctx: Actor) -> Done:
    """Lift the legal hold: the case is culled once its retention period has run out."""
    found = ctx.case(Action.LEGAL_HOLD, case)
    try:
        legal_hold.lift(ctx.rt, found.case_id, by=ctx.by, reason=body.reason)
    except legal_hold.HoldError as exc:
        raise refused(exc) from None
    return Done(case_number=found.case_number, summary="legal hold lifted")
