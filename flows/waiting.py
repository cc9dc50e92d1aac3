"""Waiting without holding a worker: suspend the flow run until an answer comes.

The wait itself is a row in our database (deadline, since when, who answered);
the flow run is *suspended*, so its process exits and the case survives worker
and server restarts. A suspended run offers a typed form (RunInput) in the
Prefect UI when a person is the one to answer. Runs started outside a deployment
(tests, ad-hoc) cannot be suspended: they end, and the next run picks up.
"""

from __future__ import annotations

import uuid
from contextlib import suppress
from typing import Any

from prefect.context import FlowRunContext
from prefect.flow_runs import suspend_flow_run

from flows.inputs import (
    CompletionDone,
    ConsentAnswer,
    CriterionAnswer,
    NeedsAnswer,
    PlanApproval,
    StatementAnswer,
)
from models.action_plan import InterventionRefused
from models.enums import WaitKind
from tasks.action_plan import approve_plan
from tasks.artifacts import publish_waits
from tasks.cases import CaseSnapshot, load_case
from tasks.grants import complete_application, record_statement
from tasks.meeting import record_needs
from tasks.waits import (
    note_resumed_without_answer,
    record_consent,
    record_criterion,
    set_wait_run,
)


def _form_for(case: CaseSnapshot) -> Any:
    """The form to show, if every open wait is a person's to answer."""
    kinds = {w.kind for w in case.open_waits}
    if not case.open_waits or kinds & {WaitKind.AGENCY_ANSWER, WaitKind.RELOCATION,
                                       WaitKind.RELOCATION_APPROVAL, WaitKind.TRANSFER,
                                       WaitKind.BELONGINGS}:
        return None  # an agency answers, or the CLI: a destination never goes into a form
    first = case.open_waits[0]
    if first.kind == WaitKind.CONSENT:
        return ConsentAnswer.with_initial_data(agency=first.subject)
    if first.kind == WaitKind.NEEDS_ASSESSMENT:
        return NeedsAnswer
    if first.kind == WaitKind.ACTION_PLAN:
        return PlanApproval
    if first.kind == WaitKind.GRANT_STATEMENT:
        return StatementAnswer
    if first.kind == WaitKind.GRANT_COMPLETION:
        return CompletionDone
    return CriterionAnswer.with_initial_data(criterion=first.subject)


def wait_for_answer(case_id: uuid.UUID) -> bool:
    """Suspend until something answers; False when this run cannot suspend."""
    case = load_case(case_id)
    publish_waits(case)
    if not case.open_waits:
        return True  # answered in the meantime: advance again instead of suspending
    context = FlowRunContext.get()
    run = context.flow_run if context else None
    if run is None or run.deployment_id is None:
        return False
    set_wait_run(case_id, run.id)
    form = _form_for(case)
    # The key changes whenever the journal does: a resume after an answer was
    # recorded elsewhere suspends anew; a UI resume replays to the same key and
    # gets the form's input back.
    answer = suspend_flow_run(wait_for_input=form, timeout=None, key=f"j{case.journal_count}")
    if isinstance(answer, CriterionAnswer):
        record_criterion(case_id, criterion=answer.criterion.value, holds=answer.holds,
                         by=answer.recorded_by, note="answered in the Prefect UI form")
    elif isinstance(answer, ConsentAnswer):
        record_consent(case_id, agency=answer.agency.value, given=answer.given,
                       by=answer.recorded_by, legal_basis=answer.legal_basis)
    elif isinstance(answer, NeedsAnswer):
        record_needs(case_id, needs=answer.needs, network=answer.network,
                     by=answer.recorded_by)
    elif isinstance(answer, PlanApproval) and answer.approve:
        with suppress(InterventionRefused):  # no interventions yet: the case keeps waiting
            approve_plan(case_id, by=answer.recorded_by)
    elif isinstance(answer, StatementAnswer):
        record_statement(case_id, supports=answer.supports, by=answer.recorded_by)
    elif isinstance(answer, CompletionDone) and answer.completed:
        complete_application(case_id, by=answer.recorded_by)
    if load_case(case_id).journal_count == case.journal_count:
        note_resumed_without_answer(case_id)
    return True

