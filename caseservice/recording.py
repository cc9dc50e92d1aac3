"""Recording a person's answer: authorize, record through `services.answers` (the one
table from wait kind to answer model and use case) with the principal as the actor,
then wake the case's flow run after the response (a slow Prefect never holds the
person up; the answer is recorded either way)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import BackgroundTasks
from pydantic import BaseModel

from caseservice.deps import Context
from caseservice.errors import ApiError, not_found
from models.enums import WaitKind
from services import answers
from services.access.log import Outcome, log_access
from services.access.policy import POLICY, Action
from services.views import CaseNotFound


class Recorded(BaseModel):
    case_number: str
    summary: str  # what was recorded, without personal data
    flow: str  # "waking": the case's run is resumed (or started) after this answer


class Done(BaseModel):
    case_number: str
    summary: str


def answer(ctx: Context, tasks: BackgroundTasks, action: Action, case: str, kind: WaitKind,
           data: Mapping[str, Any]) -> Recorded:
    found = ctx.case(action, case)
    try:
        recorded = answers.record(ctx.rt, found.case_id, kind, data, by=ctx.by)
    except answers.AnswerDenied:
        # The use case's own check refused what the policy let through: the same answer
        # as out of scope, journaled the same way.
        log_access(ctx.rt, ctx.principal, action=action.value, outcome=Outcome.DENIED,
                   purpose=POLICY[action].what, case_id=found.case_id)
        raise not_found() from None
    except answers.AnswerError as exc:
        raise ApiError(422, exc.field, exc.problem) from None
    except CaseNotFound:
        raise not_found() from None
    tasks.add_task(ctx.waker.wake, ctx.rt, recorded.case_id)
    return Recorded(case_number=recorded.case_number, summary=recorded.summary, flow="waking")
