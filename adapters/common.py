"""Wire schemas shared by all agency adapters.

Plain pydantic models (never database tables): they describe exactly what crosses the wire,
so the simulators and the committed OpenAPI contracts are generated from the same classes.
``Subject`` is deliberately unconstrained on the client side: the agency is the authority
on what it accepts, and a rejection comes back as a ``PermanentAgencyError`` (HTTP 422)
instead of a pydantic exception escaping the adapter.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ErrorBody", "Subject", "SubmittedRequest"]


class Subject(BaseModel):
    """The person the case is about: the personal data disclosed to the agency with consent.

    Never log instances of this class or put its values into error reasons.
    """

    identity_number: str = Field(description="Swedish personal identity number, 12 digits.")
    name: str | None = Field(default=None, description=(
        "Full name, where the purpose needs it to find the person; never sent for a person "
        "with protected personal data (the identity number suffices)."))

    def personal_values(self) -> tuple[str, ...]:
        """Values to scrub from anything logged: the full values and each name part."""
        if self.name is None:
            return (self.identity_number,)
        parts = tuple(part for part in self.name.split() if len(part) >= 2)
        return (self.identity_number, self.name, *parts)


class SubmittedRequest(BaseModel):
    """Receipt for a submitted request; the answer is fetched later by `request_id`."""

    # Always present in answers: the contract marks defaulted fields as required output.
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    request_id: str = Field(description="Agency-assigned id used to poll for the answer.")
    status: str = Field(description="Processing status at the time of the response.")
    created: bool = Field(
        description="False when the Idempotency-Key had been seen before and the existing "
        "request is returned (HTTP 200) instead of a new one (HTTP 201)."
    )


# adapters.http scrubs `detail` anyway before it enters an error reason: a promise in a
# contract is not a guarantee.
class ErrorBody(BaseModel):
    """Error answer: a human-readable `detail`, which never contains personal data."""

    detail: str
