"""Simulator of the social-services support-decision API (the contract Utväg defines).

Answers are deterministic so tests can assert on them: every application is granted with
a contact person and financial support, decided ``answer_delay_seconds`` after submission.
``PUT /_admin/scenarios`` overrides decision, interventions, delay or rejects the POST.
"""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request, Response
from pydantic import Field

from adapters.common import SubmittedRequest
from adapters.social_services.schemas import (
    RelapseNotificationBatch,
    RelapseNotificationBatchReceipt,
    RelapseNotificationReceipt,
    SupportDecision,
    SupportDecisionResult,
)
from adapters.social_services.schemas import (
    SupportDecisionRequest as WireSupportDecisionRequest,
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

__all__ = ["DEFAULT_INTERVENTIONS", "SocialServicesScenario", "create_app"]

DEFAULT_INTERVENTIONS = ("contact_person", "financial_support")

_DESCRIPTION = """Decisions by municipal social services on support interventions for people
leaving organised crime. An application is submitted once per case (idempotent via the
required `Idempotency-Key` header) and decided asynchronously: poll the returned
`request_id` until `status` is `decided`. 429, 503 and 504 are transient: retry with the
same key."""


class SupportDecisionRequest(WireSupportDecisionRequest):
    """Body of `POST /support-decisions`."""

    case_number: str = Field(min_length=1, max_length=64, description="Utväg case number.")
    subject: Subject
    municipality_code: str = Field(
        pattern=MUNICIPALITY_CODE, description="4-digit code of the deciding municipality."
    )


class SocialServicesScenario(Scenario):
    """Per-case overrides of the support decision."""

    decision: SupportDecision | None = None
    interventions: list[str] | None = None


def create_app(config: SimulatorConfig, /, *, clock: Clock | None = None) -> FastAPI:
    """Build the social-services simulator; state lives in the app (and the state file)."""
    app, store = create_base_app(
        config,
        title="Social-services support-decision API (Utväg contract)",
        description=_DESCRIPTION,
        scenario_type=SocialServicesScenario,
        clock=clock,
    )

    def status_of(record: StoredRequest) -> str:
        return "decided" if store.is_ready(record) else "pending"

    @app.post(
        "/support-decisions",
        operation_id="requestSupportDecision",
        status_code=201,
        summary="Apply for a support decision",
        tags=["support-decisions"],
        response_description="A new application was created.",
        responses={
            200: {"model": SubmittedRequest, "description": "Key seen before: same request."},
            400: {"model": ErrorBody, "description": "Idempotency-Key header missing."},
            409: {"model": ErrorBody, "description": "Key already used for another case."},
            **TRANSIENT_RESPONSES,
        },
        openapi_extra=IDEMPOTENCY_KEY_OPENAPI,
    )
    async def request_support_decision(
        body: SupportDecisionRequest, request: Request, response: Response
    ) -> SubmittedRequest:
        """Apply for support interventions for the subject.

        The decision is asynchronous: poll `GET /support-decisions/{request_id}`. Sending
        the same `Idempotency-Key` again returns the original application with HTTP 200
        and `created: false`; nothing new is created.
        """
        key = require_idempotency_key(request)
        record, created = store.submit(
            idempotency_key=key,
            case_number=body.case_number,
            details={"municipality_code": body.municipality_code},
            delay=config.answer_delay_seconds,
        )
        if not created:
            response.status_code = 200
        return SubmittedRequest(
            request_id=record.request_id, status=status_of(record), created=created
        )

    @app.get(
        "/support-decisions/{request_id}",
        operation_id="getSupportDecision",
        summary="Get a support decision",
        tags=["support-decisions"],
        responses={
            404: {"model": ErrorBody, "description": "Unknown request_id."},
            **TRANSIENT_RESPONSES,
        },
    )
    async def get_support_decision(request_id: str) -> SupportDecisionResult:
        """Current state of an application: `pending` until decided, then `decided` with
        the decision, the granted interventions (empty when refused) and the decision
        time."""
        record = store.get(request_id)
        if not store.is_ready(record):
            return SupportDecisionResult(request_id=record.request_id, status="pending")
        scenario = store.scenario(record.case_number)
        decision = scenario.decision or "granted"
        interventions = scenario.interventions
        if interventions is None:
            interventions = list(DEFAULT_INTERVENTIONS) if decision == "granted" else []
        return SupportDecisionResult(
            request_id=record.request_id,
            status="decided",
            decision=decision,
            interventions=interventions,
            decided_at=record.ready_at,
        )

    @app.post(
        "/relapse-notifications",
        operation_id="notifyRelapses",
        status_code=200,
        summary="Notify relapse flags",
        tags=["relapse-notifications"],
        response_description="One receipt per notification, in order; `created: false` "
                             "for a key seen before.",
        responses={
            400: {"model": ErrorBody, "description": "Idempotency keys not unique."},
            409: {"model": ErrorBody, "description": "A key already used for another case; "
                                                     "nothing recorded."},
            **TRANSIENT_RESPONSES,
        },
    )
    async def notify_relapses(body: RelapseNotificationBatch) -> RelapseNotificationBatchReceipt:
        """Record that a police register holds a new entry (conviction or suspicion) for the
        person in each case, for social services' individual assessment. Carries no
        personal data. Each notification carries its own idempotency key: sent again, it
        returns the original notification with `created: false`."""
        keys = [n.idempotency_key for n in body.notifications]
        if len(set(keys)) != len(keys):
            raise HTTPException(400, "idempotency_key must be unique within a batch")
        recorded = store.submit_many([
            (n.idempotency_key, n.case_number, {"flag_id": str(n.flag_id), "kind": n.kind})
            for n in body.notifications])
        return RelapseNotificationBatchReceipt(receipts=[
            RelapseNotificationReceipt(idempotency_key=record.idempotency_key,
                                       notification_id=record.request_id, created=created)
            for record, created in recorded])

    return app
