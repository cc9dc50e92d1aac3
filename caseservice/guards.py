"""What stands in front of every request, as one ASGI middleware:

- a client (by address, and by token subject once known) that has had too many 401 or
  404 answers in the window is slowed down: 429 with `Retry-After`, in memory;
- a request body over `settings.service_max_body_bytes` gets 413 before it is parsed;
- every string in a JSON body is at most `MAX_TEXT` characters and holds no control
  character (a line feed is allowed) and no bidirectional override: 422 naming the
  field, before any route sees it;
- every response carries the security headers (no-store: answers hold personal data).
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict, deque
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.clock import Clock
from caseservice.errors import error_response

MAX_TEXT = 4000
BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
SECURITY_HEADERS = {
    "cache-control": "no-store",
    "pragma": "no-cache",
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}
FAILURES = (401, 404)
MAX_KEYS = 50_000  # bounded memory: the oldest clients are forgotten first


class Throttle:
    """Failures per key in a sliding window; `retry_after` says how long a key must
    wait once it reached the limit."""

    def __init__(self, *, limit: int, window: timedelta, clock: Clock) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._failures: OrderedDict[str, deque[datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def retry_after(self, key: str) -> int | None:
        now = self.clock.now()
        with self._lock:
            times = self._recent(key, now)
            if len(times) < self.limit:
                return None
            return max(1, math.ceil((times[0] + self.window - now).total_seconds()))

    def fail(self, key: str) -> None:
        now = self.clock.now()
        with self._lock:
            times = self._recent(key, now)
            times.append(now)
            self._failures[key] = times
            self._failures.move_to_end(key)
            while len(self._failures) > MAX_KEYS:
                self._failures.popitem(last=False)


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path or "body", value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{path}.{i}" if path else str(i))


def text_problem(body: bytes) -> tuple[str, str] | None:
    """(field, problem) for the first string in a JSON body that is too long or holds a
    control character; None when there is none (or the body is not JSON: the route's
    own validation says so)."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    for field, text in _strings(data):
        if len(text) > MAX_TEXT:
            return field, f"at most {MAX_TEXT} characters"
        if any((ord(c) < 32 and c != "\n") or 127 <= ord(c) < 160 or c in BIDI for c in text):
            return field, "control characters are not allowed"
    return None


class Guards:
    def __init__(self, app: ASGIApp, *, max_body: int, throttle: Throttle) -> None:
        self.app, self.max_body, self.throttle = app, max_body, throttle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = f"addr:{client[0] if client else 'unknown'}"
        wait = self.throttle.retry_after(address)
        if wait is not None:
            await self._answer(scope, receive, send, 429, None, "too many failed requests; "
                               "try again later", {"Retry-After": str(wait)})
            return
        body, problem = await self._body(scope, receive)
        if problem is not None:
            status, field, message = problem
            await self._answer(scope, receive, send, status, field, message, {})
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        status = 0

        async def secured(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.decode().lower() not in SECURITY_HEADERS]
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                message = {**message, "headers": headers}
            await send(message)

        state = scope.setdefault("state", {})
        await self.app(scope, replay, secured)
        if status in FAILURES:
            self.throttle.fail(address)
            subject = state.get("subject")
            if subject:
                self.throttle.fail(f"sub:{subject}")

    async def _body(self, scope: Scope,
                    receive: Receive) -> tuple[bytes, tuple[int, str | None, str] | None]:
        too_big = (413, "body", f"a request body is at most {self.max_body} bytes")
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_body:
                return b"", too_big
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return b"", too_big
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        found = text_problem(body) if body else None
        if found is not None:
            return body, (422, found[0], found[1])
        return body, None

    async def _answer(self, scope: Scope, receive: Receive, send: Send, status: int,
                      field: str | None, message: str, headers: dict[str, str]) -> None:
        response = error_response(status, field, message, headers=headers)
        for key, value in SECURITY_HEADERS.items():
            response.headers[key] = value
        await response(scope, receive, send)
