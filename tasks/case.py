"""The case flow's tasks: thin Prefect wrappers over `services/`, one side effect each.
Each takes the run's `Runtime` (and its agency ports) from the flow."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Literal

from prefect import task

from adapters.registry import AgencyPorts
from models.enums import Outcome
from models.progress import Action, CaseSnapshot
from models.waits import AgencySubject, Wait
from services import agency, belongings, cases, meeting, snapshot, transfer, waits
from services.agency_steps import step_for
from services.runtime import Runtime
from tasks.opaque import agency_errors_opaque
from tasks.retry import AGENCY_TASK_OPTIONS, PLAIN

AskOutcome = Literal["answered", "pending", "deferred", "needs_consent"]


@task(name="load-case", **PLAIN)
def load_case(case_id: uuid.UUID, rt: Runtime) -> CaseSnapshot:
    return snapshot.load(rt, case_id)


@task(name="ask-agency", **AGENCY_TASK_OPTIONS)
def ask_agency(case_id: uuid.UUID, subject: AgencySubject, rt: Runtime,
               ports: AgencyPorts) -> AskOutcome:
    """Send the request (once, by key, with consent) and collect its answer if ready.
    A failure leaves opaque (`tasks.opaque`): Prefect never shows which agency."""
    step = step_for(subject)
    with agency_errors_opaque():
        if isinstance(agency.send(rt, ports, case_id, step), agency.NeedsConsent):
            return "needs_consent"
        match agency.collect(rt, ports, case_id, step):
            case agency.Answered():
                return "answered"
            case agency.Deferred():
                return "deferred"
            case _:
                return "pending"


@task(name="open-waits", **PLAIN)
def open_waits(case_id: uuid.UUID, wanted: Sequence[Wait], rt: Runtime) -> int:
    return waits.open_waits(rt, case_id, wanted)


@task(name="close-case", **PLAIN)
def close_case(case_id: uuid.UUID, outcome: Outcome, reason: str, rt: Runtime) -> None:
    cases.close(rt, case_id, outcome=outcome, reason=reason)


@task(name="admit-case", **PLAIN)
def admit_case(case_id: uuid.UUID, rt: Runtime) -> None:
    cases.admit(rt, case_id)


@task(name="block-case", **PLAIN)
def block_case(case_id: uuid.UUID, reason: str, rt: Runtime) -> None:
    cases.block(rt, case_id, reason=reason)


@task(name="unblock-case", **PLAIN)
def unblock_case(case_id: uuid.UUID, rt: Runtime) -> None:
    cases.unblock(rt, case_id)


def _decide(rt: Runtime, case_id: uuid.UUID) -> None:
    meeting.decide_meeting(rt, case_id)


ACTIONS: dict[Action, Callable[[Runtime, uuid.UUID], None]] = {
    Action.ROUTE_MEETING: meeting.route_meeting,
    Action.DECIDE_MEETING: _decide,
    Action.ORDER_BELONGINGS: belongings.order_move,
    Action.OFFER_TRANSFER: transfer.offer_transfer,
    Action.ESTABLISH: cases.establish,
}


@task(name="case-step", **PLAIN)
def act(case_id: uuid.UUID, action: Action, rt: Runtime) -> None:
    """One internal step of the during phase (routing, the meeting's decision, ...)."""
    ACTIONS[action](rt, case_id)
