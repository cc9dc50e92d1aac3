"""recover-stalled-cases: start a new run for every case whose run died.

A worker can die (SIGKILL, a lost machine) with flow runs it had claimed: they
stay Pending or Running in Prefect and nothing moves the case. This sweep finds
cases in the before or during phase that are neither waiting nor blocked nor closed
and have not changed for `quiet_for_seconds` (`services.status.stalled_cases`), and starts a new
new-case run for each one that has no live run (scheduled, recently changed, pending
for less than five minutes, or running with a heartbeat in the last 90 s: a slow run
on a busy machine is not a dead one, and a second run of a live case would be a run twice).
`advance` is re-entrant and every agency write is idempotent by key, so a new
run does what is left and nothing twice. Deployed on an interval by
`deployments/registry.py`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from prefect import flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.events import EventPage
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterName,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.events.filters import EventFilter, EventNameFilter, EventOccurredFilter

from adapters.logs import configure_logging, get_logger
from flows.resume import start_case_run
from services.runtime import runtime
from services.status import stalled_cases

_LIVE = [StateType.SCHEDULED, StateType.PENDING, StateType.RUNNING]


def new_case_runs(flow_run_filter: FlowRunFilter | None = None) -> list[FlowRun]:
    """Every run of the new-case deployment that matches (the API pages by 200)."""
    runs: list[FlowRun] = []
    with get_client(sync_client=True) as client:
        while True:
            page = client.read_flow_runs(
                deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=["new-case"])),
                flow_run_filter=flow_run_filter, limit=200, offset=len(runs))
            runs += page
            if len(page) < 200:
                return runs


# Set on every deployment's runs (deployments/deploy.py): a running flow run sends
# `prefect.flow-run.heartbeat` this often, so a slow run is told from a dead one.
HEARTBEAT_SECONDS = 30
# A run claimed by a worker stays Pending until its process has started; on a busy
# machine that takes a while, and a dead worker's Pending run is rare: be patient.
PENDING_GRACE = timedelta(minutes=5)


def heartbeating(*, since: datetime) -> set[str]:
    """Ids (as strings) of flow runs that sent a heartbeat since `since`."""
    name = EventNameFilter(name=["prefect.flow-run.heartbeat"])
    beating: set[str] = set()
    with get_client(sync_client=True) as client:
        page: EventPage | None = client.read_events(
            EventFilter(occurred=EventOccurredFilter(since=since), event=name), limit=50)
        while page is not None:
            beating |= {event.resource.id.removeprefix("prefect.flow-run.")
                        for event in page.events}
            page = client.read_events_page(str(page.next_page)) if page.next_page else None
    return beating


def live_runs(*, fresh_within: timedelta, at: datetime | None = None) -> set[str]:
    """Case ids (as strings) with a new-case run that is alive: scheduled, changed state
    within `fresh_within`, running with a recent heartbeat, or pending for less than
    PENDING_GRACE. Only the others died with their worker."""
    at = at or datetime.now(UTC)
    runs = new_case_runs(FlowRunFilter(state=FlowRunFilterState(
        type=FlowRunFilterStateType(any_=_LIVE))))
    beating = heartbeating(since=at - timedelta(seconds=3 * HEARTBEAT_SECONDS)) if runs else set()
    live: set[str] = set()
    for run in runs:
        state = run.state
        if state is None:
            continue
        since_change = at - state.timestamp if state.timestamp is not None else timedelta.max
        if (state.type == StateType.SCHEDULED or since_change < fresh_within
                or (state.type == StateType.PENDING and since_change < PENDING_GRACE)
                or str(run.id) in beating):
            live.add(str(run.parameters.get("case_id")))
    return live


@flow(name="recover-stalled-cases", persist_result=False)
def recover_stalled(quiet_for_seconds: int = 120) -> dict[str, Any]:
    configure_logging()
    quiet_for = timedelta(seconds=quiet_for_seconds)
    rt = runtime()
    stalled = stalled_cases(rt, quiet_for=quiet_for)
    live = live_runs(fresh_within=quiet_for) if stalled else set()
    restarted: list[str] = []
    for case_id, number in stalled.items():
        if str(case_id) not in live:
            start_case_run(rt, uuid.UUID(str(case_id)))
            restarted.append(number)
    get_logger().info("cases.recovered", stalled=len(stalled), restarted=len(restarted))
    return {"stalled": len(stalled), "restarted": restarted}
