"""`utvag login` and `utvag logout`: signing a person in at the OpenID Connect provider.

    utvag login            authorization code with PKCE; the provider redirects back to a
                           listener on 127.0.0.1 (any free port, RFC 8252)
    utvag login --device   the device authorization grant: a code to enter in a browser
                           elsewhere (no browser on this machine)
    utvag logout           revoke the refresh token at the provider, remove the token file

Needs only the provider's issuer (UTVAG_OIDC_ISSUER); never the database or the key.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import time
import webbrowser
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from joserfc import jws
from joserfc.errors import JoseError

from adapters.clock import Clock, SystemClock
from adapters.oidc_client import OidcClient, OidcError, Pkce, TokenSet
from adapters.settings import Settings, get_settings
from utvag_cli import tokens as token_store
from utvag_cli.output import err, out

_DONE_PAGE = ("<!DOCTYPE html><html lang='sv'><meta charset='utf-8'><title>Utväg</title>"
              "<p>{message}</p><p>Du kan stänga fönstret och gå tillbaka till terminalen.</p>")


class LoginError(Exception):
    """The sign-in did not complete; the message is for the person."""


def _callback_handler(received: list[dict[str, str]]) -> type[BaseHTTPRequestHandler]:
    class Callback(BaseHTTPRequestHandler):
        """Receives the provider's redirect with the code."""

        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            url = urlsplit(self.path)
            if url.path != "/callback":
                self.send_error(404)
                return
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            received.append(query)
            failed = "error" in query
            message = "Inloggningen misslyckades." if failed else "Du är inloggad i Utväg."
            body = _DONE_PAGE.format(message=message).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return  # the query holds the code: never printed

    return Callback


def browser_login(client: OidcClient, *, open_browser: Callable[[str], object],
                  clock: Clock, timeout: float = 300.0) -> TokenSet:
    """Authorization code with PKCE and a loopback redirect on 127.0.0.1."""
    received: list[dict[str, str]] = []
    server = HTTPServer(("127.0.0.1", 0), _callback_handler(received))
    server.timeout = 0.5
    try:
        redirect_uri = f"http://127.0.0.1:{server.server_address[1]}/callback"
        pkce, state = Pkce.new(), secrets.token_urlsafe(24)
        url = client.authorization_url(redirect_uri=redirect_uri, state=state, pkce=pkce)
        out("Sign in in your browser (opened if possible):")
        out(f"  {url}")
        open_browser(url)
        deadline = time.monotonic() + timeout
        while not received:
            if time.monotonic() > deadline:
                raise LoginError("no answer from the browser in time; run `utvag login` again "
                                 "(or `utvag login --device`)")
            server.handle_request()
    finally:
        server.server_close()
    query = received[0]
    if query.get("state") != state:
        raise LoginError("the answer does not belong to this login (state); try again")
    if "iss" in query and query["iss"] != client.issuer:
        raise LoginError("the answer came from another provider (iss); try again")
    if "error" in query or "code" not in query:
        raise LoginError(f"the provider refused: {query.get('error', 'no code')}")
    return client.exchange_code(code=query["code"], redirect_uri=redirect_uri, pkce=pkce,
                                now=clock.now())


def device_login(client: OidcClient, *, clock: Clock,
                 sleep: Callable[[float], None] = time.sleep) -> TokenSet:
    """The device authorization grant: show a code, poll until the person approved it."""
    device = client.start_device()
    out(f"Open {device.verification_uri} in a browser and enter the code {device.user_code}")
    if device.verification_uri_complete:
        out(f"  (or directly: {device.verification_uri_complete})")
    interval = max(device.interval, 1)
    deadline = time.monotonic() + device.expires_in
    while time.monotonic() < deadline:
        try:
            tokens = client.poll_device(device, now=clock.now())
        except OidcError as exc:
            if exc.error != "slow_down":
                raise LoginError(f"the provider refused: {exc.error}") from None
            interval += 5
            tokens = None
        if tokens is not None:
            return tokens
        sleep(interval)
    raise LoginError("the code expired before it was approved; run `utvag login --device` again")


def who(tokens: TokenSet) -> str:
    """Who the tokens are for, for the message only (the service verifies; we don't)."""
    try:
        data = json.loads(jws.extract_compact(tokens.access_token.encode("ascii")).payload)
    except (JoseError, ValueError, UnicodeError):
        return "?"
    return f"{data.get('preferred_username', '?')} ({data.get('utvag_org', '?')})"


def open_browser(url: str) -> bool:
    """Open a graphical browser if there is one. Never a text browser in this terminal
    (which `webbrowser` falls back to without a display): the URL is printed anyway."""
    graphical = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if sys.platform.startswith("linux") and not graphical:
        out("  (no graphical browser here: open the address in a browser on this machine, "
            "or use `utvag login --device`)")
        return False
    try:
        return webbrowser.open(url)
    except webbrowser.Error:
        return False


def login(settings: Settings, *, device: bool = False, open_browser: Callable[[str], object]
          = open_browser, clock: Clock | None = None, sleep: Callable[[float], None]
          = time.sleep, http_client: httpx.Client | None = None,
          timeout: float = 300.0) -> TokenSet:
    """Sign in and store the tokens (0600) in the settings' token file."""
    clock = clock or SystemClock()
    client = OidcClient(settings.oidc_issuer, settings.oidc_cli_client_id,
                        http_client=http_client)
    if device:
        tokens = device_login(client, clock=clock, sleep=sleep)
    else:
        tokens = browser_login(client, open_browser=open_browser, clock=clock, timeout=timeout)
    token_store.save(settings.resolved_token_file, tokens)
    return tokens


def logout(settings: Settings, *, http_client: httpx.Client | None = None) -> bool:
    """Revoke the refresh token (when the provider offers it) and remove the file.
    True when there was a login to end."""
    path = settings.resolved_token_file
    try:
        tokens = token_store.load(path)
    except token_store.NotLoggedIn:
        tokens = None  # unreadable or too open: removed all the same
    if tokens is not None and tokens.refresh_token:
        try:
            OidcClient(tokens.issuer, tokens.client_id,
                       http_client=http_client).revoke(tokens.refresh_token)
        except OidcError as exc:
            err(f"warning: the provider could not revoke the login ({exc.error}); "
                "the token file is removed all the same")
    return token_store.remove(path)


def cmd_login(args: argparse.Namespace) -> int:
    settings = get_settings()
    opener: Callable[[str], object] = (lambda url: None) if args.no_browser else open_browser
    try:
        tokens = login(settings, device=args.device, open_browser=opener)
    except (LoginError, OidcError) as exc:
        err(f"error: login: {exc}")
        return 1
    except KeyboardInterrupt:
        err("login cancelled")
        return 130
    out(f"signed in as {who(tokens)}; tokens in {settings.resolved_token_file}")
    return 0


def cmd_logout(args: argparse.Namespace) -> int:
    settings = get_settings()
    if logout(settings):
        out("signed out")
    else:
        out("not signed in")
    return 0


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("login", help="sign in at the OpenID Connect provider")
    p.add_argument("--device", action="store_true",
                   help="device authorization grant: enter a code in a browser elsewhere")
    p.add_argument("--no-browser", action="store_true",
                   help="only print the URL, do not open a browser")
    p.set_defaults(handler=cmd_login)
    p = sub.add_parser("logout", help="revoke the login and remove the stored tokens")
    p.set_defaults(handler=cmd_logout)
