"""The person's rights: correction of name or identity number (GDPR art. 16) and the
subject-access export (art. 15), recorded by the responsible coordinator."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from caseservice.deps import Actor, CaseRef
from caseservice.errors import refused
from services.access.policy import Action
from services.correction import CorrectionError, correct_person

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
