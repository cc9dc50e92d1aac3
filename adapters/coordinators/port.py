"""The port: tell one municipality's coordinators that something in a case needs them.

A notice carries the case number, the flag id and the municipality code only: the
coordinator opens the case in Utväg (where the access policy applies) to see more."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field


class CoordinatorNotice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    event: str = Field(pattern=r"^utvag\.[a-z_.]+$")
    case_number: str = Field(pattern=r"^UTV-[0-9]{4}-[0-9]{6}$")
    organisation: str = Field(pattern=r"^municipality:[0-9]{4}$")
    flag_id: int


class CoordinatorNotifier(Protocol):
    def notify(self, *, idempotency_key: str, notice: CoordinatorNotice) -> None:
        """Deliver the notice once (the key makes a repeat harmless); raises
        `RetryableAgencyError` or `PermanentAgencyError`."""
