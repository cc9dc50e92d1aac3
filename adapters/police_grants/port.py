"""The police grants port: apply for a state grant for a case and read the decision."""

from __future__ import annotations

from typing import Protocol

from adapters.common import SubmittedRequest
from adapters.police_grants.schemas import GrantApplication, GrantDecision

__all__ = ["PoliceGrantsPort"]


class PoliceGrantsPort(Protocol):
    """Implementations raise only ``adapters.errors.AgencyError`` subclasses, never retry."""

    def apply(self, *, idempotency_key: str, application: GrantApplication) -> SubmittedRequest:
        """Submit the application once per key; the decision is read with ``get_decision``."""
        ...

    def complete(self, *, idempotency_key: str, request_id: str,
                 application: GrantApplication) -> GrantDecision:
        """Complete an application the police asked to have completed."""
        ...

    def get_decision(self, *, request_id: str) -> GrantDecision:
        """Current state of the application."""
        ...
