"""Shared HTTP plumbing for the agency adapters.

Why one place: every adapter must classify failures the same way (retryable vs permanent),
must never let an ``httpx`` exception escape ``adapters/``, and must never put personal data
into an error reason. Adapters do not retry: retry policy belongs to the calling Prefect
task, which can only be correct if retrying is safe, hence the Idempotency-Key header.

Exceptions are raised *outside* the ``except`` blocks on purpose: the original ``httpx`` /
pydantic exception is then not even attached as ``__context__``, because it carries the
request (with the subject's identity number) or the offending input values.
"""

from __future__ import annotations

import re
import ssl
import threading
from collections.abc import Sequence
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from adapters.agency_transport import AgencyTLS, load_tls_files
from adapters.errors import AgencyError, PermanentAgencyError, RetryableAgencyError

__all__ = ["default_timeout", "parse_response", "send", "send_async", "tls_context"]

ModelT = TypeVar("ModelT", bound=BaseModel)

_MAX_DETAIL_CHARS = 300
# Six or more digits, optionally split by single spaces/hyphens: personal identity numbers
# (YYYYMMDD-NNNN and friends) in whatever form a server might echo them back.
_DIGIT_RUN = re.compile(r"\d(?:[ -]?\d){5,}")
_REDACTED = "[redacted]"


_TLS_LOCK = threading.Lock()
_TLS: dict[AgencyTLS, ssl.SSLContext] = {}


def tls_context(tls: AgencyTLS | None = None, *, agency: str = "agency") -> ssl.SSLContext:
    """The client TLS context for an agency's transport settings (``Settings.agency_tls``):
    its CA bundle (else the system's trust store) to verify the server, hostname checked,
    TLS 1.2 at least, and our client certificate for mutual TLS when configured.

    One context per distinct configuration per process, shared by every client: httpx
    builds (and loads the CA bundle into) a new one per client otherwise, ~50 ms each, and
    a sweep or a flow run opens several clients. Locked: tasks start clients in threads.
    ``agency`` names the settings in the ``ValueError`` of a file that no longer loads."""
    key = tls or AgencyTLS()
    with _TLS_LOCK:
        context = _TLS.get(key)
        if context is None:
            context = _build_tls_context(key, agency=agency)
            _TLS[key] = context
        return context


def _build_tls_context(tls: AgencyTLS, *, agency: str) -> ssl.SSLContext:
    if tls.ca_bundle is None:
        context = ssl.create_default_context()
    else:
        # Only the configured CA: the agency's certificate must chain to it, not to any
        # public CA of the system's store.
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if tls != AgencyTLS():
        # Checked at start-up already (Settings): fails only if a file changed since.
        load_tls_files(agency, tls, context)
    return context


def default_timeout() -> httpx.Timeout:
    """Timeouts for agency calls: short, because the caller retries and a hung call blocks a
    worker slot; read/write get more room than connect/pool since the agency does real work."""
    return httpx.Timeout(connect=2.0, read=5.0, write=5.0, pool=2.0)


def send(
    client: httpx.Client,
    *,
    agency: str,
    method: str,
    url: str,
    json: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
    redact: Sequence[str] = (),
) -> httpx.Response:
    """Send one request and return the 2xx response, or raise an ``AgencyError``.

    Mapping: timeouts and transport errors, HTTP 429 and 5xx -> ``RetryableAgencyError``;
    other 4xx, unexpected 3xx and unusable requests -> ``PermanentAgencyError``.
    ``redact`` lists strings (the subject's name and identity number) that are scrubbed
    from any server-provided detail before it goes into the reason.
    """
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key is not None else {}
    where = f"{method} {url.split('?', 1)[0]}"
    failure: AgencyError | None
    try:
        response = client.request(method, url, json=json, headers=headers)
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
        failure = _transport_failure(exc, agency=agency, where=where)
    else:
        failure = _failure_for(response, agency=agency, where=where, redact=redact)
        if failure is None:
            return response
    # Raised outside the except block: the httpx exception, which holds the request
    # and its body, must not ride along even as __context__.
    raise failure


async def send_async(
    client: httpx.AsyncClient,
    *,
    agency: str,
    method: str,
    url: str,
    json: dict[str, Any] | None = None,
    content: bytes | None = None,
    idempotency_key: str | None = None,
    redact: Sequence[str] = (),
) -> httpx.Response:
    """``send`` for an ``httpx.AsyncClient`` (batch look-ups kept in flight together);
    the same failure mapping. ``content``: a JSON body already encoded."""
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key is not None else {}
    if content is not None:
        headers["Content-Type"] = "application/json"
    where = f"{method} {url.split('?', 1)[0]}"
    failure: AgencyError | None
    try:
        response = await client.request(method, url, json=json, content=content,
                                        headers=headers)
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
        failure = _transport_failure(exc, agency=agency, where=where)
    else:
        failure = _failure_for(response, agency=agency, where=where, redact=redact)
        if failure is None:
            return response
    # Raised outside the except block: the httpx exception, which holds the request
    # and its body, must not ride along even as __context__.
    raise failure


def _transport_failure(exc: Exception, *, agency: str, where: str) -> AgencyError:
    """Map an httpx exception (no response) to our hierarchy."""
    name = type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return RetryableAgencyError(agency=agency, reason=f"timeout ({name}) on {where}")
    if isinstance(exc, httpx.UnsupportedProtocol):
        # A misconfigured base URL: retrying cannot help.
        return PermanentAgencyError(agency=agency, reason=f"unusable URL ({name}) on {where}")
    if isinstance(exc, httpx.TransportError):
        tls = _tls_problem(exc)
        # Retryable like any failed connection (an agency rotating its certificate heals);
        # the reason tells the operator that it is the TLS set-up, not the network.
        detail = f"{name}; {tls}" if tls else name
        return RetryableAgencyError(agency=agency, reason=f"transport error ({detail}) on {where}")
    return PermanentAgencyError(agency=agency, reason=f"request failed ({name}) on {where}")


def _tls_problem(exc: BaseException) -> str | None:
    """What went wrong in the TLS handshake behind ``exc``, if that is what failed: the
    agency's certificate not trusted (not from the configured CA bundle, wrong host) or
    the handshake refused (e.g. the agency did not accept our client certificate)."""
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            break
        if isinstance(seen, ssl.SSLCertVerificationError):
            return f"TLS: the agency's certificate is not trusted: {seen.verify_message}"
        if isinstance(seen, ssl.SSLError):
            return f"TLS: handshake refused: {seen.reason or type(seen).__name__}"
        seen = seen.__cause__ or seen.__context__
    return None


def parse_response(response: httpx.Response, model: type[ModelT], *, agency: str) -> ModelT:
    """Validate a 2xx body against the wire schema; a body that does not fit the contract
    is a ``PermanentAgencyError`` (asking again returns the same bad body)."""
    problems: str | None = None
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        # Only locations and error types: the messages/inputs may contain personal data.
        problems = "; ".join(
            f"{_format_loc(err['loc'])} ({err['type']})" for err in exc.errors()[:5]
        )
    raise PermanentAgencyError(
        agency=agency,
        reason=f"malformed response (HTTP {response.status_code}) to "
        f"{response.request.method} {response.request.url.path}: {problems}",
        status_code=response.status_code,
    )


def _failure_for(
    response: httpx.Response, *, agency: str, where: str, redact: Sequence[str]
) -> AgencyError | None:
    """Classify a response; ``None`` means success."""
    status = response.status_code
    if 200 <= status < 300:
        return None
    detail = _error_detail(response, redact=redact)
    reason = f"HTTP {status} on {where}" + (f": {detail}" if detail else "")
    if status == 429 or status >= 500:
        return RetryableAgencyError(agency=agency, reason=reason, status_code=status)
    return PermanentAgencyError(agency=agency, reason=reason, status_code=status)


def _error_detail(response: httpx.Response, *, redact: Sequence[str]) -> str:
    """The ``detail`` of a JSON error body, made safe to log.

    FastAPI-style validation details are lists whose items echo the offending ``input``
    (e.g. the identity number); only ``loc`` and ``msg`` are kept from those.
    """
    try:
        body = response.json()
    except ValueError:
        return ""
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, str):
        text = detail
    elif isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict):
                loc = item.get("loc")
                prefix = f"{_format_loc(loc)}: " if isinstance(loc, list | tuple) else ""
                parts.append(f"{prefix}{item.get('msg', '')}")
        text = "; ".join(parts)
    else:
        return ""
    return _scrub(text, redact=redact)


def _scrub(text: str, *, redact: Sequence[str]) -> str:
    """Remove known personal values and anything shaped like an identity number."""
    # Longest first, so "Tolvansson" is removed whole rather than as "Tolvan" + "sson".
    for value in sorted(redact, key=len, reverse=True):
        if value:
            text = re.sub(re.escape(value), _REDACTED, text, flags=re.IGNORECASE)
    text = _DIGIT_RUN.sub(_REDACTED, text)
    if len(text) > _MAX_DETAIL_CHARS:
        text = text[:_MAX_DETAIL_CHARS] + "…"
    return text


def _format_loc(loc: Sequence[object]) -> str:
    return ".".join(str(part) for part in loc)
