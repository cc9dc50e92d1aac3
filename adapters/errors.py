"""Errors raised by the agency adapters.

Every failure that crosses the ``adapters`` boundary is one of these, so flows and tasks
never see transport-library exceptions and can decide on retries by type alone::

    AgencyError                    base: which agency, why, and the HTTP status if any
    ├── RetryableAgencyError       timeouts, connection errors, HTTP 429 and 5xx:
    │                              trying again later (same Idempotency-Key) may succeed
    └── PermanentAgencyError       other HTTP 4xx and malformed responses: retrying the
                                   same request cannot succeed, a human or a fix is needed

``reason`` is written into logs and Prefect state messages, so it must never contain
personal data: adapters build it from status codes, error codes and sanitised server
details, never from request bodies.
"""

from __future__ import annotations

import functools
from typing import Any


class AgencyError(Exception):
    """A call to an external agency failed.

    Keyword-only construction keeps call sites explicit about which string is the agency
    and which is the reason; ``__reduce__`` keeps the exception picklable (Prefect
    serialises exceptions of failed tasks) despite the keyword-only constructor.
    """

    def __init__(self, *, agency: str, reason: str, status_code: int | None = None) -> None:
        self.agency = agency
        self.reason = reason
        self.status_code = status_code
        super().__init__(f"{agency}: {reason}")

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        rebuild = functools.partial(
            type(self), agency=self.agency, reason=self.reason, status_code=self.status_code
        )
        return (rebuild, ())

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(agency={self.agency!r}, reason={self.reason!r}, "
            f"status_code={self.status_code!r})"
        )


class RetryableAgencyError(AgencyError):
    """A transient failure: the caller may retry the same request (same Idempotency-Key)."""


class PermanentAgencyError(AgencyError):
    """A failure that repeating the same request cannot fix (rejected or unintelligible)."""
