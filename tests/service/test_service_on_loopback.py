"""The service under uvicorn on loopback, where the server is the point: a body streamed
in chunks without a length is cut off at the limit, and the answers carry no server
banner and the security headers."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from tests.service.tokens import COORDINATOR_STHLM


@pytest.fixture()
def base_url(app: FastAPI) -> Iterator[str]:
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None,
                            server_header=False, date_header=False, access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_a_streamed_body_is_cut_off_at_the_limit(base_url: str) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"person": {"name": "'
        for _ in range(200):
            yield b"a" * 1024
        yield b'"}}'

    with httpx.Client(base_url=base_url, timeout=10) as client:
        response = client.post("/api/v1/cases", content=chunks(),
                               headers={**COORDINATOR_STHLM.headers(),
                                        "Content-Type": "application/json"})
        assert response.status_code == 413
        assert response.json()["error"]["field"] == "body"
        unauthenticated = client.get("/api/v1/cases")
        assert unauthenticated.status_code == 401
        assert "server" not in unauthenticated.headers
        assert unauthenticated.headers["x-content-type-options"] == "nosniff"
