"""Everything a simulator received on the wire, for privacy tests: an ASGI middleware
that keeps each request's method, path, headers and body as text."""

from __future__ import annotations

from typing import Any

Scope = dict[str, Any]


class WireRecorder:
    """Pure ASGI middleware (`app.add_middleware(WireRecorder, seen=[...])`)."""

    def __init__(self, app: Any, *, seen: list[str]) -> None:
        self.app = app
        self.seen = seen

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []

        async def recording_receive() -> Any:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
            return message

        try:
            await self.app(scope, recording_receive, send)
        finally:
            headers = " ".join(f"{k.decode()}={v.decode()}" for k, v in scope["headers"])
            query = scope.get("query_string", b"").decode()
            body = b"".join(chunks).decode("utf-8", "replace")
            self.seen.append(f"{scope['method']} {scope['path']} {query} {headers} {body}")
