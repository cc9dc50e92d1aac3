"""Wake a waiting case after its answer was recorded.

The answer is already in our database; this only gets the case's flow going
again: resume its suspended run when there is one (with the form's input when
that run is waiting for one), or start a new run of the new-case deployment.
Without a Prefect server, the answer stays recorded and the next run uses it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from typing import Any, Literal

from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import State
from prefect.deployments import run_deployment
from prefect.exceptions import ObjectNotFound
from prefect.flow_runs import resume_flow_run

from adapters.logs import get_logger
from models.enums import WaitKind
from tasks.cases import CaseSnapshot, snapshot
from tasks.waits import waiting_run

NEW_CASE_DEPLOYMENT = "new-case/new-case"
Woken = Literal["resumed", "running", "started", "recorded"]


def case_tags(*, phase: str, municipality: str, agencies: Iterable[str] = ()) -> list[str]:
    return [f"phase:{phase}", f"municipality:{municipality}",
            *(f"agency:{agency}" for agency in sorted(set(agencies)))]


def involved_agencies(case: CaseSnapshot) -> set[str]:
    """Agencies the case has asked or waits for (from "agency:kind" subjects)."""
    subjects = [*case.requests, *(w.subject for w in case.open_waits
                                  if w.kind in (WaitKind.AGENCY_ANSWER, WaitKind.CONSENT))]
    return {subject.split(":")[0] for subject in subjects}


def start_case_run(case_id: uuid.UUID) -> uuid.UUID:
    case = snapshot(case_id)
    # Never a subflow of the flow that wakes the case (collect-agency-answers,
    # recover-stalled-cases, a sweep): Prefect cannot suspend a subflow, and the
    # case's run must be able to wait.
    run = run_deployment(
        NEW_CASE_DEPLOYMENT, parameters={"case_id": str(case_id)}, timeout=0, as_subflow=False,
        tags=case_tags(phase=case.phase, municipality=case.municipality,
                       agencies=involved_agencies(case)),
    )
    return run.id  # type: ignore[union-attr]


def _settled_state(run_id: uuid.UUID, *, patience: float) -> State | None:
    """The run's state once it is paused or final, or its running state after
    `patience` seconds. A run that is about to suspend when an answer arrives
    would otherwise be left suspended with its answer already recorded."""
    deadline = time.monotonic() + patience
    with get_client(sync_client=True) as client:
        while True:
            state = client.read_flow_run(run_id).state
            if state is None or state.is_paused() or state.is_final():
                return state
            if time.monotonic() >= deadline:
                return state
            time.sleep(0.5)


def wake_case(case_id: uuid.UUID, *, run_input: dict[str, Any] | None = None,
              patience: float = 15.0) -> Woken:
    log = get_logger(case_id=str(case_id))
    try:
        run_id = waiting_run(case_id)
        if run_id is not None:
            state = _settled_state(run_id, patience=patience)
            if state is not None and state.is_paused():
                keyset = state.state_details.run_input_keyset
                resume_flow_run(run_id, run_input=run_input if keyset else None)
                log.info("case.resumed", flow_run_id=str(run_id))
                return "resumed"
            if state is not None and not state.is_final():
                return "running"
        start_case_run(case_id)
        log.info("case.run_started")
        return "started"
    except (ObjectNotFound, OSError, RuntimeError) as exc:
        log.warning("case.not_woken", error=type(exc).__name__)
        return "recorded"
