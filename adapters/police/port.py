"""The police port: what the workflow needs from the police, independent of transport.

Flows and tasks depend on this protocol, not on ``HttpPoliceAdapter``, so tests can pass a
fake and the transport can change without touching workflow code.
"""

from __future__ import annotations

from typing import Protocol

from adapters.common import SubmittedRequest
from adapters.police.schemas import ThreatAssessmentRequest, ThreatAssessmentResult

__all__ = ["PolicePort"]


class PolicePort(Protocol):
    """Asks the police for a threat assessment ("hotbildsbedömning") and reads the answer.

    Implementations raise only ``adapters.errors.AgencyError`` subclasses and never retry.
    """

    def request_threat_assessment(
        self, *, idempotency_key: str, request: ThreatAssessmentRequest
    ) -> SubmittedRequest:
        """Submit a request for a threat assessment.

        The police answer asynchronously: the result is fetched with
        ``get_threat_assessment``. Repeating the call with the same ``idempotency_key``
        returns the original request (``created`` False) and creates nothing new, so a
        retry after a timeout is safe. Use one key per case and purpose, never per attempt.
        """
        ...

    def get_threat_assessment(self, *, request_id: str) -> ThreatAssessmentResult:
        """Fetch the current state of a request: ``pending`` until the police have
        assessed it, then ``completed`` with level, exclusion zones and validity."""
        ...
