"""What a command needs besides its arguments, handed in by `main()`: the case service
(a person's commands: HTTP with their login), where secrets are read from, and, for the
operators' local commands only, the runtime (settings, database, clock, cipher) and how
a case's flow run is started. Tests hand in their own; nothing is read from globals
that a test would have to change."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Protocol, TextIO

if TYPE_CHECKING:
    from services.runtime import Runtime
    from utvag_cli.service import Service


class Runs(Protocol):
    """A case's flow runs on the Prefect server (`flows.resume`)."""

    def wake(self, rt: Runtime, case_id: uuid.UUID) -> str:
        """Resume the case's suspended run, or start one; says which."""
        ...

    def start(self, rt: Runtime, case_id: uuid.UUID) -> uuid.UUID:
        """Start a new run of the case; its id."""
        ...


class Cli:
    """One invocation's dependencies, each built on first use: a person's commands build
    only the service connection (settings `service_url`, `token_file`), never the
    runtime, so they need no database, key or Prefect credential; `worker` and `deploy`
    never start an embedded PostgreSQL."""

    def __init__(self, *, stdin: TextIO, runs: Runs, runtime: Runtime | None = None,
                 service: Service | None = None) -> None:
        self.stdin = stdin
        self.runs = runs
        self._runtime = runtime
        self._service = service

    @property
    def service(self) -> Service:
        if self._service is None:
            from adapters.settings import get_settings
            from utvag_cli.service import Service

            self._service = Service.from_settings(get_settings())
        return self._service

    def close(self) -> None:
        if self._service is not None:
            self._service.close()

    @property
    def rt(self) -> Runtime:
        if self._runtime is None:
            from services.runtime import runtime

            self._runtime = runtime()
        return self._runtime
