"""HTTP implementation of ``RegisterPort`` against ``docs/contracts/<register>.openapi.json``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import httpx

from adapters.http import parse_response, send_async
from adapters.registers.schemas import LookupRequest, LookupResult, LookupSubject, Register

__all__ = ["HttpRegisterAdapter"]


class HttpRegisterAdapter:
    """Talks to one register at ``client.base_url``; the async client is owned by the caller."""

    def __init__(self, client: httpx.AsyncClient, *, register: Register) -> None:
        self._client = client
        self.register: Register = register

    async def lookup(self, *, subjects: Sequence[LookupSubject],
                     entries_since: date) -> LookupResult:
        """See ``RegisterPort.lookup``."""
        body = LookupRequest(entries_since=entries_since, subjects=list(subjects))
        response = await send_async(
            self._client, agency=self.register, method="POST", url="/lookups",
            json=body.model_dump(mode="json"),
            redact=[s.identity_number for s in subjects],
        )
        return parse_response(response, LookupResult, agency=self.register)
