"""Simulator of the police grants API (state grants to defector work; NOA decides).

Deterministic, from the application itself: without the coordinator's statement or
without interventions the police ask for a completion within 14 days (rejected as
`not_completed_when_asked` once that deadline passes); a statement that does not support
the application is rejected as `criteria_not_met`; otherwise the amount applied for is
granted. The scenario `grant_completion: true` asks for a completion first. Decided
``answer_delay_seconds`` after submission.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import FastAPI, HTTPException, Request, Response
from pydantic import Field

from adapters.common import SubmittedRequest
from adapters.police_grants.schemas import GrantApplication as WireGrantApplication
from adapters.police_grants.schemas import GrantDecision
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

__all__ = ["COMPLETION_DAYS", "GrantScenario", "create_app"]

COMPLETION_DAYS = 14
_DESCRIPTION = """Applications by municipalities for state grants to defector work, per
individual, with the proposed action plan and the police defector coordinator's statement.
Submitted once per case (idempotent via `Idempotency-Key`) and decided asynchronously: poll
`request_id`. A decision is `granted` (amount), `rejected` (reason), or
`completion_requested` with a deadline; complete it with `POST .../completion`."""


class GrantApplication(WireGrantApplication):
    """Body of `POST /grant-applications`."""

    case_number: str = Field(min_length=1, max_length=64)
    subject: Subject
    applicant_municipality: str = Field(pattern=MUNICIPALITY_CODE)
    amount_sek: int = Field(ge=0, le=100_000_000)


class GrantScenario(Scenario):
    """Per-case override of the grant decision."""

    grant_completion: bool | None = Field(
        default=None, description="Ask for a completion before deciding."
    )


def _details(body: GrantApplication) -> dict[str, str]:
    supports = "none" if body.statement is None else str(body.statement.supports).lower()
    return {"amount": str(body.amount_sek), "supports": supports,
            "interventions": str(len(body.interventions))}


def _decide(record: StoredRequest, *, now: datetime,
            ask_completion: bool = False) -> GrantDecision:
    d, rid = record.details, record.request_id
    if not record.is_ready(now):
        return GrantDecision(request_id=rid, status="pending")
    incomplete = ask_completion and d.get("completed") != "true"
    if incomplete or d["supports"] == "none" or d["interventions"] == "0":
        deadline = (record.ready_at + timedelta(days=COMPLETION_DAYS)).date()
        if now.date() > deadline:
            return GrantDecision(request_id=rid, status="rejected",
                                 rejection_reason="not_completed_when_asked")
        return GrantDecision(request_id=rid, status="completion_requested",
                             completion_deadline=deadline)
    if d["supports"] == "false":
        return GrantDecision(request_id=rid, status="rejected",
                             rejection_reason="criteria_not_met")
    return GrantDecision(request_id=rid, status="granted", amount_sek=int(d["amount"]))


def create_app(config: SimulatorConfig, /, *, clock: Clock | None = None) -> FastAPI:
    """Build the police grants simulator; state lives in the app (and the state file)."""
    app, store = create_base_app(config, title="Police grants API (Utväg contract)",
                                 description=_DESCRIPTION, scenario_type=GrantScenario,
                                 clock=clock)

    def decide(record: StoredRequest) -> GrantDecision:
        scenario = store.scenario(record.case_number)
        return _decide(record, now=store.clock.now(),
                       ask_completion=bool(scenario.grant_completion))

    common = {400: {"model": ErrorBody, "description": "Idempotency-Key header missing."},
              **TRANSIENT_RESPONSES}

    @app.post("/grant-applications", operation_id="applyForGrant", status_code=201,
              summary="Apply for a state grant for one case", tags=["grant-applications"],
              responses={200: {"model": SubmittedRequest, "description": "Key seen before."},
                         409: {"model": ErrorBody, "description": "Key used for another case."},
                         **common},
              openapi_extra=IDEMPOTENCY_KEY_OPENAPI)
    async def apply(body: GrantApplication, request: Request,
                    response: Response) -> SubmittedRequest:
        """Submit the application; the same key again returns the original one (HTTP 200)."""
        key = require_idempotency_key(request)
        record, created = store.submit(idempotency_key=key, case_number=body.case_number,
                                       details=_details(body), delay=config.answer_delay_seconds)
        if not created:
            response.status_code = 200
        return SubmittedRequest(request_id=record.request_id, status=decide(record).status,
                                created=created)

    @app.post("/grant-applications/{request_id}/completion", operation_id="completeGrant",
              summary="Complete an application", tags=["grant-applications"],
              responses={404: {"model": ErrorBody, "description": "Unknown request_id."},
                         409: {"model": ErrorBody, "description": "No completion was asked."},
                         **common},
              openapi_extra=IDEMPOTENCY_KEY_OPENAPI)
    async def complete(request_id: str, body: GrantApplication,
                       request: Request) -> GrantDecision:
        """Replace the application's content when a completion was asked and is not late;
        sending the same completion again changes nothing."""
        require_idempotency_key(request)
        record = store.get(request_id)
        if decide(record).status != "completion_requested":
            if {**record.details, "completed": "true"} == {**_details(body), "completed": "true"}:
                return decide(record)
            raise HTTPException(409, "no completion requested for this application")
        record.details.update({**_details(body), "completed": "true"})
        return decide(record)

    @app.get("/grant-applications/{request_id}", operation_id="getGrantDecision",
             summary="Get the decision on an application", tags=["grant-applications"],
             responses={404: {"model": ErrorBody, "description": "Unknown request_id."},
                        **TRANSIENT_RESPONSES})
    async def get_decision(request_id: str) -> GrantDecision:
        """`pending`, `completion_requested` (with deadline), `granted` or `rejected`."""
        return decide(store.get(request_id))

    return app
