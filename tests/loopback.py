"""An ASGI app on uvicorn on 127.0.0.1 in a thread, for the tests that need a real
socket. It counts as started when uvicorn's own start-up has finished (an event it
sets), not when a poll happens to see it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


class _Signalling(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets=sockets)
        self.ready.set()


class LoopbackServer:
    """`port` 0: a free one. Other keyword arguments go to `uvicorn.Config`."""

    def __init__(self, app: Any, *, port: int = 0, **config: Any) -> None:
        options: dict[str, Any] = {"log_config": None, "access_log": False,
                                   "lifespan": "off", "server_header": False, **config}
        self._server = _Signalling(uvicorn.Config(app, host="127.0.0.1", port=port,
                                                  **options))
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self.url = ""

    def start(self) -> str:
        self._thread.start()
        if not self._server.ready.wait(timeout=15):
            raise RuntimeError("uvicorn did not start on 127.0.0.1")
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


@contextmanager
def serving(app: Any, **config: Any) -> Iterator[str]:
    """The app served while the block runs; its base URL."""
    server = LoopbackServer(app, **config)
    url = server.start()
    try:
        yield url
    finally:
        server.stop()
