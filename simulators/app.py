"""The base of every agency simulator: a FastAPI app with fault injection, ``/health``
and the simulator-only admin API (left out of the contracts)::

    GET  /health                      liveness
    GET  /_admin/faults               current fault settings
    PUT  /_admin/faults               change fault settings (only the fields given)
    GET  /_admin/requests             {"by_idempotency_key": {key: post_count}, "resources": n}
    POST /_admin/reset                forget all requests/scenarios, restore start-up faults
    POST /_admin/answer-now           every pending request answerable now, dated now
                                      (?case_number=… for one case); {"answered": n}
    PUT  /_admin/scenarios/{case}     override the outcome for one case number (the
                                      agency's own scenario type: unknown fields are 422)
    DELETE /_admin/scenarios/{case}   remove an override

The admin API answers only when the simulator was started in test/demo mode
(``SimulatorConfig.test_mode``, ``python -m simulators --test-mode``); otherwise every
``/_admin`` path answers 404 like any unknown path. Every contract declares the agencies'
transport security: mutual TLS with the organisation's client certificate (see
``docs/agency-transport.md``; the simulators enforce it when started with a client CA).
"""

from __future__ import annotations

from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Body, FastAPI
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from simulators.clock import Clock
from simulators.config import SimulatorConfig
from simulators.contract import CONTRACT_VERSION
from simulators.faults import FaultInjector, FaultMiddleware, fault_admin_router
from simulators.store import RequestsSummary, RequestStore, S

__all__ = ["ADMIN_PREFIX", "MUTUAL_TLS_SCHEME", "AdminGate", "AnsweredNow", "AppFactory",
           "create_base_app"]

ADMIN_PREFIX = "/_admin"


class AppFactory(Protocol):
    """How the catalogue, the CLI and the tests build a simulator."""

    def __call__(self, config: SimulatorConfig, /, *, clock: Clock | None = None) -> FastAPI:
        ...


class AnsweredNow(BaseModel):
    """Answer of ``POST /_admin/answer-now``: how many pending requests it answered."""

    answered: int


def create_base_app(
    config: SimulatorConfig, *, title: str, description: str, scenario_type: type[S],
    clock: Clock | None = None,
) -> tuple[FastAPI, RequestStore[S]]:
    """A FastAPI app with fault injection, health and admin endpoints already wired, and
    its request store (reading the time from ``clock``, the real time by default)."""
    app = FastAPI(title=title, description=description, version=CONTRACT_VERSION)
    store = RequestStore(config.state_file, scenario_type=scenario_type, clock=clock)
    injector = FaultInjector(config.fault_settings())
    app.add_middleware(FaultMiddleware, injector=injector)
    if not config.test_mode:
        app.add_middleware(AdminGate)  # outermost: a gated path never reaches the faults
    app.include_router(_admin_router(store, injector))
    _declare_mutual_tls(app)
    return app, store


class AdminGate:
    """Pure ASGI middleware answering every ``/_admin`` path 404 (as FastAPI answers an
    unknown path), for a simulator not started in test/demo mode."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] == "http" and (path == ADMIN_PREFIX
                                        or path.startswith(ADMIN_PREFIX + "/")):
            await JSONResponse({"detail": "Not Found"}, status_code=404)(scope, receive, send)
            return
        await self.app(scope, receive, send)


MUTUAL_TLS_SCHEME: dict[str, str] = {
    "type": "mutualTLS",
    "description": "Every connection is TLS (1.2 or later) with a client certificate: the "
    "calling organisation's certificate, issued by a CA the agency trusts. The server's "
    "certificate chains to the CA bundle the caller configures for this agency. A "
    "connection without an accepted client certificate is refused during the handshake.",
}


def _declare_mutual_tls(app: FastAPI) -> None:
    """Add the security scheme to the generated contract (OpenAPI 3.1 ``mutualTLS``),
    required for every operation."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            schema.setdefault("components", {})["securitySchemes"] = {
                "mutualTLS": MUTUAL_TLS_SCHEME}
            schema["security"] = [{"mutualTLS": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _admin_router(store: RequestStore[S], injector: FaultInjector) -> APIRouter:
    router = APIRouter()

    @router.get("/health", summary="Liveness check", tags=["health"], operation_id="health")
    async def health() -> dict[str, str]:
        """Answers 200 while the service is up."""
        return {"status": "ok"}

    admin = APIRouter(prefix=ADMIN_PREFIX, include_in_schema=False)

    @admin.get("/requests", summary="Idempotency bookkeeping")
    async def get_requests() -> RequestsSummary:
        """POST counts per Idempotency-Key and number of created resources, for tests."""
        return store.summary()

    @admin.post("/reset", summary="Reset the simulator", status_code=204)
    async def reset() -> None:
        """Forget requests and scenarios and restore the start-up fault settings."""
        store.reset()
        injector.reset()

    @admin.post("/answer-now", summary="Answer pending requests now")
    async def answer_now(case_number: str | None = None) -> AnsweredNow:
        """Every pending request (of ``case_number`` when given) is answered now, as if its
        delay had just run out: tests stop waiting for real time."""
        return AnsweredNow(answered=store.answer_now(case_number))

    # The body is validated here, not by FastAPI, because its type is the agency's own
    # scenario type, known only when the app is built.
    @admin.put("/scenarios/{case_number}", summary="Override the outcome for a case")
    async def put_scenario(case_number: str,
                           body: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        """Later answers (and new POSTs) for this case number use these overrides."""
        try:
            scenario = store.scenario_type.model_validate(body)
        except ValidationError as exc:
            raise RequestValidationError(exc.errors(include_url=False)) from None
        store.set_scenario(case_number, scenario)
        return scenario.model_dump(mode="json")

    @admin.delete("/scenarios/{case_number}", summary="Remove a case override", status_code=204)
    async def delete_scenario(case_number: str) -> None:
        """Back to the default, deterministic outcome for this case number."""
        store.set_scenario(case_number, None)

    router.include_router(admin)
    router.include_router(fault_admin_router(injector), prefix=ADMIN_PREFIX,
                          include_in_schema=False)
    return router
