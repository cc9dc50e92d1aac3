"""What every agency contract shares: its version, the Idempotency-Key header, the
transient answers (429/503/504), the subject of a request and the error body."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request
from pydantic import Field

from adapters.common import ErrorBody
from adapters.common import Subject as WireSubject

__all__ = [
    "CONTRACT_VERSION",
    "IDEMPOTENCY_KEY_OPENAPI",
    "MUNICIPALITY_CODE",
    "TRANSIENT_RESPONSES",
    "ErrorBody",
    "Subject",
    "require_idempotency_key",
]

CONTRACT_VERSION = "1.0.0"
MUNICIPALITY_CODE = r"^\d{4}$"
_MAX_KEY_LENGTH = 255

IDEMPOTENCY_KEY_OPENAPI: dict[str, object] = {
    "parameters": [
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": True,
            "description": "Client-chosen key identifying this logical request. A repeated key "
            "returns the original request (HTTP 200) and creates nothing; reusing a key for "
            "another case number is a conflict (409). Missing key: 400.",
            "schema": {"type": "string", "minLength": 1, "maxLength": _MAX_KEY_LENGTH},
        }
    ]
}


# Answers any agency endpoint may give under load/outage (see simulators.faults).
TRANSIENT_RESPONSES: dict[int | str, dict[str, Any]] = {
    429: {"model": ErrorBody, "description": "Rate limited; retry after Retry-After seconds."},
    503: {"model": ErrorBody, "description": "Temporarily unavailable; retry later."},
    504: {"model": ErrorBody, "description": "Timed out before processing; retry later."},
}


class Subject(WireSubject):
    """The person the request concerns: personal data, disclosed with consent."""

    identity_number: str = Field(
        pattern=r"^\d{12}$", description="Swedish personal identity number: 12 digits."
    )
    name: str | None = Field(default=None, min_length=1, max_length=200, description=(
        "Full name, where the purpose needs it; absent for a person with protected personal "
        "data (the identity number suffices)."))


def require_idempotency_key(request: Request) -> str:
    """The Idempotency-Key header, or ``HTTPException`` 400 (retries are unsafe without it)."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        raise HTTPException(400, "Idempotency-Key header is required")
    if len(key) > _MAX_KEY_LENGTH:
        raise HTTPException(400, f"Idempotency-Key longer than {_MAX_KEY_LENGTH} characters")
    return key
