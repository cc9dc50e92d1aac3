"""Wire schemas of the meeting-invitation API, shared by every invited agency.

One contract rather than four copies: each agency is asked the same thing (come to the
collaboration meeting for this case and sign off its decision) and answers the same way.
The simulators serve these classes and the OpenAPI files are generated from them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from adapters.common import Subject

__all__ = ["InvitationRequest", "InvitationResult", "PlanSummary", "PlannedItem"]


class PlannedItem(BaseModel):
    kind: str
    start: date
    planned_end: date


class PlanSummary(BaseModel):
    version: int = Field(ge=1)
    interventions: list[PlannedItem] = Field(default_factory=list, max_length=100)


class InvitationRequest(BaseModel):
    """Body of ``POST /meeting-invitations``."""

    case_number: str = Field(description="Utväg case number (no personal data).")
    subject: Subject
    placing_municipality: str = Field(
        description="4-digit code of the municipality that owns the case."
    )
    units: list[str] = Field(
        default_factory=list, description="Units of the agency that are called, if any."
    )
    routing_version: str = Field(description="Version of the routing rules that called it.")
    purpose: Literal["collaboration_meeting", "release_measures", "lay_supervisor",
                     "office_hand_over", "action_plan"] = Field(
        default="collaboration_meeting",
        description="What the agency is asked for: the meeting, or a hand-over after it "
                    "(Frivården: release/transition measures, a lay supervisor; "
                    "Arbetsförmedlingen: hand-over to the office where the person now lives; "
                    "the destination itself is never sent), or to acknowledge the approved "
                    "action plan it helped agree (`action_plan`, with `plan`).")
    plan: PlanSummary | None = Field(
        default=None, description="With purpose `action_plan`: the approved plan's version "
                                  "and interventions (kinds and dates, no provider).")


class InvitationResult(BaseModel):
    """State of an invitation: ``pending`` until the agency has signed off the meeting's
    decision, then ``signed_off`` with who (a staff role id) and when."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    request_id: str
    status: Literal["pending", "signed_off"]
    signed_off_by: str | None = Field(default=None, description="Staff id at the agency.")
    signed_off_at: datetime | None = None
