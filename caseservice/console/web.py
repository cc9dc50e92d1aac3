"""What every console page stands on: the configuration, the templates, the signed-in
person (a server-side session whose access token the case service's verifier checks on
every request: the principal comes from a verified token, never from typed input), the
CSRF check of every form, the security headers and the Swedish error pages."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.oidc import InvalidToken
from caseservice.console import labels
from caseservice.console.oidc import ConsoleOidc, SignInFailed
from caseservice.deps import Context, services_of
from caseservice.errors import ApiError
from caseservice.guards import BIDI, MAX_TEXT
from models.principal import Principal, PrincipalError
from services import console_sessions as sessions

HERE = Path(__file__).resolve().parent
COOKIE = "utvag_console"
LOGIN_COOKIE = "utvag_console_login"
PREFIX = "/console"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
T = TypeVar("T")


@dataclass
class ConsoleConfig:
    """oidc: the provider (discovery at its issuer) and the console's client; None: no
    sign-in possible (tests create sessions directly). Sessions last `session_ttl` at
    most (8 h: a working day), a sign-in in progress `login_ttl`."""

    oidc: ConsoleOidc | None
    session_ttl: timedelta = timedelta(hours=8)
    login_ttl: timedelta = timedelta(minutes=10)
    poll_seconds: int = 15
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Any) -> ConsoleConfig:
        issuer = getattr(settings, "oidc_issuer", None) or "http://127.0.0.1:9400"
        client = getattr(settings, "oidc_console_client_id", None) or "utvag-console"
        # A confidential console client (the provider's OIDC_CONSOLE_SECRET): the secret
        # from `oidc_console_client_secret` once the settings have it.
        secret = getattr(settings, "oidc_console_client_secret", None)
        if secret is not None and hasattr(secret, "get_secret_value"):
            secret = secret.get_secret_value()
        return cls(ConsoleOidc(issuer=issuer, client_id=client, client_secret=secret or None))

    def csp(self) -> str:
        provider = f" {self.oidc.origin}" if self.oidc else ""
        return ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                f"connect-src 'self'; form-action 'self'{provider}; base-uri 'none'; "
                "frame-ancestors 'none'")


def config_of(request: Request) -> ConsoleConfig:
    found: ConsoleConfig = request.app.state.console
    return found


def _local_time(value: datetime | None) -> str:
    return value.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M") if value else ""


templates = Environment(loader=FileSystemLoader(HERE / "templates"),
                        autoescape=select_autoescape(["html"]), trim_blocks=True,
                        lstrip_blocks=True)
templates.filters["local"] = _local_time
templates.filters["sv"] = labels.sv
templates.filters["disclosure"] = labels.disclosure
templates.filters["purpose"] = labels.purpose
templates.filters["kr"] = lambda n: f"{n:,}".replace(",", "\u00a0") + " kr" if n is not None \
    else ""
templates.globals["PREFIX"] = PREFIX


# -- the signed-in person ----------------------------------------------------------------
class SignInRequired(Exception):
    def __init__(self, next_path: str = PREFIX + "/") -> None:
        self.next_path = next_path


class PageNotFound(Exception):
    """Out of scope or not there: the Swedish not-found page (404), as the API answers."""


class BadForm(Exception):
    """A form whose CSRF token does not belong to the session (403)."""


@dataclass(frozen=True)
class Viewer:
    ctx: Context
    session_id: str
    csrf: str

    @property
    def principal(self) -> Principal:
        return self.ctx.principal


def _principal(request: Request, token: str) -> Principal:
    return Principal.from_claims(services_of(request).verifier.verify(token))


def viewer(request: Request) -> Viewer:
    """The signed-in person; SignInRequired (a redirect to sign in) otherwise. An access
    token that no longer verifies is refreshed once with the refresh token."""
    services = services_of(request)
    rt = services.rt
    here = request.url.path if request.method == "GET" else PREFIX + "/"
    stored = sessions.load(rt, "session", request.cookies.get(COOKIE))
    if stored is None:
        raise SignInRequired(here)
    data = dict(stored.data)
    try:
        principal = _principal(request, data["access_token"])
    except (InvalidToken, PrincipalError, KeyError):
        oidc = config_of(request).oidc
        if oidc is None or not data.get("refresh_token"):
            sessions.end(rt, stored.session_id)
            raise SignInRequired(here) from None
        try:
            fresh = oidc.refresh(data["refresh_token"])
            data.update({k: fresh[k] for k in ("access_token", "refresh_token", "id_token")
                         if fresh.get(k)})
            principal = _principal(request, data["access_token"])
        except (SignInFailed, InvalidToken, PrincipalError):
            sessions.end(rt, stored.session_id)
            raise SignInRequired(here) from None
        sessions.update(rt, stored.session_id, data)
    if principal.subject != stored.subject:
        sessions.end(rt, stored.session_id)
        raise SignInRequired(here)
    request.state.subject = principal.subject
    ctx = Context(principal, rt.acting_as(principal), services.waker)
    return Viewer(ctx, stored.session_id, sessions.csrf_token(rt, stored.session_id))


async def form_of(request: Request, who: Viewer) -> dict[str, Any]:
    """The posted form (lists for repeated names), after the CSRF check; strings longer
    than the API allows or holding control characters are refused the same way."""
    form = await request.form()
    if not sessions.csrf_ok(services_of(request).rt, who.session_id, str(form.get("csrf"))):
        raise BadForm()
    data: dict[str, Any] = {}
    for key in form:
        values = [v for v in form.getlist(key) if isinstance(v, str)]
        data[key] = values if len(values) > 1 else (values[0] if values else "")
    return data


def text_problem(value: str) -> str | None:
    if len(value) > MAX_TEXT:
        return f"Högst {MAX_TEXT} tecken."
    if any((ord(c) < 32 and c not in "\n\r") or 127 <= ord(c) < 160 or c in BIDI
           for c in value):
        return "Får inte innehålla styrtecken."
    return None


def attempt(call: Callable[[], T]) -> T:
    """Run a route-level call of the case service; its 404 becomes the not-found page."""
    try:
        return call()
    except ApiError as exc:
        if exc.status == 404:
            raise PageNotFound() from None
        raise


# -- rendering ---------------------------------------------------------------------------
def render(request: Request, template: str, context: Mapping[str, Any], *,
           who: Viewer | None = None, status: int = 200) -> HTMLResponse:
    page = templates.get_template(template).render(
        request=request, who=who, csrf=who.csrf if who else "",
        nav=labels.nav_for(who.principal) if who else [], path=request.url.path, **context)
    return HTMLResponse(page, status_code=status)


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def secure_cookie(request: Request) -> bool:
    """Secure unless the console is reached over plain http on a loopback address (the
    embedded demo; a browser does not send a Secure cookie over http)."""
    if request.url.scheme == "https":
        return True
    host = (request.url.hostname or "").strip("[]")
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def set_cookie(request: Request, response: Response, name: str, value: str,
               max_age: timedelta) -> None:
    response.set_cookie(name, value, max_age=int(max_age.total_seconds()), path="/",
                        httponly=True, secure=secure_cookie(request), samesite="strict")


def install_errors(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        if request.url.path.endswith("/fragment"):
            return HTMLResponse("", status_code=401)
        return see_other(f"{PREFIX}/sign-in?next={exc.next_path}")

    @app.exception_handler(PageNotFound)
    async def _not_found(request: Request, _: PageNotFound) -> Response:
        try:
            who: Viewer | None = viewer(request)
        except SignInRequired:
            who = None
        return render(request, "not_found.html", {}, who=who, status=404)

    @app.exception_handler(BadForm)
    async def _bad_form(request: Request, _: BadForm) -> Response:
        return render(request, "error.html", {
            "title": "Formuläret kunde inte tas emot",
            "message": "Formuläret hörde inte till din inloggning eller var för gammalt. "
                       "Gå tillbaka, ladda om sidan och försök igen."}, status=403)


class ConsoleHeaders:
    """Outside the service's guards: the console's pages get their own CSP (scripts and
    styles from this origin only, never inline; forms to this origin and the provider);
    everything keeps no-store, nosniff, DENY and no-referrer from the guards."""

    def __init__(self, app: ASGIApp, *, csp: str) -> None:
        self.app, self.csp = app, csp.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path == "/" or path.startswith((PREFIX, "/auth/"))):
            await self.app(scope, receive, send)
            return

        async def headed(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() != b"content-security-policy"]
                headers.append((b"content-security-policy", self.csp))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, headed)
