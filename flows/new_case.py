"""new-case: carries a case through the before and the during phase.

Each pass loads the case, asks `models.progress.next_step` what comes next and does it:
screening against the criteria a coordinator answers, the police threat assessment and
social services' decision (asked concurrently), admission; then the collaboration
meeting, the action plan, the state grant, relocation, protected personal data, the move
of belongings, the hand-overs and the transfer of responsibility, until the after phase.
Waits for people and agencies by suspending (`flows.waiting`). Triggered with the case id
only; the run is named `<case number>-<phase>` by whoever starts it (`flows.resume`).

Each step publishes a markdown artifact `<case number>-steps` (counts, no personal data).
Deployed by `deployments/registry.py` (`utvag deploy`). Locally:
    python -c "from flows.new_case import new_case; new_case(case_id='<uuid>')"
"""

from __future__ import annotations

import uuid
from typing import Any

from prefect import flow
from prefect.futures import PrefectFuture
from prefect.states import Failed

from adapters.errors import AgencyError
from adapters.logs import configure_logging, get_logger
from adapters.registry import AgencyPorts, agency_ports
from models.progress import Act, Admit, Ask, Await, Close, Done, Step, Unblock, next_step
from models.waits import Wait
from services.runtime import Runtime, runtime
from tasks.artifacts import publish_step, publish_waits
from tasks.case import (
    AskOutcome,
    act,
    admit_case,
    ask_agency,
    block_case,
    close_case,
    load_case,
    open_waits,
    unblock_case,
)
from tasks.retry import with_retry_settings

# Each pass either suspends (its process exits) or makes progress; a bound keeps a bug
# from spinning forever.
MAX_PASSES = 60


@flow(name="new-case", persist_result=False, log_prints=False)
def new_case(case_id: uuid.UUID) -> Any:
    configure_logging()
    rt = runtime()
    with agency_ports(rt.settings) as ports:
        return drive(case_id, rt=rt, ports=ports)


def drive(case_id: uuid.UUID, *, rt: Runtime, ports: AgencyPorts) -> Any:
    """The case's passes until it waits (and cannot suspend), blocks or is done."""
    from flows.waiting import wait_for_answer

    log = get_logger(case_id=str(case_id))
    for _ in range(MAX_PASSES):
        case = load_case(case_id, rt)
        step = next_step(case)
        log.info("case.step", case_number=case.case_number, step=type(step).__name__.lower())
        if isinstance(step, Done):
            return _summary(case.case_number, "done", step.reason, rt, case_id)
        blocked = _carry_out(case_id, step, rt=rt, ports=ports)
        publish_step(case_id, type(step).__name__.lower(), case.journal_count, rt)
        if blocked is not None:
            # The reason names the agency (health care, SiS tell a category): it stays
            # in the case (`utvag status`); the run's state says only that it is blocked.
            return Failed(message=f"{case.case_number} blocked: an agency request failed")
        if isinstance(step, Await):
            publish_waits(case_id, rt)
            if not wait_for_answer(case_id, rt):
                return _summary(case.case_number, "waiting", step.reason, rt, case_id)
    return Failed(message=f"{case_id}: still not settled after {MAX_PASSES} passes")


def _carry_out(case_id: uuid.UUID, step: Step, *, rt: Runtime, ports: AgencyPorts) -> str | None:
    """Do the step; the reason when an agency failed and the case is now blocked."""
    match step:
        case Unblock():
            unblock_case(case_id, rt)
        case Close(outcome=outcome, reason=reason):
            close_case(case_id, outcome, reason, rt)
        case Admit():
            admit_case(case_id, rt)
        case Act(action=action):
            act(case_id, action, rt)
        case Await(waits=waits):
            open_waits(case_id, waits, rt)
        case Ask(subjects=subjects):
            ask = with_retry_settings(ask_agency, rt.settings)
            futures: list[PrefectFuture[AskOutcome]] = [
                ask.submit(case_id, subject, rt, ports) for subject in subjects]
            try:
                outcomes = [future.result() for future in futures]
            except AgencyError as exc:
                reason = f"{exc.agency}: {exc.reason}"
                block_case(case_id, reason, rt)
                return reason
            pending = [Wait.answer(s) for s, o in zip(subjects, outcomes, strict=True)
                       if o == "pending"]
            if pending:
                open_waits(case_id, pending, rt)
    return None


def _summary(case_number: str, step: str, reason: str, rt: Runtime,
             case_id: uuid.UUID) -> dict[str, str]:
    phase = load_case(case_id, rt).phase
    return {"case_number": case_number, "step": step, "reason": reason, "phase": phase}
