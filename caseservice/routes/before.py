"""Eligibility criteria and consents (the before phase)."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks

from caseservice.deps import Actor, CaseRef
from caseservice.recording import Recorded, answer
from models.enums import WaitKind
from services.access.policy import Action
from services.answers import ConsentAnswer, CriterionAnswer

router = APIRouter(tags=["before"])


@router.post("/cases/{case}/criteria", response_model=Recorded)
def decide(case: CaseRef, body: CriterionAnswer, ctx: Actor, tasks: BackgroundTasks) -> Recorded:
    """Answer an eligibility criterion the case waits for."""
    return answer(ctx, tasks, Action.CRITERION, case, WaitKind.COORDINATOR_ANSWER,
                  body.model_dump())


@router.post("/cases/{case}/consents", response_model=Recorded)
def consent(case: CaseRef, body: ConsentAnswer, ctx: Actor, tasks: BackgroundTasks) -> Recorded:
    """Record (given: true) or withdraw (given: false) consent for an agency."""
    return answer(ctx, tasks, Action.CONSENT, case, WaitKind.CONSENT, body.model_dump())
