"""The port through which the service gets a case's flow going after it recorded an
answer: resume the case's suspended run, or start one (`flows.resume`). Nothing typed
into Prefect is an answer: the run reads what the service recorded.

It runs with the answering principal's runtime (role utvag_app, row-level security): it
reads the case's number and phase to name a run it starts, and the run that holds the
case through `utvag_waiting_run` (the wait it holds may be hidden from the answerer;
docs/database-roles.md). Prefect gets the case id only."""

from __future__ import annotations

import uuid
from typing import Any, Protocol

from services.runtime import Runtime


class Waker(Protocol):
    def wake(self, rt: Runtime, case_id: uuid.UUID) -> str:
        """Resume the case's suspended run or start one; says which."""
        ...

    def start(self, rt: Runtime, case_id: uuid.UUID) -> uuid.UUID:
        """Start a run of a new case; its id."""
        ...

    def start_report(self, deployment: str, parameters: dict[str, Any]) -> uuid.UUID:
        """Start a run of a report deployment (years and dates only); its id."""
        ...


class PrefectWaker:
    """The deployed runs on the Prefect server; Prefect is imported on first use."""

    def wake(self, rt: Runtime, case_id: uuid.UUID) -> str:
        from flows.resume import wake_case

        try:
            return wake_case(rt, case_id)
        except Exception as exc:  # noqa: BLE001 - the answer is recorded either way
            from adapters.logs import get_logger

            get_logger(case_id=str(case_id)).warning("case.not_woken",
                                                     error=type(exc).__name__)
            return "recorded"

    def start(self, rt: Runtime, case_id: uuid.UUID) -> uuid.UUID:
        from flows.resume import start_case_run

        return start_case_run(rt, case_id)

    def start_report(self, deployment: str, parameters: dict[str, Any]) -> uuid.UUID:
        from flows.followup_report import start_report_run

        return start_report_run(deployment, parameters)
