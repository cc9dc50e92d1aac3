"""`utvag_cli.service`: how the CLI talks to the case service, against an
`httpx.MockTransport` that answers as the service does. Each refusal becomes one line
for a person and an exit status; the login goes only where it may."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from adapters.settings import Settings
from tests.service import tokens as u
from tests.service.tokens import ISSUER
from tests.service_cli import token_file
from utvag_cli.service import NotLoggedIn, Service, ServiceError, access_token, checked_url


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


def test_the_token_is_utvag_login_s(tmp_path: Path) -> None:
    """What `utvag login` stored (utvag_cli.tokens), as ours: no login is one line."""
    settings = Settings(token_file=tmp_path / "tokens.json", oidc_issuer=ISSUER)
    with pytest.raises(NotLoggedIn) as missing:
        access_token(settings)
    assert missing.value.line() == "error: not logged in: run `utvag login`"
    assert missing.value.exit_code == 1
    token_file(settings.resolved_token_file, u.COORDINATOR_STHLM)
    stored = json.loads(settings.resolved_token_file.read_text(encoding="utf-8"))
    assert access_token(settings) == stored["access_token"]
