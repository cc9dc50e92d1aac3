"""Waiting without holding a worker: suspend the flow run until an answer comes.

The wait itself is a row in our database (deadline, since when, who answered); the flow
run is *suspended*, so its process exits and the case survives worker and server
restarts. Nothing typed into Prefect is taken as an answer: a person answers through
Utväg (`utvag`, the case service), which records the decision and resumes the run
(`flows.resume`). Runs started outside a deployment (tests, ad hoc) cannot be
suspended: they end, and the next run picks up.
"""

from __future__ import annotations

import uuid

from prefect.context import FlowRunContext
from prefect.flow_runs import suspend_flow_run

from services import snapshot, waits
from services.runtime import Runtime


def suspendable_run() -> uuid.UUID | None:
    context = FlowRunContext.get()
    run = context.flow_run if context else None
    return run.id if run is not None and run.deployment_id is not None else None


def wait_for_answer(case_id: uuid.UUID, rt: Runtime) -> bool:
    """Suspend until the case is resumed; False when this run cannot suspend."""
    run_id = suspendable_run()
    if run_id is None:
        return False
    waits.hold(rt, case_id, run_id)
    before = snapshot.load(rt, case_id).journal_count
    # The key changes whenever the journal does: a resume after an answer was recorded
    # suspends anew under a new key rather than replaying the old suspension.
    suspend_flow_run(timeout=None, key=f"j{before}")
    if snapshot.load(rt, case_id).journal_count == before:
        waits.note_resumed_without_answer(rt, case_id)
    return True
