"""Signing in and out with the OpenID Connect provider (authorization code + PKCE).

    GET  /console/sign-in          the sign-in page (a link to start)
    GET  /console/sign-in/start    a sign-in in progress is stored (verifier, state,
                                   nonce; encrypted), the browser goes to the provider
    GET  /auth/callback            the code is exchanged for tokens on the server; the
                                   session row holds them, the browser gets only its id
    POST /console/sign-out         the session ends here and at the provider

The cookie of a sign-in in progress is SameSite=Lax and scoped to the callback path:
the provider's redirect back is a cross-site navigation, which never carries a Strict
cookie. The session cookie is Strict; the callback therefore answers with a page of
our own that moves on to the console, so the first request that needs the session is
a same-site one.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from adapters.oidc import InvalidToken
from caseservice.console.oidc import SignInFailed, pkce_pair
from caseservice.console.web import (
    COOKIE,
    LOGIN_COOKIE,
    PREFIX,
    config_of,
    form_of,
    render,
    secure_cookie,
    see_other,
    set_cookie,
    viewer,
)
from caseservice.deps import services_of
from models.principal import Principal, PrincipalError
from services import console_sessions as sessions
from services.runtime import Runtime

router = APIRouter(include_in_schema=False)
CALLBACK = "/auth/callback"


def _safe_next(value: str | None) -> str:
    if value and value.startswith(PREFIX + "/") and "//" not in value and "\\" not in value:
        return value
    return PREFIX + "/"


def _failed(request: Request, status: int = 400) -> HTMLResponse:
    return render(request, "error.html", {
        "title": "Inloggningen misslyckades",
        "message": "Inloggningen kunde inte slutföras. Försök igen."}, status=status)


@router.get("/")
def root() -> RedirectResponse:
    return see_other(PREFIX + "/")


@router.get(PREFIX + "/sign-in")
def sign_in_page(request: Request, next: str | None = None) -> HTMLResponse:
    return render(request, "sign_in.html", {"next": _safe_next(next),
                                            "configured": config_of(request).oidc is not None})


@router.get(PREFIX + "/sign-in/start")
def start(request: Request, next: str | None = None) -> Response:
    config = config_of(request)
    if config.oidc is None:
        return _failed(request, 503)
    verifier, challenge = pkce_pair()
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    redirect_uri = str(request.base_url).rstrip("/") + CALLBACK
    try:
        url = config.oidc.authorization_url(redirect_uri=redirect_uri, state=state,
                                            nonce=nonce, challenge=challenge)
    except SignInFailed:
        return _failed(request, 502)
    rt = services_of(request).rt
    login_id = sessions.create(rt, "login", {
        "verifier": verifier, "state": state, "nonce": nonce, "next": _safe_next(next),
        "redirect_uri": redirect_uri}, ttl=config.login_ttl)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(LOGIN_COOKIE, login_id, max_age=int(config.login_ttl.total_seconds()),
                        path=CALLBACK, httponly=True, secure=secure_cookie(request),
                        samesite="lax")
    return response


@router.get(CALLBACK)
def callback(request: Request, code: str | None = None, state: str | None = None) -> Response:
    config = config_of(request)
    services = services_of(request)
    rt = services.rt
    login = sessions.load(rt, "login", request.cookies.get(LOGIN_COOKIE))
    if login is not None:
        sessions.end(rt, login.session_id)  # single use, whatever happens next
    if (config.oidc is None or login is None or not code or not state
            or not secrets.compare_digest(state, login.data["state"])):
        return _failed(request)
    try:
        tokens = config.oidc.exchange(code=code, redirect_uri=login.data["redirect_uri"],
                                      verifier=login.data["verifier"])
        principal = Principal.from_claims(services.verifier.verify(tokens["access_token"]))
    except (SignInFailed, InvalidToken, PrincipalError):
        return _failed(request)
    session_id = open_session(rt, principal, tokens, ttl=config.session_ttl)
    target = login.data["next"]
    response = render(request, "signed_in.html", {"target": target})
    set_cookie(request, response, COOKIE, session_id, config.session_ttl)
    response.delete_cookie(LOGIN_COOKIE, path=CALLBACK)
    return response


def open_session(rt: Runtime, principal: Principal, tokens: dict[str, object], *,
                 ttl: timedelta) -> str:
    """A session for a verified principal holding the provider's tokens (encrypted)."""
    keep = {k: tokens[k] for k in ("access_token", "refresh_token", "id_token")
            if tokens.get(k)}
    return sessions.create(rt, "session", keep, ttl=ttl, subject=principal.subject)


@router.post(PREFIX + "/sign-out")
async def sign_out(request: Request) -> Response:
    who = viewer(request)
    await form_of(request, who)  # the CSRF check
    rt = services_of(request).rt
    stored = sessions.load(rt, "session", who.session_id)
    id_token = stored.data.get("id_token") if stored else None
    sessions.end(rt, who.session_id)
    oidc = config_of(request).oidc
    url = oidc.end_session_url(id_token=id_token, post_logout=str(request.base_url)) \
        if oidc else None
    response = see_other(url or PREFIX + "/signed-out")
    response.delete_cookie(COOKIE, path="/", secure=secure_cookie(request), httponly=True,
                           samesite="strict")
    return response


@router.get(PREFIX + "/signed-out")
def signed_out(request: Request) -> HTMLResponse:
    return render(request, "error.html", {"title": "Du är utloggad",
                                          "message": "Du är utloggad från Utväg."})
