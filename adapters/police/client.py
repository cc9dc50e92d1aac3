"""HTTP implementation of ``PolicePort`` against the contract in
``docs/contracts/police.openapi.json``.

The adapter is a thin translation layer: build the wire body, call ``adapters.http.send``
(which classifies failures), validate the answer. It never retries; the calling Prefect task
does, relying on the Idempotency-Key to make that safe.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx

from adapters.common import SubmittedRequest
from adapters.http import parse_response, send
from adapters.police.schemas import ThreatAssessmentRequest, ThreatAssessmentResult

__all__ = ["AGENCY", "HttpPoliceAdapter"]

AGENCY = "police"


class HttpPoliceAdapter:
    """Talks to the police service at ``client.base_url``.

    The ``httpx.Client`` is injected (and owned by the caller) so that base URL, timeouts
    (see ``adapters.http.default_timeout``), TLS and transport are configured in one place
    and tests can use a real loopback simulator or ``httpx.MockTransport``.
    """

    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def request_threat_assessment(
        self, *, idempotency_key: str, request: ThreatAssessmentRequest
    ) -> SubmittedRequest:
        """See ``PolicePort.request_threat_assessment``."""
        response = send(
            self._client,
            agency=AGENCY,
            method="POST",
            url="/threat-assessments",
            json=request.model_dump(mode="json"),
            idempotency_key=idempotency_key,
            redact=request.subject.personal_values(),
        )
        return parse_response(response, SubmittedRequest, agency=AGENCY)

    def get_threat_assessment(self, *, request_id: str) -> ThreatAssessmentResult:
        """See ``PolicePort.get_threat_assessment``."""
        response = send(
            self._client,
            agency=AGENCY,
            method="GET",
            url=f"/threat-assessments/{quote(request_id, safe='')}",
        )
        return parse_response(response, ThreatAssessmentResult, agency=AGENCY)
