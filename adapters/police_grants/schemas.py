"""Wire schemas of the police grants API (state grants to defector work, per individual).

The application carries the proposed action plan (intervention kinds, periods, costs in
whole kronor) and the police defector coordinator's statement; no free text.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from adapters.common import Subject

__all__ = ["CoordinatorStatement", "GrantApplication", "GrantDecision", "PlannedIntervention"]


class PlannedIntervention(BaseModel):
    kind: str = Field(description="Intervention from Utväg's catalogue, e.g. 'trustee'.")
    start: date
    planned_end: date
    cost_sek: int = Field(ge=0, description="Cost in whole kronor.")


class CoordinatorStatement(BaseModel):
    """The police defector coordinator's statement (utlåtande) attached to the application."""

    by: str = Field(description="Staff id of the police defector coordinator.")
    supports: bool = Field(description="Whether the coordinator supports the application.")


class GrantApplication(BaseModel):
    """Body of ``POST /grant-applications`` (and of a completion)."""

    case_number: str = Field(description="Utväg case number (no personal data).")
    subject: Subject
    applicant_municipality: str = Field(description="4-digit code of the applying municipality.")
    amount_sek: int = Field(description="Amount applied for, whole kronor.")
    interventions: list[PlannedIntervention]
    statement: CoordinatorStatement | None = None


class GrantDecision(BaseModel):
    """State of an application: ``pending``; ``completion_requested`` (complete it before
    ``completion_deadline``); ``granted`` with the amount; ``rejected`` with the reason."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    request_id: str
    status: Literal["pending", "completion_requested", "granted", "rejected"]
    amount_sek: int | None = Field(default=None, description="Granted amount, whole kronor.")
    rejection_reason: Literal["criteria_not_met", "incomplete", "not_completed_when_asked"] | None \
        = None
    completion_deadline: date | None = None
