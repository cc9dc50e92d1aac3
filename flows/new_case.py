"""new-case: carries a case through the before phase, then (subflow `during-phase`,
`flows/during_phase.py`) through the during phase.

Screening against the six criteria, the police threat assessment and social
services' decision (requested concurrently), then admission. Waits for people
and agencies by suspending (see `flows.waiting`). Triggered with the case id
only; the run is named `<case number>-before`.

Each step publishes a markdown artifact `<case number>-steps`: what happened and
what the case waits for. Deployed by `deployments/registry.py` (`utvag deploy`). Locally:
    python -c "from flows.new_case import new_case; new_case(case_id='<uuid>')"
"""

from __future__ import annotations

import uuid
from typing import Any

from prefect import flow
from prefect.runtime import flow_run
from prefect.states import Failed

from adapters import repo
from adapters.db import unit_of_work
from adapters.logs import configure_logging, get_logger
from adapters.registry import agency_clients
from flows.before_phase import advance
from flows.during_phase import during_phase
from flows.waiting import wait_for_answer
from tasks.artifacts import publish_step
from tasks.cases import snapshot

# Each pass either suspends (its process exits) or makes progress; a bound keeps a
# bug from spinning forever.
MAX_PASSES = 50


def run_name() -> str:
    case_id = uuid.UUID(str(flow_run.parameters["case_id"]))
    with unit_of_work() as session:
        case = repo.get_case(session, case_id)
        return f"{case.case_number}-{case.phase}"


@flow(name="new-case", flow_run_name=run_name, persist_result=False, log_prints=False)
def new_case(case_id: uuid.UUID) -> Any:
    configure_logging()
    for _ in range(MAX_PASSES):
        before = snapshot(case_id).journal_count
        with agency_clients() as clients:
            step = advance(case_id, clients)
        log = get_logger(case_number=step.case_number, case_id=str(case_id))
        log.info("before_phase.step", step=step.kind, reason=step.reason)
        publish_step(case_id, step=step.kind, reason=step.reason, since=before)
        if step.kind in ("admitted", "done") and _in_phase(case_id, "during"):
            # Admitted: the case goes on in the same run, one subflow per phase.
            step = during_phase(case_id=case_id)
        if step.kind == "blocked":
            return Failed(message=f"{step.case_number} blocked: {step.reason}")
        summary = {"case_number": step.case_number, "step": step.kind, "reason": step.reason,
                   "phase": snapshot(case_id).phase}
        if step.kind != "waiting" or not wait_for_answer(case_id):
            return summary
    return Failed(message=f"{case_id}: still not settled after {MAX_PASSES} passes")


def _in_phase(case_id: uuid.UUID, phase: str) -> bool:
    case = snapshot(case_id)
    return case.phase == phase and case.status != "closed"
