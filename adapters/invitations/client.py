"""HTTP implementation of ``InvitationPort`` against the contract in
``docs/contracts/<agency>.openapi.json`` (the same contract for every invited agency)."""

from __future__ import annotations

from urllib.parse import quote

import httpx

from adapters.common import SubmittedRequest
from adapters.http import parse_response, send
from adapters.invitations.schemas import InvitationRequest, InvitationResult

__all__ = ["HttpInvitationAdapter"]


class HttpInvitationAdapter:
    """Talks to one agency's invitation API at ``client.base_url``; ``agency`` names it in
    errors and in the journal."""

    def __init__(self, client: httpx.Client, *, agency: str) -> None:
        self._client = client
        self.agency = agency

    def invite(self, *, idempotency_key: str, request: InvitationRequest) -> SubmittedRequest:
        """See ``InvitationPort.invite``."""
        response = send(self._client, agency=self.agency, method="POST",
                        url="/meeting-invitations", json=request.model_dump(mode="json"),
                        idempotency_key=idempotency_key,
                        redact=request.subject.personal_values())
        return parse_response(response, SubmittedRequest, agency=self.agency)

    def get_invitation(self, *, request_id: str) -> InvitationResult:
        """See ``InvitationPort.get_invitation``."""
        response = send(self._client, agency=self.agency, method="GET",
                        url=f"/meeting-invitations/{quote(request_id, safe='')}")
        return parse_response(response, InvitationResult, agency=self.agency)
