"""The signed-in person's tokens on their own machine: one file only they can read.

`current_access_token()` is what every command that calls the case service asks for:
the access token, refreshed first when it has expired (or is about to).
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import httpx

from adapters.clock import Clock, SystemClock
from adapters.oidc_client import OidcClient, OidcError, TokenSet
from adapters.settings import Settings, get_settings


class NotLoggedIn(Exception):
    """No usable tokens: the message says what to do (`utvag login`)."""


class TokenFileTooOpen(NotLoggedIn):
    """The token file can be read by someone else: refused, never used."""


def _check_private(path: Path, info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise TokenFileTooOpen(f"token file {path}: not a regular file; remove it and run "
                               "`utvag login`")
    if info.st_mode & 0o077:
        raise TokenFileTooOpen(
            f"token file {path} can be read by others (mode {stat.S_IMODE(info.st_mode):04o}); "
            f"it is not used. Remove it (`utvag logout`) and run `utvag login` again")
    if info.st_uid != os.getuid():
        raise TokenFileTooOpen(f"token file {path} belongs to another user; it is not used")


def load(path: Path) -> TokenSet | None:
    """The stored tokens, None when there are none; refuses a file others can read."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    _check_private(path, info)
    try:
        return TokenSet.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError, KeyError):
        raise NotLoggedIn(f"token file {path} is damaged; run `utvag login`") from None


def save(path: Path, tokens: TokenSet) -> None:
    """Write the tokens with mode 0600 (directory 0700), replacing the file atomically."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(tokens.to_json(), out)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def remove(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def current_access_token(settings: Settings | None = None, *, clock: Clock | None = None,
                         http_client: httpx.Client | None = None) -> str:
    """The signed-in person's access token, refreshed (and stored) when it has expired.

    Raises `NotLoggedIn` with a message for the person when there is nothing usable."""
    settings = settings or get_settings()
    now = (clock or SystemClock()).now()
    path = settings.resolved_token_file
    tokens = load(path)
    if tokens is None:
        raise NotLoggedIn("not logged in: run `utvag login`")
    if tokens.issuer != settings.oidc_issuer:
        raise NotLoggedIn(f"logged in at another provider ({tokens.issuer}); run `utvag login`")
    if not tokens.expired(now):
        return tokens.access_token
    if not tokens.refresh_token:
        raise NotLoggedIn("the login has expired: run `utvag login`")
    client = OidcClient(tokens.issuer, tokens.client_id, http_client=http_client)
    try:
        fresh = client.refresh(tokens, now=now)
    except OidcError as exc:
        if exc.error == "unreachable":
            raise NotLoggedIn(f"the login provider cannot be reached ({tokens.issuer})") from None
        raise NotLoggedIn("the login has expired: run `utvag login`") from None
    save(path, fresh)
    return fresh.access_token
