"""HTTP implementation of ``PoliceGrantsPort`` (``docs/contracts/police_grants.openapi.json``)."""

from __future__ import annotations

from urllib.parse import quote

import httpx

from adapters.common import SubmittedRequest
from adapters.http import parse_response, send
from adapters.police_grants.schemas import GrantApplication, GrantDecision

__all__ = ["AGENCY", "HttpPoliceGrantsAdapter"]

AGENCY = "police"


class HttpPoliceGrantsAdapter:
    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def apply(self, *, idempotency_key: str, application: GrantApplication) -> SubmittedRequest:
        response = send(self._client, agency=AGENCY, method="POST", url="/grant-applications",
                        json=application.model_dump(mode="json"),
                        idempotency_key=idempotency_key,
                        redact=application.subject.personal_values())
        return parse_response(response, SubmittedRequest, agency=AGENCY)

    def complete(self, *, idempotency_key: str, request_id: str,
                 application: GrantApplication) -> GrantDecision:
        response = send(self._client, agency=AGENCY, method="POST",
                        url=f"/grant-applications/{quote(request_id, safe='')}/completion",
                        json=application.model_dump(mode="json"),
                        idempotency_key=idempotency_key,
                        redact=application.subject.personal_values())
        return parse_response(response, GrantDecision, agency=AGENCY)

    def get_decision(self, *, request_id: str) -> GrantDecision:
        response = send(self._client, agency=AGENCY, method="GET",
                        url=f"/grant-applications/{quote(request_id, safe='')}")
        return parse_response(response, GrantDecision, agency=AGENCY)
