"""Simulator of the Tax Agency's (Skatteverket) protected-personal-data API (the contract
Utväg defines).

Deterministic: *skyddad folkbokföring* asked for on a low or medium threat is rejected
(`threat_not_established`); everything else is granted as asked, ``answer_delay_seconds``
after the request. The scenario `protection_decision: rejected` rejects any request for
the case (`insufficient_grounds`). The body forbids fields the contract does not name, so
a request carrying an address is refused (422) and never stored; only measure and threat
level are kept, the identity number is validated and dropped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import FastAPI, Request, Response
from pydantic import Field

from adapters.common import SubmittedRequest
from adapters.tax_agency.schemas import ProtectionDecision
from adapters.tax_agency.schemas import ProtectionRequest as WireProtectionRequest
from adapters.tax_agency.schemas import ProtectionSubject as WireSubject
from simulators.app import create_base_app
from simulators.clock import Clock
from simulators.config import SimulatorConfig
from simulators.contract import (
    IDEMPOTENCY_KEY_OPENAPI,
    MUNICIPALITY_CODE,
    TRANSIENT_RESPONSES,
    ErrorBody,
    require_idempotency_key,
)
from simulators.store import Scenario, StoredRequest

__all__ = ["TaxAgencyScenario", "create_app"]

_DESCRIPTION = """Requests by municipal social services to protect the personal data of a
person who has been relocated under a threat: `sekretessmarkering` or
`skyddad_folkbokforing`. The person is identified by identity number only; the request
carries no address and no destination. Filed once per case (idempotent via the required
`Idempotency-Key` header) and decided asynchronously: poll `request_id` until `status` is
`granted` or `rejected`. 429, 503 and 504 are transient: retry with the same key."""


class ProtectionSubject(WireSubject):
    identity_number: str = Field(pattern=r"^\d{12}$",
                                 description="Swedish personal identity number: 12 digits.")


class ProtectionRequest(WireProtectionRequest):
    """Body of `POST /protection-requests`."""

    case_number: str = Field(min_length=1, max_length=64, description="Utväg case number.")
    subject: ProtectionSubject
    requesting_municipality: str = Field(pattern=MUNICIPALITY_CODE,
                                         description="4-digit code of the placing municipality.")


class TaxAgencyScenario(Scenario):
    """Per-case override of the decision on protected personal data."""

    protection_decision: Literal["granted", "rejected"] | None = Field(
        default=None, description="Decide protected personal data this way."
    )


def _decide(record: StoredRequest, *, now: datetime, rejected: bool) -> ProtectionDecision:
    rid, measure = record.request_id, record.details["measure"]
    if not record.is_ready(now):
        return ProtectionDecision(request_id=rid, status="pending")
    if rejected:
        return ProtectionDecision(request_id=rid, status="rejected",
                                  rejection_reason="insufficient_grounds",
                                  decided_at=record.ready_at)
    if measure == "skyddad_folkbokforing" and record.details["threat_level"] in ("low",
                                                                                  "medium"):
        return ProtectionDecision(request_id=rid, status="rejected",
                                  rejection_reason="threat_not_established",
                                  decided_at=record.ready_at)
    return ProtectionDecision.model_validate({"request_id": rid, "status": "granted",
                                             "measure": measure,
                                             "decided_at": record.ready_at})


def create_app(config: SimulatorConfig, /, *, clock: Clock | None = None) -> FastAPI:
    """Build the Tax Agency simulator; state lives in the app (and the state file)."""
    app, store = create_base_app(config, title="Tax Agency protected personal data API "
                                 "(Utväg contract)", description=_DESCRIPTION,
                                 scenario_type=TaxAgencyScenario, clock=clock)

    def decide(record: StoredRequest) -> ProtectionDecision:
        scenario = store.scenario(record.case_number)
        return _decide(record, now=store.clock.now(),
                       rejected=scenario.protection_decision == "rejected")

    @app.post("/protection-requests", operation_id="requestProtection", status_code=201,
              summary="Ask for protected personal data", tags=["protection-requests"],
              response_description="A new request was filed.",
              responses={200: {"model": SubmittedRequest, "description": "Key seen before."},
                         400: {"model": ErrorBody,
                               "description": "Idempotency-Key header missing."},
                         409: {"model": ErrorBody, "description": "Key used for another case."},
                         **TRANSIENT_RESPONSES},
              openapi_extra=IDEMPOTENCY_KEY_OPENAPI)
    async def request_protection(body: ProtectionRequest, request: Request,
                                 response: Response) -> SubmittedRequest:
        """File the request. The same `Idempotency-Key` again returns the original request
        with HTTP 200 and `created: false`; nothing new is filed."""
        key = require_idempotency_key(request)
        record, created = store.submit(
            idempotency_key=key, case_number=body.case_number,
            details={"measure": body.measure, "threat_level": body.threat_level},
            delay=config.answer_delay_seconds)
        if not created:
            response.status_code = 200
        return SubmittedRequest(request_id=record.request_id, status=decide(record).status,
                                created=created)

    @app.get("/protection-requests/{request_id}", operation_id="getProtectionDecision",
             summary="Get the decision on a request", tags=["protection-requests"],
             responses={404: {"model": ErrorBody, "description": "Unknown request_id."},
                        **TRANSIENT_RESPONSES})
    async def get_decision(request_id: str) -> ProtectionDecision:
        """`pending`, then `granted` (with the measure) or `rejected` (with the reason)."""
        return decide(store.get(request_id))

    return app
