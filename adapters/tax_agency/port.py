"""The Tax Agency port: ask for protected personal data and read the decision."""

from __future__ import annotations

from typing import Protocol

from adapters.common import SubmittedRequest
from adapters.tax_agency.schemas import ProtectionDecision, ProtectionRequest

__all__ = ["TaxAgencyPort"]


class TaxAgencyPort(Protocol):
    """Implementations raise only ``adapters.errors.AgencyError`` subclasses, never retry."""

    def request_protection(self, *, idempotency_key: str,
                           request: ProtectionRequest) -> SubmittedRequest:
        """File the request once per key (a repeat returns the original, ``created``
        False). The decision is asynchronous: read it with ``get_decision``."""
        ...

    def get_decision(self, *, request_id: str) -> ProtectionDecision:
        """``pending`` until decided, then ``granted`` or ``rejected``."""
        ...
