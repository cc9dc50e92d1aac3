"""followup-national: the national follow-up statistics of a period (every case opened
in it), made by a worker (role utvag_worker, which sees every case) and stored in
`published_report` for the case service to hand to the grants officer. Parameters are
the period's first and last day only; without them, the calendar year before the run.
Started by the case service when a grants officer asks for a period none was made for
(`start_report_run`), or from the Prefect UI."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from prefect import flow

from adapters.logs import configure_logging, get_logger
from services.runtime import Runtime, runtime
from tasks.reports import store_followup_national_task


def period(start: date | None, end: date | None, *, today: date) -> tuple[date, date]:
    """The period asked for; a missing day: the calendar year before `today`'s."""
    return (start or date(today.year - 1, 1, 1), end or date(today.year - 1, 12, 31))


@flow(name="followup-national", persist_result=False)
def followup_national(start: date | None = None, end: date | None = None) -> dict[str, Any]:
    """`start`, `end`: the period's first and last day; empty: the year before."""
    configure_logging()
    return make_followup_national(start, end, rt=runtime())


def make_followup_national(start: date | None, end: date | None, *,
                           rt: Runtime) -> dict[str, Any]:
    """The flow's body, on the runtime it is handed (a test hands in its own)."""
    first, last = period(start, end, today=rt.now().date())
    stored = store_followup_national_task(first, last, rt)
    get_logger().info("followup_national.stored", start=first.isoformat(),
                      end=last.isoformat(), stored=stored)
    return {"start": first.isoformat(), "end": last.isoformat(), "stored": stored}


def start_report_run(deployment: str, parameters: dict[str, Any]) -> uuid.UUID:
    """Start a run of a report deployment (years and dates only) without waiting for
    it; its id."""
    from prefect.deployments import run_deployment

    run = run_deployment(deployment, parameters=parameters, timeout=0, as_subflow=False,
                         tags=["reports"])
    return run.id  # type: ignore[union-attr]
