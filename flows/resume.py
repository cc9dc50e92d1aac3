"""Wake a waiting case after its answer was recorded, and start case runs.

The answer is already in our database; this only gets the case's flow going again:
resume its suspended run when there is one, or start a new run of the new-case
deployment. Without a Prefect server, the answer stays recorded and the next run uses it.
Runs are named `<case number>-<phase>` and tagged with the phase only: nothing on a run
tells a municipality, an agency or a category.
"""

from __future__ import annotations

import time
import uuid
from typing import Literal

import httpx
from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import State
from prefect.deployments import run_deployment
from prefect.exceptions import ObjectNotFound
from prefect.flow_runs import resume_flow_run

from adapters.logs import get_logger
from services import snapshot, waits
from services.runtime import Runtime

NEW_CASE_DEPLOYMENT = "new-case/new-case"
Woken = Literal["resumed", "running", "started", "recorded"]


def run_name(case_number: str, phase: str) -> str:
    return f"{case_number}-{phase}"


def start_case_run(rt: Runtime, case_id: uuid.UUID) -> uuid.UUID:
    case = snapshot.load(rt, case_id)
    # Never a subflow of the flow that wakes the case (collect-agency-answers,
    # recover-stalled-cases): Prefect cannot suspend a subflow, and the case's run must
    # be able to wait.
    run = run_deployment(
        NEW_CASE_DEPLOYMENT, parameters={"case_id": str(case_id)}, timeout=0, as_subflow=False,
        flow_run_name=run_name(case.case_number, case.phase), tags=[f"phase:{case.phase}"])
    return run.id  # type: ignore[union-attr]


def _settled_state(run_id: uuid.UUID, *, patience: float) -> State | None:
    """The run's state once it is paused or final, or its running state after
    `patience` seconds. A run that is about to suspend when an answer arrives would
    otherwise be left suspended with its answer already recorded."""
    deadline = time.monotonic() + patience
    with get_client(sync_client=True) as client:
        while True:
            state = client.read_flow_run(run_id).state
            if state is None or state.is_paused() or state.is_final():
                return state
            if time.monotonic() >= deadline:
                return state
            time.sleep(0.5)


def wake_case(rt: Runtime, case_id: uuid.UUID, *, patience: float = 15.0) -> Woken:
    log = get_logger(case_id=str(case_id))
    try:
        run_id = waits.holding_run(rt, case_id)
        if run_id is not None:
            state = _settled_state(run_id, patience=patience)
            if state is not None and state.is_paused():
                resume_flow_run(run_id)
                log.info("case.resumed", flow_run_id=str(run_id))
                return "resumed"
            if state is not None and not state.is_final():
                return "running"
        start_case_run(rt, case_id)
        log.info("case.run_started")
        return "started"
    except (ObjectNotFound, OSError, RuntimeError, httpx.HTTPError) as exc:
        log.warning("case.not_woken", error=type(exc).__name__)
        return "recorded"
