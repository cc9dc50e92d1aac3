"""Fault injection shared by all simulators.

Why: the workflow's retry and idempotency logic is only trustworthy if it has been exercised
against slow, failing and rate-limiting agencies. Faults are decided *before* the request
reaches the application (an ASGI middleware), so a faulted request never has an effect:
no idempotency record, no resource, no POST count. That holds for simulated timeouts too:
the middleware sleeps ``timeout_sleep_seconds`` and then answers 504 without processing.

Admin endpoints (``/_admin/...``), ``/health`` and the OpenAPI/doc pages are exempt so that
tests can always steer the simulator and readiness checks are not flaky.
"""

from __future__ import annotations

import asyncio
import enum
import random
import threading
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field, ValidationError, model_validator
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = [
    "Fault",
    "FaultInjector",
    "FaultMiddleware",
    "FaultSettings",
    "FaultUpdate",
    "fault_admin_router",
]

_EXEMPT_PREFIXES = ("/_admin",)
_EXEMPT_PATHS = frozenset({"/health", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"})


class FaultSettings(BaseModel):
    """Fault-injection knobs. Rates are probabilities per request and must sum to <= 1."""

    latency_ms: int = Field(default=0, ge=0, le=600_000, description="Added to every request.")
    error_rate: float = Field(default=0.0, ge=0.0, le=1.0, description="Share answered 503.")
    rate_limit_rate: float = Field(
        default=0.0, ge=0.0, le=1.0, description="Share answered 429 with Retry-After: 0."
    )
    timeout_rate: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="Share held for timeout_sleep_seconds, then answered 504 unprocessed.",
    )
    timeout_sleep_seconds: float = Field(default=10.0, ge=0.0, le=600.0)
    seed: int | None = Field(default=None, description="Seed for reproducible fault draws.")

    @model_validator(mode="after")
    def _rates_fit(self) -> FaultSettings:
        if self.error_rate + self.rate_limit_rate + self.timeout_rate > 1.0 + 1e-9:
            raise ValueError("error_rate + rate_limit_rate + timeout_rate must be <= 1")
        return self


class FaultUpdate(BaseModel):
    """Body of ``PUT /_admin/faults``: only the fields present are changed."""

    model_config = {"extra": "forbid"}

    latency_ms: int | None = Field(default=None, ge=0, le=600_000)
    error_rate: float | None = Field(default=None, ge=0.0, le=1.0)
    rate_limit_rate: float | None = Field(default=None, ge=0.0, le=1.0)
    timeout_rate: float | None = Field(default=None, ge=0.0, le=1.0)
    timeout_sleep_seconds: float | None = Field(default=None, ge=0.0, le=600.0)
    seed: int | None = None


class Fault(enum.Enum):
    """The kinds of injected failure."""

    ERROR = "error"
    RATE_LIMIT = "rate_limit"
    TIMEOUT = "timeout"


class FaultInjector:
    """Holds the current fault settings and draws faults; safe to share between threads."""

    def __init__(self, initial: FaultSettings) -> None:
        self._initial = initial
        self._lock = threading.Lock()
        self._settings = initial
        self._rng = self._new_rng(initial)

    @property
    def settings(self) -> FaultSettings:
        """The settings in force now."""
        return self._settings

    def update(self, changes: FaultUpdate) -> FaultSettings:
        """Apply a partial update; raises ``ValueError`` if the result is inconsistent.

        Re-seeds the generator whenever ``seed`` is part of the update, so a test can get a
        reproducible sequence of faults from that moment on.
        """
        patch: dict[str, Any] = changes.model_dump(exclude_unset=True)
        with self._lock:
            try:
                merged = FaultSettings.model_validate({**self._settings.model_dump(), **patch})
            except ValidationError as exc:
                raise ValueError("; ".join(str(err["msg"]) for err in exc.errors())) from None
            self._settings = merged
            if "seed" in patch:
                self._rng = self._new_rng(merged)
        return merged

    def reset(self) -> FaultSettings:
        """Return to the settings the simulator was started with."""
        with self._lock:
            self._settings = self._initial
            self._rng = self._new_rng(self._initial)
        return self._initial

    def draw(self) -> Fault | None:
        """Decide the fate of one request with a single uniform draw."""
        with self._lock:
            settings = self._settings
            if not (settings.error_rate or settings.rate_limit_rate or settings.timeout_rate):
                return None
            roll = self._rng.random()
        threshold = settings.error_rate
        if roll < threshold:
            return Fault.ERROR
        threshold += settings.rate_limit_rate
        if roll < threshold:
            return Fault.RATE_LIMIT
        threshold += settings.timeout_rate
        if roll < threshold:
            return Fault.TIMEOUT
        return None

    @staticmethod
    def _new_rng(settings: FaultSettings) -> random.Random:
        # Simulated faults, not cryptography: a seedable PRNG is exactly what is wanted.
        return random.Random(settings.seed)  # noqa: S311


class FaultMiddleware:
    """Pure ASGI middleware (no ``BaseHTTPMiddleware``), so a fault short-circuits the
    request before the body is read or any endpoint runs."""

    def __init__(self, app: ASGIApp, *, injector: FaultInjector) -> None:
        self.app = app
        self.injector = injector

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Delay and/or fail agency requests according to the current settings."""
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or path in _EXEMPT_PATHS or path.startswith(_EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        settings = self.injector.settings
        fault = self.injector.draw()
        if settings.latency_ms:
            await asyncio.sleep(settings.latency_ms / 1000)
        if fault is None:
            await self.app(scope, receive, send)
            return
        if fault is Fault.TIMEOUT:
            await asyncio.sleep(settings.timeout_sleep_seconds)
            response = JSONResponse({"detail": "simulated timeout"}, status_code=504)
        elif fault is Fault.RATE_LIMIT:
            response = JSONResponse(
                {"detail": "simulated rate limit"}, status_code=429, headers={"Retry-After": "0"}
            )
        else:
            response = JSONResponse(
                {"detail": "simulated outage"}, status_code=503, headers={"Retry-After": "0"}
            )
        await response(scope, receive, send)


def fault_admin_router(injector: FaultInjector) -> APIRouter:
    """``GET``/``PUT /faults`` (mounted under ``/_admin``): inspect and steer faults at run
    time, so one running simulator can serve both happy-path and failure tests."""
    router = APIRouter()

    @router.get("/faults", summary="Current fault settings")
    async def get_faults() -> FaultSettings:
        """Fault settings in force now."""
        return injector.settings

    @router.put("/faults", summary="Change fault settings")
    async def put_faults(changes: FaultUpdate) -> FaultSettings:
        """Change only the fields given; 422 if the rates would sum to more than 1."""
        try:
            return injector.update(changes)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None

    return router
