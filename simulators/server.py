"""Run a simulator app on a real loopback socket in a background thread.

Why a real socket rather than ``httpx`` ASGI transport: contract tests should exercise
exactly what production does (TCP, timeouts, connection errors, headers), and end-to-end
tests need URLs that other processes (Prefect workers) can reach.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

__all__ = ["RunningSimulator", "ServerTLS", "is_loopback", "start_in_thread"]


@dataclass(frozen=True)
class ServerTLS:
    """Serve HTTPS with ``cert``/``key`` (PEM); with ``client_ca``, mutual TLS: the handshake
    is refused unless the client presents a certificate issued by that CA."""

    cert: Path
    key: Path
    client_ca: Path | None = None

    def uvicorn_options(self) -> dict[str, Any]:
        """Keyword arguments for ``uvicorn.Config``/``uvicorn.run``."""
        options: dict[str, Any] = {"ssl_certfile": str(self.cert), "ssl_keyfile": str(self.key)}
        if self.client_ca is not None:
            options |= {"ssl_ca_certs": str(self.client_ca), "ssl_cert_reqs": ssl.CERT_REQUIRED}
        return options


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts local connections (simulators hold personal data in
    transit, so they must not be reachable from the network by accident)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class RunningSimulator:
    """Handle to a simulator served by uvicorn in a daemon thread."""

    def __init__(self, *, server: uvicorn.Server, thread: threading.Thread, base_url: str):
        self._server = server
        self._thread = thread
        self.base_url = base_url

    def is_alive(self) -> bool:
        """Whether the server thread still runs."""
        return self._thread.is_alive()

    def stop(self, *, timeout: float = 5.0) -> None:
        """Ask uvicorn to exit; force it if requests (e.g. a simulated timeout) linger."""
        self._server.should_exit = True
        self._thread.join(timeout=0.5)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout=timeout)

    def __enter__(self) -> RunningSimulator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_in_thread(
    app: FastAPI,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    log_level: str = "warning",
    ready_timeout: float = 10.0,
    tls: ServerTLS | None = None,
) -> RunningSimulator:
    """Serve ``app`` on ``host:port`` (0 = a free port) and return once /health answers
    (with ``tls``: over HTTPS, once uvicorn has started, since the probe has no client
    certificate of its own).

    The socket is bound here, before uvicorn starts, so the chosen port is known without
    racing another process for it.
    """
    family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    bound_port = int(sock.getsockname()[1])
    url_host = f"[{host}]" if ":" in host else host
    base_url = f"{'https' if tls else 'http'}://{url_host}:{bound_port}"

    # log_config=None: do not reconfigure the host process's logging (tests, Prefect).
    config = uvicorn.Config(app, log_config=None, log_level=log_level, access_log=True,
                            **(tls.uvicorn_options() if tls else {}))
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"simulator-{bound_port}", daemon=True
    )
    thread.start()
    running = RunningSimulator(server=server, thread=thread, base_url=base_url)

    deadline = time.monotonic() + ready_timeout
    if tls is not None and _wait_until_started(running, server=server, deadline=deadline):
        return running
    if tls is None and _wait_until_healthy(running, server=server, deadline=deadline):
        return running
    running.stop()
    sock.close()
    raise RuntimeError(f"simulator on {base_url} did not become ready within {ready_timeout} s")


def _wait_until_started(
    running: RunningSimulator, *, server: uvicorn.Server, deadline: float
) -> bool:
    while time.monotonic() < deadline and running.is_alive():
        if server.started:
            return True
        time.sleep(0.01)
    return False


def _wait_until_healthy(
    running: RunningSimulator, *, server: uvicorn.Server, deadline: float
) -> bool:
    """Poll /health with one client (a new client per poll costs ~50 ms of TLS set-up)."""
    with httpx.Client(base_url=running.base_url, timeout=1.0) as client:
        while time.monotonic() < deadline and running.is_alive():
            if server.started:
                try:
                    if client.get("/health").status_code == 200:
                        return True
                except httpx.HTTPError:
                    pass
            time.sleep(0.01)
    return False
