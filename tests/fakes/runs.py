"""A fake of the CLI's flow runs (`utvag_cli.context.Runs`): records which cases were
woken or started, and talks to no Prefect server."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from services.runtime import Runtime


@dataclass
class FakeRuns:
    woken: list[uuid.UUID] = field(default_factory=list)
    started: list[uuid.UUID] = field(default_factory=list)
    answer: str = "resumed"
    # Report runs started: (deployment, parameters).
    reports: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def wake(self, rt: Runtime, case_id: uuid.UUID) -> str:
        self.woken.append(case_id)
        return self.answer

    def start(self, rt: Runtime, case_id: uuid.UUID) -> uuid.UUID:
        self.started.append(case_id)
        return uuid.uuid5(uuid.NAMESPACE_OID, f"{case_id}-{len(self.started)}")

    def start_report(self, deployment: str, parameters: dict[str, Any]) -> uuid.UUID:
        self.reports.append((deployment, parameters))
        return uuid.uuid5(uuid.NAMESPACE_OID, f"{deployment}-{len(self.reports)}")
