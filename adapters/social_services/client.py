"""HTTP implementation of ``SocialServicesPort`` against the contract in
``docs/contracts/social_services.openapi.json``.

The adapter is a thin translation layer: build the wire body, call ``adapters.http.send``
(which classifies failures), validate the answer. It never retries; the calling Prefect task
does, relying on the Idempotency-Key to make that safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

import httpx

from adapters.common import SubmittedRequest
from adapters.http import parse_response, send
from adapters.social_services.schemas import (
    RelapseNotification,
    RelapseNotificationBatch,
    RelapseNotificationBatchReceipt,
    RelapseNotificationReceipt,
    SupportDecisionRequest,
    SupportDecisionResult,
)

__all__ = ["AGENCY", "HttpSocialServicesAdapter"]

AGENCY = "social_services"


class HttpSocialServicesAdapter:
    """Talks to the social-services service at ``client.base_url``.

    The ``httpx.Client`` is injected (and owned by the caller) so that base URL, timeouts
    (see ``adapters.http.default_timeout``), TLS and transport are configured in one place.
    """

    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def request_support_decision(
        self, *, idempotency_key: str, request: SupportDecisionRequest
    ) -> SubmittedRequest:
        """See ``SocialServicesPort.request_support_decision``."""
        response = send(
            self._client,
            agency=AGENCY,
            method="POST",
            url="/support-decisions",
            json=request.model_dump(mode="json"),
            idempotency_key=idempotency_key,
            redact=request.subject.personal_values(),
        )
        return parse_response(response, SubmittedRequest, agency=AGENCY)

    def get_support_decision(self, *, request_id: str) -> SupportDecisionResult:
        """See ``SocialServicesPort.get_support_decision``."""
        response = send(
            self._client,
            agency=AGENCY,
            method="GET",
            url=f"/support-decisions/{quote(request_id, safe='')}",
        )
        return parse_response(response, SupportDecisionResult, agency=AGENCY)

    def notify_relapses(self, *, notifications: Sequence[RelapseNotification]
                        ) -> list[RelapseNotificationReceipt]:
        """See ``SocialServicesPort.notify_relapses``."""
        body = RelapseNotificationBatch(notifications=list(notifications))
        response = send(
            self._client,
            agency=AGENCY,
            method="POST",
            url="/relapse-notifications",
            json=body.model_dump(mode="json"),
        )
        return parse_response(response, RelapseNotificationBatchReceipt,
                              agency=AGENCY).receipts
