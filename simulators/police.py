"""Simulator of the police threat-assessment API (the contract Utväg defines).

Answers are deterministic so tests can assert on them: the level follows the milieu
("gang"/"violent_extremism" -> high, "honour" -> medium, otherwise low), the placing
municipality is the exclusion zone, relocation is required for high/critical, and the
assessment is valid for 180 days from the day of the request. ``PUT /_admin/scenarios``
overrides any of that per case number.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import FastAPI, Request, Response
from pydantic import Field

from adapters.common import SubmittedRequest
from adapters.police.schemas import (
    ThreatAssessmentRequest as WireThreatAssessmentRequest,
)
from adapters.police.schemas import (
    ThreatAssessmentResult,
    ThreatLevel,
)
from simulators.app import create_base_app
from simulators.clock import Clock
from simulators.config import SimulatorConfig
from simulators.contract import (
    IDEMPOTENCY_KEY_OPENAPI,
    MUNICIPALITY_CODE,
    TRANSIENT_RESPONSES,
    ErrorBody,
    Subject,
    require_idempotency_key,
)
from simulators.store import Scenario, StoredRequest

__all__ = ["PoliceScenario", "create_app", "level_for_milieu"]

VALIDITY = timedelta(days=180)
_LEVEL_BY_MILIEU: dict[str, ThreatLevel] = {
    "gang": "high",
    "violent_extremism": "high",
    "honour": "medium",
}

_DESCRIPTION = """Threat assessments ("hotbildsbedömning") by the Swedish Police for people
leaving organised crime. A request is submitted once per case (idempotent via the required
`Idempotency-Key` header) and answered asynchronously: poll the returned `request_id` until
`status` is `completed`. 429, 503 and 504 are transient: retry with the same key."""


class ThreatAssessmentRequest(WireThreatAssessmentRequest):
    """Body of `POST /threat-assessments`."""

    case_number: str = Field(min_length=1, max_length=64, description="Utväg case number.")
    subject: Subject
    placing_municipality: str = Field(
        pattern=MUNICIPALITY_CODE, description="4-digit code of the placing municipality."
    )
    milieu: str = Field(
        min_length=1,
        max_length=64,
        description="Criminal milieu, e.g. 'gang', 'violent_extremism', 'honour'.",
    )


class PoliceScenario(Scenario):
    """Per-case overrides of the threat assessment."""

    level: ThreatLevel | None = None
    exclusion_zones: list[Annotated[str, Field(pattern=MUNICIPALITY_CODE)]] | None = None
    relocation_required: bool | None = None


def level_for_milieu(milieu: str) -> ThreatLevel:
    """The simulator's default threat level for a milieu."""
    return _LEVEL_BY_MILIEU.get(milieu, "low")


def create_app(config: SimulatorConfig, /, *, clock: Clock | None = None) -> FastAPI:
    """Build the police simulator; state lives in the app (and ``config.state_file``)."""
    app, store = create_base_app(
        config, title="Police threat-assessment API (Utväg contract)", description=_DESCRIPTION,
        scenario_type=PoliceScenario, clock=clock,
    )

    def status_of(record: StoredRequest) -> str:
        return "completed" if store.is_ready(record) else "pending"

    @app.post(
        "/threat-assessments",
        operation_id="requestThreatAssessment",
        status_code=201,
        summary="Request a threat assessment",
        tags=["threat-assessments"],
        response_description="A new request was created.",
        responses={
            200: {"model": SubmittedRequest, "description": "Key seen before: same request."},
            400: {"model": ErrorBody, "description": "Idempotency-Key header missing."},
            409: {"model": ErrorBody, "description": "Key already used for another case."},
            **TRANSIENT_RESPONSES,
        },
        openapi_extra=IDEMPOTENCY_KEY_OPENAPI,
    )
    async def request_threat_assessment(
        body: ThreatAssessmentRequest, request: Request, response: Response
    ) -> SubmittedRequest:
        """Submit a request for a threat assessment of the subject.

        The answer is asynchronous: poll `GET /threat-assessments/{request_id}`. Sending
        the same `Idempotency-Key` again returns the original request with HTTP 200 and
        `created: false`; nothing new is created.
        """
        key = require_idempotency_key(request)
        record, created = store.submit(
            idempotency_key=key,
            case_number=body.case_number,
            details={"milieu": body.milieu, "placing_municipality": body.placing_municipality},
            delay=config.answer_delay_seconds,
        )
        if not created:
            response.status_code = 200
        return SubmittedRequest(
            request_id=record.request_id, status=status_of(record), created=created
        )

    @app.get(
        "/threat-assessments/{request_id}",
        operation_id="getThreatAssessment",
        summary="Get a threat assessment",
        tags=["threat-assessments"],
        responses={
            404: {"model": ErrorBody, "description": "Unknown request_id."},
            **TRANSIENT_RESPONSES,
        },
    )
    async def get_threat_assessment(request_id: str) -> ThreatAssessmentResult:
        """Current state of a request: `pending` (assessment fields null/empty) until the
        police have assessed it, then `completed` with level, exclusion zones, whether
        relocation is required and the last day the assessment is valid."""
        record = store.get(request_id)
        if not store.is_ready(record):
            return ThreatAssessmentResult(request_id=record.request_id, status="pending")
        scenario = store.scenario(record.case_number)
        level = scenario.level or level_for_milieu(record.details["milieu"])
        zones = scenario.exclusion_zones
        relocation = scenario.relocation_required
        return ThreatAssessmentResult(
            request_id=record.request_id,
            status="completed",
            level=level,
            exclusion_zones=[record.details["placing_municipality"]] if zones is None else zones,
            relocation_required=level in ("high", "critical") if relocation is None else relocation,
            valid_until=record.created_at.date() + VALIDITY,
        )

    return app
