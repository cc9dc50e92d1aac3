"""The case service's application: `create_app(rt, verifier, waker)`.

Everything it needs is handed in (the composition root is `utvag serve`, tests hand in
a runtime on their database, a verifier of their own test tokens and a recording
waker). `utvag serve` hands in a runtime as the role utvag_app
(`caseservice.runtime.service_runtime`; tests: `as_service`, the `app_rt` fixture). Routes
live in `caseservice/routes/`, one router per area, all under `/api/v1`; the contract is
`docs/contracts/case-service.openapi.json` (`python -m caseservice.contract` writes it).
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from adapters.oidc import Verifier
from caseservice import errors
from caseservice.console import ConsoleConfig
from caseservice.console import mount as mount_console
from caseservice.deps import Services
from caseservice.errors import ErrorResponse
from caseservice.guards import Guards, Throttle
from caseservice.routes import (
    after,
    before,
    cases,
    during,
    oversight,
    person_data,
    plan_people,
    relocation,
    reports,
)
from caseservice.waker import Waker
from services.runtime import Runtime

API = "/api/v1"
VERSION = "1.0.0"
ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorResponse, "description": "no valid bearer token"},
    404: {"model": ErrorResponse, "description": "not there, or not yours to see (journaled)"},
    413: {"model": ErrorResponse, "description": "request body too large"},
    422: {"model": ErrorResponse, "description": "invalid input; `field` names it"},
    429: {"model": ErrorResponse, "description": "too many failed requests (Retry-After)"},
}


def create_app(rt: Runtime, verifier: Verifier, waker: Waker, *,
               throttle: Throttle | None = None,
               console: ConsoleConfig | None = None) -> FastAPI:
    app = FastAPI(title="Utväg case service", version=VERSION,
                  description="The one way in for people: every action and read of a case, "
                              "authorized by the access policy and journaled.",
                  openapi_url=f"{API}/openapi.json", docs_url=None, redoc_url=None)
    settings = rt.settings
    throttle = throttle or Throttle(
        limit=settings.service_failure_limit,
        window=timedelta(seconds=settings.service_failure_window_seconds), clock=rt.clock)
    app.state.services = Services(rt=rt, verifier=verifier, waker=waker, throttle=throttle)
    for module in (cases, before, during, relocation, after, oversight, reports, plan_people,
                   person_data):
        app.include_router(module.router, prefix=API, responses=ERRORS)
    errors.install(app)
    app.add_middleware(Guards, max_body=settings.service_max_body_bytes, throttle=throttle)
    # The web console (docs/console.md): same app, policy and journal; added last so its
    # headers middleware sits outside the guards.
    mount_console(app, console or ConsoleConfig.from_settings(settings))
    return app
