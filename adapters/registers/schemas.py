"""Wire schemas of the register look-up API (both registers share one contract).

Designed for sweeps at scale: one ``POST /lookups`` carries up to
``MAX_SUBJECTS_PER_LOOKUP`` subjects and an ``entries_since`` date, and answers with
every entry on or after that date for any of them. Subjects are identified by identity
number (the registers know people by nothing else), disclosed only for cases with a
recorded consent to the police, who own the registers; each subject carries
``subject_ref``, an opaque reference chosen by Utväg (the case id), and the answer
refers to subjects by that reference only, so no identity number comes back.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "MAX_SUBJECTS_PER_LOOKUP",
    "EntryKind",
    "LookupRequest",
    "LookupResult",
    "LookupSubject",
    "Register",
    "RegisterEntry",
    "Subject",
]

MAX_SUBJECTS_PER_LOOKUP = 500
EntryKind = Literal["conviction", "suspicion"]
Register = Literal["criminal_records", "suspicions"]


class LookupSubject(BaseModel):
    """One person to look up: personal data, disclosed with consent to the police."""

    subject_ref: str = Field(
        min_length=1, max_length=64, description="Opaque reference chosen by the caller; "
        "answers refer to the subject by it. Never personal data."
    )
    identity_number: str = Field(description="Swedish personal identity number, 12 digits.")


class Subject(TypedDict):
    """A subject as the sweep holds and sends it: a ``LookupSubject`` in the wire's own
    shape, so 100,000s of them go into request bodies as they are."""

    subject_ref: str
    identity_number: str


class LookupRequest(BaseModel):
    """Body of ``POST /lookups``: a batch of subjects and the date entries count from."""

    entries_since: date = Field(description="Only entries dated on or after this date.")
    subjects: list[LookupSubject] = Field(
        min_length=1, max_length=MAX_SUBJECTS_PER_LOOKUP,
        description=f"1 to {MAX_SUBJECTS_PER_LOOKUP} subjects; subject_ref unique per request.",
    )


class RegisterEntry(BaseModel):
    """One register entry about a subject: what and when, no offence details."""

    entry_id: str = Field(description="Stable id of the entry in the register.")
    subject_ref: str = Field(description="The subject_ref of the subject it concerns.")
    date: date
    kind: EntryKind = Field(
        description="'conviction' (criminal-records register) or 'suspicion' "
        "(suspicion register)."
    )


class LookupResult(BaseModel):
    """Answer of ``POST /lookups``: the entries found, and how many subjects were looked up."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    register_name: Register
    checked: int = Field(description="Number of subjects looked up (all of the request).")
    entries: list[RegisterEntry] = Field(default_factory=list)
