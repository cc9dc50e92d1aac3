"""Which agency step answers for which request: one table, used by the case's flow
(to ask) and by the answer collector (to collect), so no caller parses a subject."""

from __future__ import annotations

from typing import Any

from models.progress import (
    GRANT_APPLICATION,
    GRANT_COMPLETION,
    MEETING_INVITATION,
    PROTECTION,
    SUPPORT_DECISION,
    THREAT_ASSESSMENT,
    relocation_number,
)
from models.waits import AgencySubject
from services.agency import Step
from services.before_steps import SupportDecisionStep, ThreatAssessmentStep
from services.grants import GrantApplicationStep, GrantCompletionStep
from services.hand_over import hand_over_step
from services.meeting import InvitationStep
from services.plan_delivery import step_for_kind
from services.protection import UPGRADE, ProtectionStep
from services.threat import REASSESSMENT, ThreatReassessmentStep

_FIXED: dict[AgencySubject, Step[Any, Any]] = {
    THREAT_ASSESSMENT: ThreatAssessmentStep(),
    SUPPORT_DECISION: SupportDecisionStep(),
    GRANT_APPLICATION: GrantApplicationStep(),
    GRANT_COMPLETION: GrantCompletionStep(),
}


class UnknownRequest(LookupError):
    pass


def step_for(subject: AgencySubject) -> Step[Any, Any]:
    fixed = _FIXED.get(subject)
    if fixed is not None:
        return fixed
    if subject.kind == MEETING_INVITATION:
        return InvitationStep(subject.agency)
    plan = step_for_kind(subject)  # the approved plan to a participating agency
    if plan is not None:
        return plan
    move = relocation_number(subject, PROTECTION)
    if move is not None:
        return ProtectionStep(move)
    move = relocation_number(subject, UPGRADE)
    if move is not None:
        return ProtectionStep(move, strengthen=True)
    number = relocation_number(subject, REASSESSMENT)
    if number is not None and number > 1:
        return ThreatReassessmentStep(number)
    step = hand_over_step(subject)
    if step is None:
        raise UnknownRequest(f"request: no agency step for {subject}")
    return step
