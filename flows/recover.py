"""recover-stalled-cases: start a new run for every case whose run died.

A worker can die (SIGKILL, a lost machine) with flow runs it had claimed: they
stay Pending or Running in Prefect and nothing moves the case. This sweep finds
cases in the before phase that are neither waiting nor blocked nor closed and
have not changed for `quiet_for_seconds`, and starts a new new-case run for each
one that has no live run (scheduled, or pending/running and recently changed).
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
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterName,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import FlowRun, StateType

from adapters.logs import configure_logging, get_logger
from flows.resume import start_case_run
from tasks.stalled import stalled_cases

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


def live_runs(*, fresh_within: timedelta) -> set[str]:
    """Case ids (as strings) with a new-case run that is queued or recently active."""
    cutoff = datetime.now(UTC) - fresh_within
    runs = new_case_runs(FlowRunFilter(state=FlowRunFilterState(
        type=FlowRunFilterStateType(any_=_LIVE))))
    live: set[str] = set()
    for run in runs:
        state = run.state
        if state is None:
            continue
        recent = state.timestamp is not None and state.timestamp >= cutoff
        if state.type == StateType.SCHEDULED or recent:
            live.add(str(run.parameters.get("case_id")))
    return live


@flow(name="recover-stalled-cases", persist_result=False)
def recover_stalled(quiet_for_seconds: int = 120) -> dict[str, Any]:
    configure_logging()
    quiet_for = timedelta(seconds=quiet_for_seconds)
    stalled = stalled_cases(quiet_for=quiet_for)
    live = live_runs(fresh_within=quiet_for) if stalled else set()
    restarted: list[str] = []
    for case_id, number in stalled.items():
        if str(case_id) not in live:
            start_case_run(uuid.UUID(str(case_id)))
            restarted.append(number)
    get_logger().info("cases.recovered", stalled=len(stalled), restarted=len(restarted))
    return {"stalled": len(stalled), "restarted": restarted}
