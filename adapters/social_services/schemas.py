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
    "MAX_NOTIFICATIONS_PER_BATCH",
    "RelapseNotification",
    "RelapseNotificationBatch",
    "RelapseNotificationBatchReceipt",
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


MAX_NOTIFICATIONS_PER_BATCH = 500


class RelapseNotification(BaseModel):
    """One notification of ``POST /relapse-notifications``: the police registers hold a
    new entry for a person in an ongoing case; social services make an individual
    assessment (continue, adjust the plan, end the support). Case number, register, kind
    and date only, and its own idempotency key."""

    idempotency_key: str = Field(
        min_length=1, max_length=200,
        description="Makes this notification safe to send again: the same key again "
        "creates nothing new (Utväg sends `relapse-flag:<flag id>`).")
    case_number: str = Field(description="Utväg case number (no personal data).")
    municipality_code: str = Field(description="4-digit code of the responsible municipality.")
    flag_id: int = Field(description="Utväg's id of the relapse flag.")
    register_name: Literal["criminal_records", "suspicions"]
    kind: Literal["conviction", "suspicion"]
    entry_date: date
    assessment_deadline: date = Field(description="When Utväg expects the assessment.")


class RelapseNotificationBatch(BaseModel):
    """Body of ``POST /relapse-notifications``: notifications sent together (a sweep finds
    its flags together); each is recorded, or recognised by its key, on its own."""

    notifications: list[RelapseNotification] = Field(
        min_length=1, max_length=MAX_NOTIFICATIONS_PER_BATCH,
        description=f"1 to {MAX_NOTIFICATIONS_PER_BATCH} notifications, keys unique.")


class RelapseNotificationReceipt(BaseModel):
    """Receipt of one relapse notification."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    idempotency_key: str
    notification_id: str
    created: bool = Field(description="False when the key had been seen before.")


class RelapseNotificationBatchReceipt(BaseModel):
    """Answer of ``POST /relapse-notifications``: one receipt per notification, in order."""

    receipts: list[RelapseNotificationReceipt]
