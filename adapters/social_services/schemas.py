"""Wire schemas of the social-services support-decision API.

These classes are the contract: the simulator serves them and the committed OpenAPI file
is generated from them, so adapter and documentation cannot drift apart.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from adapters.common import Subject

__all__ = [
    "RelapseNotification",
    "RelapseNotificationReceipt",
    "SupportDecision",
    "SupportDecisionRequest",
    "SupportDecisionResult",
]

SupportDecision = Literal["granted", "refused"]


class SupportDecisionRequest(BaseModel):
    """Body of ``POST /support-decisions``: an application for support interventions."""

    case_number: str = Field(description="Utväg case number (no personal data).")
    subject: Subject
    municipality_code: str = Field(
        description="4-digit code of the municipality whose social services decide."
    )


class SupportDecisionResult(BaseModel):
    """State of a support decision; the decision fields are null/empty while pending."""

    # Always present in answers: the contract marks defaulted fields as required output.
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    request_id: str
    status: Literal["pending", "decided"]
    decision: SupportDecision | None = None
    interventions: list[str] = Field(
        default_factory=list,
        description="Granted interventions, e.g. 'contact_person', 'financial_support'.",
    )
    decided_at: datetime | None = Field(default=None, description="When the decision was made.")


class RelapseNotification(BaseModel):
    """Body of ``POST /relapse-notifications``: the police registers hold a new entry for
    a person in an ongoing case; social services make an individual assessment (continue,
    adjust the plan, end the support). Case number, register, kind and date only."""

    case_number: str = Field(description="Utväg case number (no personal data).")
    municipality_code: str = Field(description="4-digit code of the responsible municipality.")
    flag_id: int = Field(description="Utväg's id of the relapse flag.")
    register_name: Literal["criminal_records", "suspicions"]
    kind: Literal["conviction", "suspicion"]
    entry_date: date
    assessment_deadline: date = Field(description="When Utväg expects the assessment.")


class RelapseNotificationReceipt(BaseModel):
    """Receipt of a relapse notification."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    notification_id: str
    created: bool = Field(description="False when the Idempotency-Key had been seen before.")
