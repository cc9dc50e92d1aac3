"""The case service as the `utvag` CLI reaches it: HTTP with the signed-in person's
bearer token. On a person's machine this needs the service URL (setting `service_url`)
and a login (`utvag login`), never the key, the database URL or the Prefect credential.

    ServiceError            the service refused, or could not be reached; `line()` is the
                            one line a person reads, `exit_code` what the shell gets
      NotLoggedIn           no usable login here (or the service said 401)

`Service(base_url, token=..., http=...)`: `http` is the test seam (an `httpx.Client`,
e.g. a Starlette `TestClient` on the app in-process); `token` is called for each request
so a refreshed token is picked up.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from adapters.settings import Settings
from utvag_cli.tokens import NotLoggedIn as NoStoredLogin
from utvag_cli.tokens import current_access_token

API = "/api/v1"
TIMEOUT = httpx.Timeout(30.0, connect=5.0)
LOG_IN = "log in with `utvag login`"


class ServiceError(Exception):
    """The service's answer to a request it did not carry out (or no answer at all)."""

    def __init__(self, status: int, field: str | None, message: str) -> None:
        super().__init__(message)
        self.status, self.field, self.message = status, field, message

    @property
    def exit_code(self) -> int:
        # 2: change what you typed (as argparse does); 1: nothing you typed is wrong.
        return 2 if self.status in (404, 409, 413, 422) else 1

    def line(self) -> str:
        return f"error: {self.field}: {self.message}" if self.field else f"error: {self.message}"


class NotLoggedIn(ServiceError):
    def __init__(self, message: str = f"not logged in: {LOG_IN}") -> None:
        super().__init__(401, None, message)


def access_token(settings: Settings) -> str:
    """The signed-in person's access token from `utvag login`'s store, refreshed when it
    has expired (`utvag_cli.tokens`)."""
    try:
        return current_access_token(settings)
    except NoStoredLogin as exc:
        raise NotLoggedIn(str(exc)) from None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def checked_url(url: str) -> str:
    """The service URL, if the login may be sent there: https, or http on this machine
    only (a bearer token over plain http elsewhere is anyone's on the way)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ServiceError(0, "service_url", "an http(s) URL, e.g. https://utvag.example.se")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise ServiceError(0, "service_url", "https for a case service that is not on this "
                                             "machine (your login is sent with every request)")
    return url


def _refusal(response: httpx.Response) -> ServiceError:
    status = response.status_code
    if status == 401:
        return NotLoggedIn(f"the service did not accept your login: {LOG_IN}")
    try:
        error = response.json()["error"]
        field, message = error.get("field"), str(error["message"])
    except (ValueError, KeyError, TypeError, AttributeError):
        field, message = None, f"the case service answered {status}"
    if status == 404:
        # The service says the same for "no such case" and "not yours to see".
        return ServiceError(404, None, "not found (no such case, or not yours to see)")
    if status == 429:
        wait = response.headers.get("retry-after")
        message = "too many failed requests; try again" + (f" in {wait} s" if wait else " later")
    elif status >= 500:
        message = f"the case service failed ({status}); nothing more is known here"
    return ServiceError(status, field, message)


class Service:
    """One invocation's connection to the case service."""

    def __init__(self, base_url: str, *, token: Callable[[], str],
                 http: httpx.Client | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._http, self._owned = http, http is None

    @classmethod
    def from_settings(cls, settings: Settings) -> Service:
        return cls(checked_url(settings.service_url), token=lambda: access_token(settings))

    def _client(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(timeout=TIMEOUT, follow_redirects=False)
        return self._http

    def request(self, method: str, path: str, *, body: Mapping[str, Any] | None = None,
                params: Mapping[str, Any] | None = None) -> Any:
        """The JSON answer of a 2xx response; `ServiceError` otherwise."""
        headers = {"Authorization": f"Bearer {self._token()}", "Accept": "application/json"}
        url = f"{self.base_url}{API}{path}"
        try:
            response = self._client().request(
                method, url, headers=headers, json=body,
                params={k: v for k, v in (params or {}).items() if v is not None})
        except httpx.HTTPError as exc:
            raise ServiceError(0, None, f"the case service at {self.base_url} cannot be "
                                        f"reached ({type(exc).__name__})") from None
        if not response.is_success:
            raise _refusal(response)
        return response.json() if response.content else None

    def download(self, path: str, **params: Any) -> tuple[str, bytes]:
        """(file name the service gave, content) of a 2xx download; `ServiceError`
        otherwise."""
        url = f"{self.base_url}{API}{path}"
        try:
            response = self._client().get(
                url, headers={"Authorization": f"Bearer {self._token()}"},
                params={k: v for k, v in params.items() if v is not None})
        except httpx.HTTPError as exc:
            raise ServiceError(0, None, f"the case service at {self.base_url} cannot be "
                                        f"reached ({type(exc).__name__})") from None
        if not response.is_success:
            raise _refusal(response)
        disposition = response.headers.get("content-disposition", "")
        name = disposition.partition('filename="')[2].partition('"')[0]
        # Only a plain file name from the service: never a path.
        safe = name if name and "/" not in name and "\\" not in name \
            and not name.startswith(".") else "rapport"
        return safe, response.content

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Mapping[str, Any] | None = None) -> Any:
        return self.request("POST", path, body=body)

    def close(self) -> None:
        if self._owned and self._http is not None:
            self._http.close()
