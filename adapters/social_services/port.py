"""The social-services port: what the workflow needs from social services.

Flows and tasks depend on this protocol, not on ``HttpSocialServicesAdapter``, so tests can
pass a fake and the transport can change without touching workflow code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from adapters.common import SubmittedRequest
from adapters.social_services.schemas import (
    RelapseNotification,
    RelapseNotificationReceipt,
    SupportDecisionRequest,
    SupportDecisionResult,
)

__all__ = ["SocialServicesPort"]


class SocialServicesPort(Protocol):
    """Applies to municipal social services for support interventions and reads the decision.

    Implementations raise only ``adapters.errors.AgencyError`` subclasses and never retry.
    """

    def request_support_decision(
        self, *, idempotency_key: str, request: SupportDecisionRequest
    ) -> SubmittedRequest:
        """Submit an application for a support decision.

        Social services decide asynchronously: the decision is fetched with
        ``get_support_decision``. Repeating the call with the same ``idempotency_key``
        returns the original request (``created`` False) and creates nothing new.
        """
        ...

    def get_support_decision(self, *, request_id: str) -> SupportDecisionResult:
        """Fetch the current state: ``pending`` until decided, then ``decided`` with the
        decision (granted/refused), the granted interventions and the decision time."""
        ...

    def notify_relapses(self, *, notifications: Sequence[RelapseNotification]
                        ) -> list[RelapseNotificationReceipt]:
        """Tell social services about relapse flags (no personal data in them), up to
        ``MAX_NOTIFICATIONS_PER_BATCH`` in one call; one receipt per notification, in
        order. A notification sent again with the same ``idempotency_key`` creates
        nothing new."""
        ...
