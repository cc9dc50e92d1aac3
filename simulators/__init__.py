"""Simulators of the external agencies (police, social services, the others in `catalog`).

No agency offers an API, so Utväg defines the contract (``docs/contracts/*.openapi.json``,
generated from these apps) and ships simulators implementing it. Shared here: configuration,
the idempotent request store (in memory, optionally persisted to a JSON file), per-case
scenario overrides and the simulator-only admin API (left out of the contracts)::

    GET  /health                      liveness
    GET  /_admin/faults               current fault settings
    PUT  /_admin/faults               change fault settings (only the fields given)
    GET  /_admin/requests             {"by_idempotency_key": {key: post_count}, "resources": n}
    POST /_admin/reset                forget all requests/scenarios, restore start-up faults
    PUT  /_admin/scenarios/{case}     override the outcome for one case number
    DELETE /_admin/scenarios/{case}   remove an override

Only non-personal fields are stored (case number, milieu, municipality codes): name and
identity number are validated, then dropped, so no state file or log ever contains them.
"""

from __future__ import annotations

import os
import tempfile
import threading
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from adapters.common import ErrorBody
from adapters.common import Subject as WireSubject
from adapters.police.schemas import ThreatLevel
from adapters.social_services.schemas import SupportDecision
from simulators.faults import FaultInjector, FaultMiddleware, FaultSettings, fault_admin_router

__all__ = [
    "CONTRACT_VERSION",
    "ErrorBody",
    "IDEMPOTENCY_KEY_OPENAPI",
    "MUNICIPALITY_CODE",
    "RequestStore",
    "RequestsSummary",
    "Scenario",
    "SimulatorConfig",
    "StoredRequest",
    "TRANSIENT_RESPONSES",
    "Subject",
    "create_base_app",
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


class SimulatorConfig(FaultSettings):
    """Start-up configuration of one simulator (fault fields are inherited)."""

    answer_delay_seconds: float = Field(
        default=2.0, ge=0.0, description="Time from creation until the answer is ready."
    )
    state_file: Path | None = Field(
        default=None, description="JSON file to persist requests in, so restarts keep them."
    )

    def fault_settings(self) -> FaultSettings:
        """The fault part of the configuration."""
        fields = set(FaultSettings.model_fields)
        return FaultSettings.model_validate(self.model_dump(include=fields))


class Subject(WireSubject):
    """The person the request concerns: personal data, disclosed with consent."""

    identity_number: str = Field(
        pattern=r"^\d{12}$", description="Swedish personal identity number: 12 digits."
    )
    name: str = Field(min_length=1, max_length=200, description="Full name.")


class Scenario(BaseModel):
    """Per-case-number overrides of the simulated outcome; absent fields keep the default."""

    model_config = ConfigDict(extra="forbid")

    level: ThreatLevel | None = None
    exclusion_zones: list[Annotated[str, Field(pattern=MUNICIPALITY_CODE)]] | None = None
    relocation_required: bool | None = None
    decision: SupportDecision | None = None
    interventions: list[str] | None = None
    answer_delay_seconds: float | None = Field(default=None, ge=0.0)
    reject_status: int | None = Field(
        default=None, ge=400, le=599, description="Answer new POSTs for the case with this."
    )
    grant_completion: bool | None = Field(
        default=None, description="Police grants: ask for a completion before deciding."
    )
    protection_decision: Literal["granted", "rejected"] | None = Field(
        default=None, description="Tax Agency: decide protected personal data this way."
    )


class StoredRequest(BaseModel):
    """One created request: only what is needed to compute the answer."""

    request_id: str
    idempotency_key: str
    case_number: str
    created_at: datetime
    answer_delay_seconds: float
    details: dict[str, str]

    @property
    def ready_at(self) -> datetime:
        """When the agency's answer becomes available."""
        return self.created_at + timedelta(seconds=self.answer_delay_seconds)

    def is_ready(self) -> bool:
        """Whether the answer is available now."""
        return datetime.now(UTC) >= self.ready_at


class RequestsSummary(BaseModel):
    """Answer of ``GET /_admin/requests``."""

    by_idempotency_key: dict[str, int]
    resources: int


class _State(BaseModel):
    requests: dict[str, StoredRequest] = Field(default_factory=dict)
    request_by_key: dict[str, str] = Field(default_factory=dict)
    post_counts: dict[str, int] = Field(default_factory=dict)
    scenarios: dict[str, Scenario] = Field(default_factory=dict)


class RequestStore:
    """Idempotent request store; every change is written through to ``state_file``."""

    def __init__(self, state_file: Path | None) -> None:
        self._state_file = state_file
        self._lock = threading.Lock()
        self._state = _State()
        if state_file is not None and state_file.exists():
            self._state = _State.model_validate_json(state_file.read_bytes())

    def submit(
        self, *, idempotency_key: str, case_number: str, details: dict[str, str], delay: float
    ) -> tuple[StoredRequest, bool]:
        """Create a request, or return the one already created under this key.

        Returns ``(request, created)``. Raises ``HTTPException`` 409 when the key was used
        for another case number, or the scenario's ``reject_status`` for this case.
        """
        with self._lock:
            state = self._state
            state.post_counts[idempotency_key] = state.post_counts.get(idempotency_key, 0) + 1
            existing_id = state.request_by_key.get(idempotency_key)
            if existing_id is not None:
                existing = state.requests[existing_id]
                self._save()
                if existing.case_number != case_number:
                    raise HTTPException(409, "Idempotency-Key already used for another case")
                return existing, False
            scenario = state.scenarios.get(case_number) or Scenario()
            if scenario.reject_status is not None:
                self._save()
                status = scenario.reject_status
                headers = {"Retry-After": "0"} if status in (429, 503) else None
                raise HTTPException(status, f"rejected by scenario (HTTP {status})", headers)
            if scenario.answer_delay_seconds is not None:
                delay = scenario.answer_delay_seconds
            record = StoredRequest(
                request_id=str(uuid.uuid4()),
                idempotency_key=idempotency_key,
                case_number=case_number,
                created_at=datetime.now(UTC),
                answer_delay_seconds=delay,
                details=details,
            )
            state.requests[record.request_id] = record
            state.request_by_key[idempotency_key] = record.request_id
            self._save()
            return record, True

    def submit_many(self, items: Sequence[tuple[str, str, dict[str, str]]]
                    ) -> list[tuple[StoredRequest, bool]]:
        """``submit`` of many ``(idempotency_key, case_number, details)`` at once (no
        answer delay), written through once. All or nothing: a key used for another case
        (409) or a scenario rejecting a case refuses the whole batch before anything is
        recorded."""
        with self._lock:
            state = self._state
            for key, case_number, _ in items:
                existing_id = state.request_by_key.get(key)
                if existing_id is not None and \
                        state.requests[existing_id].case_number != case_number:
                    raise HTTPException(409, "Idempotency-Key already used for another case")
                status = (state.scenarios.get(case_number) or Scenario()).reject_status
                if status is not None:
                    headers = {"Retry-After": "0"} if status in (429, 503) else None
                    raise HTTPException(status, f"rejected by scenario (HTTP {status})",
                                        headers)
            out: list[tuple[StoredRequest, bool]] = []
            now = datetime.now(UTC)
            for key, case_number, details in items:
                state.post_counts[key] = state.post_counts.get(key, 0) + 1
                existing_id = state.request_by_key.get(key)
                if existing_id is not None:
                    out.append((state.requests[existing_id], False))
                    continue
                record = StoredRequest(request_id=str(uuid.uuid4()), idempotency_key=key,
                                       case_number=case_number, created_at=now,
                                       answer_delay_seconds=0.0, details=details)
                state.requests[record.request_id] = record
                state.request_by_key[key] = record.request_id
                out.append((record, True))
            self._save()
            return out

    def get(self, request_id: str) -> StoredRequest:
        """The stored request, or ``HTTPException`` 404."""
        with self._lock:
            record = self._state.requests.get(request_id)
        if record is None:
            raise HTTPException(404, "Unknown request_id")
        return record

    def scenario(self, case_number: str) -> Scenario:
        """The override for a case (an empty one when none is set)."""
        with self._lock:
            return self._state.scenarios.get(case_number) or Scenario()

    def set_scenario(self, case_number: str, scenario: Scenario | None) -> None:
        """Set (or with ``None`` remove) the override for a case."""
        with self._lock:
            if scenario is None:
                self._state.scenarios.pop(case_number, None)
            else:
                self._state.scenarios[case_number] = scenario
            self._save()

    def summary(self) -> RequestsSummary:
        """POST counts per idempotency key and the number of created resources."""
        with self._lock:
            return RequestsSummary(
                by_idempotency_key=dict(self._state.post_counts),
                resources=len(self._state.requests),
            )

    def reset(self) -> None:
        """Forget everything (requests, counts, scenarios)."""
        with self._lock:
            self._state = _State()
            self._save()

    def _save(self) -> None:
        """Atomically replace the state file so a crash never leaves half a file."""
        if self._state_file is None:
            return
        directory = self._state_file.parent
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{self._state_file.name}.")
        with os.fdopen(fd, "wb") as handle:
            handle.write(self._state.model_dump_json(indent=2).encode())
        os.replace(tmp, self._state_file)


def require_idempotency_key(request: Request) -> str:
    """The Idempotency-Key header, or ``HTTPException`` 400 (retries are unsafe without it)."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        raise HTTPException(400, "Idempotency-Key header is required")
    if len(key) > _MAX_KEY_LENGTH:
        raise HTTPException(400, f"Idempotency-Key longer than {_MAX_KEY_LENGTH} characters")
    return key


def create_base_app(
    config: SimulatorConfig, *, title: str, description: str
) -> tuple[FastAPI, RequestStore]:
    """A FastAPI app with fault injection, health and admin endpoints already wired."""
    app = FastAPI(title=title, description=description, version=CONTRACT_VERSION)
    store = RequestStore(config.state_file)
    injector = FaultInjector(config.fault_settings())
    app.add_middleware(FaultMiddleware, injector=injector)
    app.include_router(_admin_router(store, injector))
    return app, store


def _admin_router(store: RequestStore, injector: FaultInjector) -> APIRouter:
    router = APIRouter()

    @router.get("/health", summary="Liveness check", tags=["health"], operation_id="health")
    async def health() -> dict[str, str]:
        """Answers 200 while the service is up."""
        return {"status": "ok"}

    admin = APIRouter(prefix="/_admin", include_in_schema=False)

    @admin.get("/requests", summary="Idempotency bookkeeping")
    async def get_requests() -> RequestsSummary:
        """POST counts per Idempotency-Key and number of created resources, for tests."""
        return store.summary()

    @admin.post("/reset", summary="Reset the simulator", status_code=204)
    async def reset() -> None:
        """Forget requests and scenarios and restore the start-up fault settings."""
        store.reset()
        injector.reset()

    @admin.put("/scenarios/{case_number}", summary="Override the outcome for a case")
    async def put_scenario(case_number: str, scenario: Scenario) -> Scenario:
        """Later answers (and new POSTs) for this case number use these overrides."""
        store.set_scenario(case_number, scenario)
        return scenario

    @admin.delete("/scenarios/{case_number}", summary="Remove a case override", status_code=204)
    async def delete_scenario(case_number: str) -> None:
        """Back to the default, deterministic outcome for this case number."""
        store.set_scenario(case_number, None)

    router.include_router(admin)
    router.include_router(fault_admin_router(injector), prefix="/_admin", include_in_schema=False)
    return router
