"""HTTP implementation of ``RegisterPort`` against ``docs/contracts/<register>.openapi.json``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import httpx

from adapters.http import parse_response, send_async
from adapters.registers.schemas import LookupResult, Register, SubjectLike

__all__ = ["HttpRegisterAdapter"]


class HttpRegisterAdapter:
    """Talks to one register at ``client.base_url``; the async client is owned by the caller."""

    def __init__(self, client: httpx.AsyncClient, *, register: Register) -> None:
        self._client = client
        self.register: Register = register

    async def lookup(self, *, subjects: Sequence[SubjectLike],
                     entries_since: date) -> LookupResult:
        """See ``RegisterPort.lookup``. The body is built from plain dicts (the shape of
        ``LookupRequest``): a sweep sends 200,000 subjects per 100,000 cases, and a
        pydantic model per subject would cost more than the request itself."""
        body = {"entries_since": entries_since.isoformat(),
                "subjects": [{"subject_ref": s.subject_ref, "identity_number": s.identity_number}
                             for s in subjects]}
        response = await send_async(
            self._client, agency=self.register, method="POST", url="/lookups", json=body,
            redact=[s.identity_number for s in subjects],
        )
        return parse_response(response, LookupResult, agency=self.register)
