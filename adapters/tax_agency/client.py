"""HTTP implementation of ``TaxAgencyPort`` (``docs/contracts/tax_agency.openapi.json``).

Thin like the other adapters: build the body, ``adapters.http.send`` classifies failures,
validate the answer. It never retries; the calling task does, with the same key.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx

from adapters.common import SubmittedRequest
from adapters.http import parse_response, send
from adapters.tax_agency.schemas import ProtectionDecision, ProtectionRequest

__all__ = ["AGENCY", "HttpTaxAgencyAdapter"]

AGENCY = "tax_agency"


class HttpTaxAgencyAdapter:
    """Talks to the Tax Agency at ``client.base_url``; the client is the caller's."""

    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def request_protection(self, *, idempotency_key: str,
                           request: ProtectionRequest) -> SubmittedRequest:
        """See ``TaxAgencyPort.request_protection``."""
        response = send(self._client, agency=AGENCY, method="POST", url="/protection-requests",
                        json=request.model_dump(mode="json"), idempotency_key=idempotency_key,
                        redact=request.subject.personal_values())
        return parse_response(response, SubmittedRequest, agency=AGENCY)

    def get_decision(self, *, request_id: str) -> ProtectionDecision:
        """See ``TaxAgencyPort.get_decision``."""
        response = send(self._client, agency=AGENCY, method="GET",
                        url=f"/protection-requests/{quote(request_id, safe='')}")
        return parse_response(response, ProtectionDecision, agency=AGENCY)
