"""Wire schemas of the Tax Agency's (Skatteverket) protected-personal-data API.

A request asks the population register to protect a person's data after a relocation:
*sekretessmarkering* or *skyddad folkbokföring*. It identifies the person by identity
number only and carries no address or municipality of destination: the new address is
held away from the Tax Agency as from every party but the placing and the receiving
social services. The body model forbids extra fields, so an address cannot ride along.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ProtectionDecision", "ProtectionMeasure", "ProtectionRequest",
           "ProtectionSubject"]

ProtectionMeasure = Literal["sekretessmarkering", "skyddad_folkbokforing"]


class ProtectionSubject(BaseModel):
    """The person, by identity number only (the register's key). Never log it."""

    model_config = ConfigDict(extra="forbid")

    identity_number: str = Field(description="Swedish personal identity number, 12 digits.")

    def personal_values(self) -> tuple[str, ...]:
        """Values to scrub from anything logged."""
        return (self.identity_number,)


class ProtectionRequest(BaseModel):
    """Body of ``POST /protection-requests``."""

    model_config = ConfigDict(extra="forbid")

    case_number: str = Field(description="Utväg case number (no personal data).")
    subject: ProtectionSubject
    measure: ProtectionMeasure = Field(
        description="`sekretessmarkering` or `skyddad_folkbokforing` (from the threat "
        "assessment).")
    requesting_municipality: str = Field(
        description="4-digit code of the placing municipality whose social services ask "
        "(never the destination).")
    threat_level: Literal["low", "medium", "high", "critical"] = Field(
        description="The police threat assessment's level, the ground of the request.")


class ProtectionDecision(BaseModel):
    """State of a request: ``pending`` until the Tax Agency decides, then ``granted`` (the
    measure is in the register) or ``rejected`` with the reason."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    request_id: str
    status: Literal["pending", "granted", "rejected"]
    measure: ProtectionMeasure | None = Field(default=None, description="The measure decided.")
    rejection_reason: Literal["threat_not_established", "insufficient_grounds"] | None = None
    decided_at: datetime | None = None
