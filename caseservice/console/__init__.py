"""The web console: server-rendered pages (Jinja2, Swedish) on the case service's own
app, calling its route functions and policy. `mount(app, config)` adds it; see
docs/console.md."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request

from caseservice.console import answers, auth, oversight, pages, referral, reports
from caseservice.console.web import (
    HERE,
    PREFIX,
    ConsoleConfig,
    ConsoleHeaders,
    PageNotFound,
    install_errors,
    templates,
)

__all__ = ["ConsoleConfig", "mount"]


def mount(app: FastAPI, config: ConsoleConfig) -> None:
    """The console's routes under /console (and the provider's callback /auth/callback),
    its static files, its error pages and its headers (outermost: after the guards)."""
    app.state.console = config
    templates.globals["DONE"] = answers.DONE
    for module in (auth, pages, referral, answers, oversight, reports):
        app.include_router(module.router)
    app.mount(PREFIX + "/static", StaticFiles(directory=HERE / "static"), name="console-static")

    @app.api_route(PREFIX + "/{rest:path}", methods=["GET", "POST"], include_in_schema=False)
    def _unknown(request: Request, rest: str) -> Response:
        raise PageNotFound()

    install_errors(app)
    app.add_middleware(ConsoleHeaders, csp=config.csp())


