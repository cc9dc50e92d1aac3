"""The local stack `make run` starts, in this order: database and migrations, the
OpenID Connect provider, Prefect server and UI, agency simulators, the deployments
(`utvag deploy`) and a worker (`utvag worker`), and the case service (`utvag serve`);
and their clean shutdown, in reverse.

Every process binds to 127.0.0.1. `utvag run` puts Prefect's API behind a credential
(`auth_string`, kept in `<data dir>/prefect-auth`: `utvag_cli.demo.demo_stack`): the
server requires it and every client started here (deploy, workers, the case service,
which starts and resumes runs) gets it. The workers connect as the database role
`utvag_worker`, the case service as `utvag_app` (docs/database-roles.md); the service
checks tokens of the provider started here. Tests start the same stack on free ports;
the production-profile test adds a PostgreSQL database for Prefect and a second worker.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from adapters.db import database_url
from adapters.oidc_provider import EmbeddedProvider
from adapters.settings import Settings
from simulators.catalog import APPS, DEFAULT_PORTS, settings_env

PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(check: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{what} did not come up within {timeout:.0f}s")


def answers(url: str) -> Callable[[], bool]:
    return lambda: httpx.get(url, timeout=2).status_code == 200


@dataclass
class Ports:
    prefect: int = 4200
    simulators: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    service: int = 8000

    @classmethod
    def free(cls) -> Ports:
        return cls(free_port(), {name: free_port() for name in APPS}, free_port())


@dataclass
class Stack:
    data_dir: Path
    ports: Ports
    answer_delay: float = 20.0
    collect_every: int = 10
    logs: Path | None = None
    # Production profile: Prefect's own database (None: SQLite under PREFECT_HOME),
    # the API's basic-auth string ("user:password"; None: no auth), worker size.
    prefect_database_url: str | None = None
    auth_string: str | None = None
    worker_limit: int = 4
    recover_every: int = 60
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    # The embedded OpenID Connect provider, when this stack started it (`start_provider`).
    provider: EmbeddedProvider | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.prefect}/api"

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.prefect}"

    @property
    def service_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.service}"

    @property
    def running(self) -> bool:
        """Every process started here still runs (and the provider, if started here)."""
        provider_up = self.provider is None or self.provider.running
        return provider_up and all(p.poll() is None for p in self.processes)

    def prepare(self, settings: Settings) -> None:
        """Key file, database (embedded unless DATABASE_URL), migrations."""
        from datetime import UTC, datetime

        from services.keys import prepare_database

        self.data_dir.mkdir(parents=True, exist_ok=True)
        url = database_url(settings)
        # A key only for a database without data: never a fresh key beside old data.
        prepare_database(settings, url, now=datetime.now(UTC))
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "UTVAG_DATA_DIR": str(self.data_dir),
            **{settings_env(name): f"http://127.0.0.1:{port}"
               for name, port in self.ports.simulators.items()},
            "PREFECT_API_URL": self.api_url,
            "PREFECT_HOME": str(self.data_dir / "prefect"),
            "PREFECT_LOGGING_EXTRA_LOGGERS": "utvag",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_UI_API_URL": self.api_url,
            "PREFECT_SERVER_API_HOST": "127.0.0.1",
            # Concurrency-slot leases on disk, short: a sweep run claimed by a worker
            # that then died (or a server restart) frees its slot within a minute.
            "PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE":
                "prefect.server.concurrency.lease_storage.filesystem",
            "PREFECT_SERVER_CONCURRENCY_INITIAL_DEPLOYMENT_LEASE_DURATION": "60",
        }
        if self.prefect_database_url:
            self.env["PREFECT_API_DATABASE_CONNECTION_URL"] = self.prefect_database_url
        if self.auth_string:
            self.env["PREFECT_SERVER_API_AUTH_STRING"] = self.auth_string
            self.env["PREFECT_API_AUTH_STRING"] = self.auth_string

    def _spawn(self, name: str, *argv: str,
               env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        log_dir = self.logs or self.data_dir / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        handle = (log_dir / f"{name}.log").open("ab")
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and modules
            argv, env={**self.env, **(env or {})}, stdout=handle, stderr=subprocess.STDOUT,
            start_new_session=True)
        self.processes.append(process)
        return process

    def start_provider(self, provider: EmbeddedProvider) -> str:
        """Start the embedded OpenID Connect provider; the case service started after
        checks its tokens. Returns the issuer."""
        self.provider = provider
        issuer = provider.start()
        self.env["UTVAG_OIDC_ISSUER"] = issuer
        return issuer

    def start_prefect(self) -> None:
        self._spawn("prefect-server", PYTHON, "-m", "prefect", "server", "start",
                    "--host", "127.0.0.1", "--port", str(self.ports.prefect), "--no-prompt")
        wait_until(answers(f"{self.api_url}/health"), timeout=120, what="Prefect server")

    def start_simulators(self) -> None:
        sim_dir = self.data_dir / "simulators"
        sim_dir.mkdir(parents=True, exist_ok=True)
        for name, port in self.ports.simulators.items():
            # --test-mode: the demo (and the tests on this stack) steer them via /_admin.
            self._spawn(f"sim-{name}", PYTHON, "-m", "simulators", name, "--port", str(port),
                        "--test-mode",
                        "--answer-delay", str(self.answer_delay),
                        "--state-file", str(sim_dir / f"{name}.json"))
        for port in self.ports.simulators.values():
            wait_until(answers(f"http://127.0.0.1:{port}/health"), timeout=30, what="simulator")

    def deploy(self, *extra: str) -> None:
        """`utvag deploy`: the registry's deployments, work pool and automations."""
        log_dir = self.logs or self.data_dir / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        with (log_dir / "deploy.log").open("ab") as handle:
            subprocess.run(  # noqa: S603 - our own interpreter and modules
                [PYTHON, "-m", "utvag_cli.main", "deploy", "--collect-every",
                 str(self.collect_every), "--recover-every", str(self.recover_every), *extra],
                env=self.env, stdout=handle, stderr=subprocess.STDOUT, check=True, timeout=180)

    def start_worker(self, name: str = "worker-1") -> subprocess.Popen[bytes]:
        # The workers and their flow runs act as utvag_worker, not as the database's
        # owner (docs/database-roles.md); unless the environment names another role.
        role = {"UTVAG_DATABASE_ROLE": self.env.get("UTVAG_DATABASE_ROLE", "utvag_worker")}
        return self._spawn(name, PYTHON, "-m", "utvag_cli.main", "worker", "--name", name,
                           "--limit", str(self.worker_limit), env=role)

    def start_deployments(self) -> subprocess.Popen[bytes]:
        """Deploy the registry, then start one worker on the work pool."""
        self.deploy()
        return self.start_worker()

    def start_service(self) -> subprocess.Popen[bytes]:
        """`utvag serve` on 127.0.0.1:<ports.service>, as the database role utvag_app,
        with the key (file in the data dir), the Prefect credential (to start and resume
        runs) and the issuer (`start_provider`'s, else the configured one)."""
        env = {"UTVAG_DATABASE_ROLE": "utvag_app", "UTVAG_SERVICE_HOST": "127.0.0.1",
               "UTVAG_SERVICE_PORT": str(self.ports.service)}
        process = self._spawn("case-service", PYTHON, "-m", "utvag_cli.main", "serve",
                              "--host", "127.0.0.1", "--port", str(self.ports.service),
                              env=env)
        # The contract answers without a token once the app is up.
        wait_until(answers(f"{self.service_url}/api/v1/openapi.json"), timeout=60,
                   what="the case service")
        return process

    def stop(self) -> None:
        """Stop in reverse start order, each before the next: a worker's flow runs
        report their final state while the Prefect server still listens (else a run
        stays Running and holds its deployment's concurrency slot)."""
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        self.processes.clear()
        if self.provider is not None:
            self.provider.stop()
