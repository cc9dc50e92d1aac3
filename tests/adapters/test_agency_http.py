"""Error hierarchy and the shared ``send``/``parse_response`` mapping, via MockTransport."""

from __future__ import annotations

import pickle
from collections.abc import Callable

import httpx
import pytest

from adapters.common import SubmittedRequest
from adapters.errors import AgencyError, PermanentAgencyError, RetryableAgencyError
from adapters.http import default_timeout, parse_response, send

IDENTITY = "191212121212"
NAME = "Tolvan Tolvansson"


def client_for(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.Client:
    return httpx.Client(base_url="http://agency.test", transport=httpx.MockTransport(handler))


def answer(status: int, body: object = None) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body if body is not None else {"detail": "nope"})

    return handler


def raising(exc_type: type[httpx.RequestError]) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc_type("boom", request=request)

    return handler


def call(client: httpx.Client) -> httpx.Response:
    return send(
        client,
        agency="police",
        method="POST",
        url="/threat-assessments",
        json={"subject": {"identity_number": IDENTITY, "name": NAME}},
        idempotency_key="k-1",
        redact=(IDENTITY, NAME, "Tolvan", "Tolvansson"),
    )


def test_hierarchy_and_attributes() -> None:
    exc = RetryableAgencyError(agency="police", reason="HTTP 503", status_code=503)
    assert isinstance(exc, AgencyError)
    assert not isinstance(exc, PermanentAgencyError)
    assert issubclass(PermanentAgencyError, AgencyError)
    assert (exc.agency, exc.reason, exc.status_code) == ("police", "HTTP 503", 503)
    assert str(exc) == "police: HTTP 503"
    assert PermanentAgencyError(agency="x", reason="y").status_code is None


def test_constructor_is_keyword_only() -> None:
    with pytest.raises(TypeError):
        AgencyError("police", "reason")  # type: ignore[call-arg]


def test_errors_survive_pickling() -> None:
    # Prefect serialises the exception of a failed task run.
    exc = PermanentAgencyError(agency="police", reason="HTTP 404", status_code=404)
    clone = pickle.loads(pickle.dumps(exc))
    assert type(clone) is PermanentAgencyError
    assert (clone.agency, clone.reason, clone.status_code) == ("police", "HTTP 404", 404)


def test_default_timeout() -> None:
    timeout = default_timeout()
    assert (timeout.connect, timeout.read, timeout.write, timeout.pool) == (2.0, 5.0, 5.0, 2.0)


@pytest.mark.parametrize("status", [200, 201, 204])
def test_success_is_returned(status: int) -> None:
    with client_for(answer(status, {"ok": True})) as client:
        assert call(client).status_code == status


def test_idempotency_key_header_is_sent_only_when_given() -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("Idempotency-Key"))
        return httpx.Response(200, json={})

    with client_for(handler) as client:
        call(client)
        send(client, agency="police", method="GET", url="/threat-assessments/1")
    assert seen == ["k-1", None]


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_transient_statuses_are_retryable(status: int) -> None:
    with (
        client_for(answer(status, {"detail": "busy"})) as client,
        pytest.raises(RetryableAgencyError) as info,
    ):
        call(client)
    assert info.value.status_code == status
    assert f"HTTP {status}" in info.value.reason
    assert "busy" in info.value.reason


@pytest.mark.parametrize("status", [300, 400, 401, 403, 404, 409, 422])
def test_other_statuses_are_permanent(status: int) -> None:
    with (
        client_for(answer(status, {"detail": "rejected"})) as client,
        pytest.raises(PermanentAgencyError) as info,
    ):
        call(client)
    assert info.value.status_code == status
    assert f"HTTP {status}" in info.value.reason
    assert "rejected" in info.value.reason
    assert info.value.agency == "police"


@pytest.mark.parametrize(
    ("exc_type", "expected"),
    [
        (httpx.ReadTimeout, RetryableAgencyError),
        (httpx.ConnectTimeout, RetryableAgencyError),
        (httpx.PoolTimeout, RetryableAgencyError),
        (httpx.ConnectError, RetryableAgencyError),
        (httpx.ReadError, RetryableAgencyError),
        (httpx.RemoteProtocolError, RetryableAgencyError),
        (httpx.UnsupportedProtocol, PermanentAgencyError),
        (httpx.TooManyRedirects, PermanentAgencyError),
    ],
)
def test_transport_failures_are_mapped(
    exc_type: type[httpx.RequestError], expected: type[AgencyError]
) -> None:
    with client_for(raising(exc_type)) as client, pytest.raises(AgencyError) as info:
        call(client)
    assert type(info.value) is expected
    assert exc_type.__name__ in info.value.reason
    assert info.value.status_code is None
    # The httpx exception (which holds the request body) is not even chained.
    assert info.value.__context__ is None
    assert info.value.__cause__ is None


def test_non_json_error_body() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="<html>Bad gateway</html>")

    with client_for(handler) as client, pytest.raises(RetryableAgencyError) as info:
        call(client)
    assert info.value.reason == "HTTP 502 on POST /threat-assessments"


def test_validation_detail_never_echoes_input() -> None:
    body = {
        "detail": [
            {
                "type": "missing",
                "loc": ["body", "milieu"],
                "msg": "Field required",
                "input": {"subject": {"identity_number": IDENTITY, "name": NAME}},
            }
        ]
    }
    with client_for(answer(422, body)) as client, pytest.raises(PermanentAgencyError) as info:
        call(client)
    assert "HTTP 422" in info.value.reason
    assert "body.milieu: Field required" in info.value.reason
    assert_no_personal_data(info.value)


@pytest.mark.parametrize(
    "detail",
    [
        f"subject {NAME} ({IDENTITY}) unknown",
        "subject 19121212-1212 unknown",
        "subject TOLVANSSON unknown",
    ],
)
def test_string_detail_is_scrubbed(detail: str) -> None:
    with (
        client_for(answer(409, {"detail": detail})) as client,
        pytest.raises(PermanentAgencyError) as info,
    ):
        call(client)
    assert "[redacted]" in info.value.reason
    assert_no_personal_data(info.value)
    assert "1212" not in info.value.reason
    assert "sson" not in info.value.reason.lower()


def test_parse_response_accepts_the_contract() -> None:
    with client_for(answer(201, {"request_id": "r1", "status": "pending", "created": True})) as c:
        result = parse_response(call(c), SubmittedRequest, agency="police")
    assert result == SubmittedRequest(request_id="r1", status="pending", created=True)


def test_malformed_response_is_permanent_without_values() -> None:
    with client_for(answer(201, {"request_id": IDENTITY, "created": NAME})) as client:
        response = call(client)
    with pytest.raises(PermanentAgencyError) as info:
        parse_response(response, SubmittedRequest, agency="police")
    assert "malformed response" in info.value.reason
    assert "status (missing)" in info.value.reason
    assert "created (bool_parsing)" in info.value.reason
    assert info.value.__context__ is None
    assert_no_personal_data(info.value)


def test_non_json_success_body_is_permanent() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="not json")

    with client_for(handler) as client:
        response = call(client)
    with pytest.raises(PermanentAgencyError):
        parse_response(response, SubmittedRequest, agency="police")


def assert_no_personal_data(exc: AgencyError) -> None:
    for text in (str(exc), exc.reason, repr(exc)):
        assert IDENTITY not in text
        assert "tolvan" not in text.lower()
