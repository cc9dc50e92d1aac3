"""Simulator of the meeting-invitation API, one app per invited agency (the contract
Utväg defines; the same for Kriminalvården/Frivården, Arbetsförmedlingen, health care
and SiS).

Deterministic: an invitation is signed off ``answer_delay_seconds`` after it was sent,
by ``<agency>-officer``. ``PUT /_admin/scenarios/{case}`` with ``answer_delay_seconds``
delays one case's sign-off; ``reject_status`` rejects its POSTs.
"""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from pydantic import Field

from adapters.common import SubmittedRequest
from adapters.invitations.schemas import InvitationRequest as WireInvitationRequest
from adapters.invitations.schemas import InvitationResult
from simulators.app import AppFactory, create_base_app
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
from simulators.store import Scenario

__all__ = ["AGENCY_TITLES", "InvitationScenario", "app_for"]

AGENCY_TITLES = {
    "kriminalvarden": "Kriminalvården/Frivården",
    "arbetsformedlingen": "Arbetsförmedlingen",
    "health_care": "Health care and psychiatry",
    "sis": "Statens institutionsstyrelse (SiS)",
}

_DESCRIPTION = """Invitations to a collaboration meeting (samverkansmöte) for a person
leaving organised crime, and the agency's sign-off of the meeting's decision. An invitation
is sent once per case (idempotent via the required `Idempotency-Key` header) and signed off
asynchronously: poll the returned `request_id` until `status` is `signed_off`. 429, 503 and
504 are transient: retry with the same key."""


class InvitationRequest(WireInvitationRequest):
    """Body of `POST /meeting-invitations`."""

    case_number: str = Field(min_length=1, max_length=64, description="Utväg case number.")
    subject: Subject
    placing_municipality: str = Field(
        pattern=MUNICIPALITY_CODE, description="4-digit code of the placing municipality."
    )
    units: list[str] = Field(default_factory=list, max_length=10,
                             description="Units of the agency that are called, if any.")
    routing_version: str = Field(min_length=1, max_length=32,
                                 description="Version of the routing rules that called it.")


class InvitationScenario(Scenario):
    """Per-case overrides of an invitation: only the common ones (a delayed sign-off, a
    rejected POST); the sign-off itself has no variants."""


def app_for(agency: str) -> AppFactory:
    """The app factory of one agency's invitation simulator."""

    def create_app(config: SimulatorConfig, /, *, clock: Clock | None = None) -> FastAPI:
        app, store = create_base_app(
            config, title=f"{AGENCY_TITLES[agency]}: meeting-invitation API (Utväg contract)",
            description=_DESCRIPTION, scenario_type=InvitationScenario, clock=clock)

        @app.post(
            "/meeting-invitations", operation_id="inviteToMeeting", status_code=201,
            summary="Invite the agency to a collaboration meeting", tags=["meeting-invitations"],
            response_description="A new invitation was created.",
            responses={
                200: {"model": SubmittedRequest, "description": "Key seen before: same one."},
                400: {"model": ErrorBody, "description": "Idempotency-Key header missing."},
                409: {"model": ErrorBody, "description": "Key already used for another case."},
                **TRANSIENT_RESPONSES,
            },
            openapi_extra=IDEMPOTENCY_KEY_OPENAPI,
        )
        async def invite(body: InvitationRequest, request: Request,
                         response: Response) -> SubmittedRequest:
            """Invite the agency to the case's collaboration meeting.

            The sign-off is asynchronous: poll `GET /meeting-invitations/{request_id}`. The
            same `Idempotency-Key` again returns the original invitation with HTTP 200 and
            `created: false`.
            """
            key = require_idempotency_key(request)
            record, created = store.submit(
                idempotency_key=key, case_number=body.case_number,
                details={"units": ",".join(body.units), "purpose": body.purpose,
                         "municipality": body.placing_municipality},
                delay=config.answer_delay_seconds)
            if not created:
                response.status_code = 200
            status = "signed_off" if store.is_ready(record) else "pending"
            return SubmittedRequest(request_id=record.request_id, status=status, created=created)

        @app.get(
            "/meeting-invitations/{request_id}", operation_id="getMeetingInvitation",
            summary="Get an invitation and its sign-off", tags=["meeting-invitations"],
            responses={404: {"model": ErrorBody, "description": "Unknown request_id."},
                       **TRANSIENT_RESPONSES},
        )
        async def get_invitation(request_id: str) -> InvitationResult:
            """`pending` until the agency has signed off the meeting's decision, then
            `signed_off` with the signing officer's staff id and the time."""
            record = store.get(request_id)
            if not store.is_ready(record):
                return InvitationResult(request_id=record.request_id, status="pending")
            return InvitationResult(request_id=record.request_id, status="signed_off",
                                    signed_off_by=f"{agency}-officer",
                                    signed_off_at=record.ready_at)

        return app

    return create_app
