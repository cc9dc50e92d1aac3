"""recover-stalled-cases restarts a case only when its run is dead, never a slow one.

A run is alive while it is scheduled, has changed state recently, is pending within
the grace period, or sends heartbeats; a running run that does none of these died
with its worker. Runs are created on the harness's server under a `new-case`
deployment; time is moved forward with `at`.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

from prefect import flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import State
from prefect.events import emit_event
from prefect.states import Pending, Running, Scheduled

from flows.recover import PENDING_GRACE, heartbeating, live_runs
from flows.resume import start_case_run
from services.runtime import Runtime
from tests.factories import open_case


def _runs(states: dict[str, State]) -> dict[str, str]:
    """One new-case run per state, each for its own case: name → run id and
    `name:case` → case id."""
    with get_client(sync_client=True) as client:
        flow_id = client.create_flow_from_name("new-case")
        deployment = client.create_deployment(flow_id=flow_id, name="new-case")
        runs = {}
        for name, state in states.items():
            run = client.create_flow_run_from_deployment(
                deployment, parameters={"case_id": str(uuid.uuid4())}, state=state)
            runs[name] = run
    return {name: str(run.id) for name, run in runs.items()} | {
        f"{name}:case": run.parameters["case_id"] for name, run in runs.items()}


def _beat(run_id: str) -> None:
    emit_event(event="prefect.flow-run.heartbeat",
               resource={"prefect.resource.id": f"prefect.flow-run.{run_id}"})


def test_only_runs_without_sign_of_life_count_as_dead(prefect_harness: None) -> None:
    ids = _runs({"running-beating": Running(), "running-silent": Running(),
                 "pending": Pending(), "scheduled": Scheduled()})
    _beat(ids["running-beating"])
    deadline = time.monotonic() + 60
    since = datetime.now(UTC) - timedelta(minutes=1)
    while ids["running-beating"] not in heartbeating(since=since):
        assert time.monotonic() < deadline, "the heartbeat never reached the server"
        time.sleep(0.1)

    now = datetime.now(UTC)
    assert {ids[f"{n}:case"] for n in ("running-beating", "running-silent", "pending",
                                       "scheduled")} <= live_runs(
        fresh_within=timedelta(seconds=45), at=now)

    # A minute on, past the 45 s of quiet: the silent running run is dead; the one
    # that beat within the last 90 s is alive.
    later = now + timedelta(seconds=60)
    live = live_runs(fresh_within=timedelta(seconds=45), at=later)
    assert ids["running-silent:case"] not in live, "a silent running run is dead"
    assert ids["running-beating:case"] in live, "a run that beats is alive however slow"
    assert ids["pending:case"] in live, "pending within the grace period"
    assert ids["scheduled:case"] in live

    much_later = now + PENDING_GRACE + timedelta(seconds=1)
    assert ids["pending:case"] not in live_runs(fresh_within=timedelta(seconds=45),
                                                at=much_later)


def test_a_case_run_started_from_another_flow_is_its_own_run(prefect_harness: None,
                                                             rt: Runtime) -> None:
    """collect-agency-answers and recover-stalled-cases start case runs from inside a
    flow; such a run must not be a subflow (Prefect refuses to suspend subflows, so it
    could never wait). It is named after the case and tagged with its phase only."""
    _runs({})  # the new-case deployment
    opened = open_case(rt)

    @flow(name="waker")
    def waker() -> str:
        return str(start_case_run(rt, opened.case_id))

    run_id = waker()
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(uuid.UUID(run_id))
    assert run.parameters["case_id"] == str(opened.case_id)
    assert run.parent_task_run_id is None, "a subflow of the waking flow cannot suspend"
    assert run.name == f"{opened.case_number}-before"
    assert run.tags == ["phase:before"]
