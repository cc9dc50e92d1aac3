"""Wire schemas of the police threat-assessment ("hotbildsbedömning") API.

These classes are the contract: the simulator serves them and the committed OpenAPI file
is generated from them, so adapter and documentation cannot drift apart.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from adapters.common import Subject

__all__ = ["ThreatAssessmentRequest", "ThreatAssessmentResult", "ThreatLevel"]

ThreatLevel = Literal["low", "medium", "high", "critical"]


class ThreatAssessmentRequest(BaseModel):
    """Body of ``POST /threat-assessments``: what the police need to assess the threat."""

    case_number: str = Field(description="Utväg case number (no personal data).")
    subject: Subject
    placing_municipality: str = Field(
        description="4-digit code of the municipality planning to place the person."
    )
    milieu: str = Field(
        description="Criminal milieu the person is leaving, e.g. 'gang', "
        "'violent_extremism', 'honour'."
    )


class ThreatAssessmentResult(BaseModel):
    """State of a threat assessment; the assessment fields are null/empty while pending."""

    # Always present in answers: the contract marks defaulted fields as required output.
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    request_id: str
    status: Literal["pending", "completed"]
    level: ThreatLevel | None = Field(default=None, description="Assessed threat level.")
    exclusion_zones: list[str] = Field(
        default_factory=list,
        description="4-digit codes of municipalities where the person must not be placed.",
    )
    relocation_required: bool | None = Field(
        default=None, description="Whether the person must move away from the current area."
    )
    valid_until: date | None = Field(
        default=None, description="Last day the assessment may be relied upon."
    )
