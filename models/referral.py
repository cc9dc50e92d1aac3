"""The referral a coordinator hands in to open a case, validated at the edge.

Everything is checked before anything is written: identity number (format,
check digit, calendar date), municipality code, enums, lengths. Errors name the
field and never echo personal data.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from models.enums import (
    Agency,
    Criterion,
    CustodyStatus,
    GuardianRole,
    Milieu,
    ProtectionLevel,
)
from models.identity import InvalidIdentityNumber, parse_identity_number
from models.reference.loader import municipality_codes
from models.routing import is_child


class ReferralError(ValueError):
    """A referral that cannot be accepted; `errors` lists `field: reason` lines."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


class PersonIn(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)
    identity_number: str = Field(min_length=10, max_length=13)
    name: str = Field(min_length=1, max_length=200)
    protection_level: ProtectionLevel = ProtectionLevel.NONE

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)
    agency: Agency
    legal_basis: str = Field(min_length=1, max_length=200)


class GuardianIn(BaseModel):
    """A child's guardian: the role, the name (encrypted at rest), and their consent."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)
    role: GuardianRole
    name: str = Field(min_length=1, max_length=200)
    consents: bool


class CriterionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)
    holds: bool | None = None
    evidence_note: str = Field(default="", max_length=2000)


class Referral(BaseModel):
    """What a coordinator submits (`utvag case open referral.json`)."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)
    person: PersonIn
    placing_municipality: str = Field(pattern=r"^[0-9]{4}$")
    referring_agency: Agency
    milieu: Milieu
    custody_status: CustodyStatus = CustodyStatus.NONE
    recorded_by: str = Field(min_length=1, max_length=100)
    consents: list[ConsentIn] = Field(default_factory=list, max_length=8)
    eligibility: dict[Criterion, CriterionIn] = Field(default_factory=dict)
    guardians: list[GuardianIn] = Field(default_factory=list, max_length=4)

    @field_validator("placing_municipality")
    @classmethod
    def _municipality_exists(cls, value: str) -> str:
        if value not in municipality_codes():
            raise ValueError("no municipality has this code")
        return value


def parse_referral(raw: object, *, today: date) -> tuple[Referral, str, date, str]:
    """Validate a referral; return it with the canonical identity number, birth
    date and sex derived from the number. Raises `ReferralError`."""
    try:
        referral = Referral.model_validate(raw)
    except ValidationError as exc:
        lines = [f"{'.'.join(str(p) for p in e['loc']) or 'referral'}: {e['msg']}"
                 for e in exc.errors()]
        raise ReferralError(lines) from None
    try:
        number = parse_identity_number(
            referral.person.identity_number, today=today, field="person.identity_number"
        )
    except InvalidIdentityNumber as exc:
        raise ReferralError([str(exc)]) from None
    if referral.guardians and not is_child(number.birth_date, today=today):
        raise ReferralError(["guardians: recorded for a child (under 18) only"])
    if len({g.role for g in referral.guardians}) != len(referral.guardians):
        raise ReferralError(["guardians: each role once"])
    return referral, number.canonical, number.birth_date, number.sex
