"""`utvag_cli.service`: how the CLI talks to the case service, against an
`httpx.MockTransport` that answers as the service does. Each refusal becomes one line
for a person and an exit status; the login goes only where it may."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from adapters.settings import Settings
from utvag_cli.service import NotLoggedIn, Service, ServiceError, checked_url, stored_access_token


def _service(status: int, body: object = None, *, headers: dict[str, str] | None = None,
             seen: list[httpx.Request] | None = None) -> Service:
    def answer(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(status, json=body, headers=headers)

    return Service("https://utvag.test", token=lambda: "tok-1",
                   http=httpx.Client(transport=httpx.MockTransport(answer)))


def _error(status: int, body: object = None, *,
           headers: dict[str, str] | None = None) -> ServiceError:
    with pytest.raises(ServiceError) as refused:
        _service(status, body, headers=headers).get("/cases/UTV-2026-000001")
    return refused.value


def test_the_request_carries_the_login_and_goes_under_api_v1() -> None:
    seen: list[httpx.Request] = []
    assert _service(200, {"ok": 1}, seen=seen).get("/ledger", year=2026, skip=None) == {"ok": 1}
    [request] = seen
    assert str(request.url) == "https://utvag.test/api/v1/ledger?year=2026"
    assert request.headers["authorization"] == "Bearer tok-1"


@pytest.mark.parametrize(("status", "body", "line", "code"), [
    (422, {"error": {"field": "holds", "message": "true or false"}},
     "error: holds: true or false", 2),
    (404, {"error": {"field": None, "message": "not found"}},
     "error: not found (no such case, or not yours to see)", 2),
    (401, {"error": {"field": None, "message": "unauthenticated"}},
     "error: the service did not accept your login: log in with `utvag login`", 1),
    (413, {"error": {"field": "body", "message": "a request body is at most 65536 bytes"}},
     "error: body: a request body is at most 65536 bytes", 2),
    (500, {"error": {"field": None, "message": "internal error"}},
     "error: the case service failed (500); nothing more is known here", 1),
    (502, "<html>bad gateway</html>",
     "error: the case service failed (502); nothing more is known here", 1),
])
def test_each_refusal_is_one_line_and_an_exit_status(status: int, body: object, line: str,
                                                     code: int) -> None:
    refused = _error(status, body)
    assert (refused.line(), refused.exit_code) == (line, code)


def test_too_many_failures_says_when_to_try_again() -> None:
    refused = _error(429, {"error": {"field": None, "message": "too many"}},
                     headers={"Retry-After": "42"})
    assert refused.line() == "error: too many failed requests; try again in 42 s"


def test_an_unreachable_service_is_named() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    service = Service("https://utvag.test", token=lambda: "t",
                      http=httpx.Client(transport=httpx.MockTransport(down)))
    with pytest.raises(ServiceError) as refused:
        service.get("/cases")
    assert refused.value.line() == ("error: the case service at https://utvag.test cannot be "
                                    "reached (ConnectError)")


@pytest.mark.parametrize("url", ["https://utvag.kommun.se", "http://127.0.0.1:8000",
                                 "http://localhost:8000", "http://[::1]:8000"])
def test_https_or_this_machine(url: str) -> None:
    assert checked_url(url) == url


@pytest.mark.parametrize("url", ["http://utvag.kommun.se", "http://10.0.0.5:8000",
                                 "ftp://utvag.kommun.se", "utvag.kommun.se"])
def test_the_login_is_never_sent_in_clear_to_another_machine(url: str) -> None:
    with pytest.raises(ServiceError) as refused:
        checked_url(url)
    assert refused.value.field == "service_url"


def _settings(tmp_path: Path) -> Settings:
    return Settings(token_file=tmp_path / "tokens.json")


def _write(path: Path, token: str, expires: datetime) -> None:
    path.write_text(json.dumps({"access_token": token, "expires_at": expires.isoformat()}),
                    encoding="utf-8")
    os.chmod(path, 0o600)


def test_the_stored_login_is_read_until_it_expires(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with pytest.raises(NotLoggedIn, match="not logged in: log in with `utvag login`"):
        stored_access_token(settings)
    _write(settings.resolved_token_file, "tok-2", datetime.now(UTC) + timedelta(minutes=5))
    assert stored_access_token(settings) == "tok-2"
    _write(settings.resolved_token_file, "tok-3", datetime.now(UTC) - timedelta(seconds=1))
    with pytest.raises(NotLoggedIn, match="the login has expired"):
        stored_access_token(settings)
    settings.resolved_token_file.write_text("{", encoding="utf-8")
    with pytest.raises(NotLoggedIn, match="unreadable"):
        stored_access_token(settings)
