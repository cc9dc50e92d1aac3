"""The service under uvicorn on loopback, where the server is the point: a body streamed
in chunks without a length is cut off at the limit, and the answers carry no server
banner and the security headers."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from tests.loopback import serving
from tests.service.tokens import COORDINATOR_STHLM


@pytest.fixture()
def base_url(app: FastAPI) -> Iterator[str]:
    with serving(app, date_header=False) as url:
        yield url


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
