"""The invitation port: what the workflow needs from an invited agency."""

from __future__ import annotations

from typing import Protocol

from adapters.common import SubmittedRequest
from adapters.invitations.schemas import InvitationRequest, InvitationResult

__all__ = ["InvitationPort"]


class InvitationPort(Protocol):
    """Invites one agency to a case's collaboration meeting and reads its sign-off.

    Implementations raise only ``adapters.errors.AgencyError`` subclasses and never retry.
    """

    agency: str

    def invite(self, *, idempotency_key: str, request: InvitationRequest) -> SubmittedRequest:
        """Send the invitation (or, by ``purpose``, a hand-over request); the same
        ``idempotency_key`` returns the original one. Acceptance reads as a sign-off."""
        ...

    def get_invitation(self, *, request_id: str) -> InvitationResult:
        """The invitation's state: ``pending`` until the agency has signed off."""
        ...
