"""during-phase: protection and support after admission (subflow of new-case).

One pass does the next thing that can be done, re-entrant like `flows.before_phase`:
the needs assessment (waits for a coordinator), routing of the collaboration meeting
under the case's rules version, invitations to the external agencies concurrently
(consent checked per agency, idempotency key per agency), their sign-offs (waits for
missing ones; `collect-agency-answers` picks late ones up), the meeting's decision, and
the individual action plan (waits for the coordinator to approve it), and the state grant
(the police coordinator's statement, the application, a completion when asked, the
decision booked in the year's ledger), and relocation when the threat assessment requires
it (decided on the command line; a fast-path decision waits for its approval); after a
relocation, protected personal data from the Tax Agency (identity number only, consent
checked, decided asynchronously) and the move of belongings through social services
(waits for their confirmation); the hand-overs (Frivården, Arbetsförmedlingen) and the
transfer of responsibility to the receiving municipality; then the case moves to the
after phase.
The run is named `<case number>-during`; its only parameter is the case id.
"""

from __future__ import annotations

import uuid

from prefect import flow
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run

from adapters import repo
from adapters.db import unit_of_work
from adapters.errors import AgencyError
from adapters.logs import get_logger
from adapters.registry import agency_clients
from flows.before_phase import Step
from models.enums import CaseStatus, Phase, WaitKind
from tasks.action_plan import PLAN_SUBJECT, plan_approved
from tasks.agency import SendOutcome, with_retry_settings
from tasks.belongings import order_belongings_move
from tasks.cases import block_case, load_case, unblock_case
from tasks.grants import KIND as GRANT_KIND
from tasks.grants import (
    STATEMENT_SUBJECT,
    apply_for_grant,
    collect_grant_decision,
    grant_status,
)
from tasks.hand_over import (
    TRANSFER_SUBJECT,
    collect_hand_over,
    establish,
    planned_hand_overs,
    request_hand_over,
    transfer_status,
)
from tasks.meeting import (
    KIND,
    NEEDS_SUBJECT,
    collect_sign_off,
    decide_meeting,
    invite_to_meeting,
    route_meeting,
)
from tasks.protection import KIND as PROTECTION_KIND
from tasks.protection import collect_protection_decision, request_protection
from tasks.relocation import DECISION_SUBJECT, relocation_status
from tasks.waits import open_wait


def run_name() -> str:
    case_id = uuid.UUID(str(flow_run.parameters["case_id"]))
    with unit_of_work() as session:
        return f"{repo.get_case(session, case_id).case_number}-during"


@flow(name="during-phase", flow_run_name=run_name, persist_result=False, log_prints=False)
def during_phase(case_id: uuid.UUID) -> Step:
    step = advance_during(case_id)
    get_logger(case_number=step.case_number, case_id=str(case_id)).info(
        "during_phase.step", step=step.kind, reason=step.reason)
    return step


def advance_during(case_id: uuid.UUID) -> Step:
    case = load_case(case_id)
    if case.status == CaseStatus.CLOSED or case.phase != Phase.DURING:
        return Step("done", case.case_number, f"{case.phase}/{case.status}")
    if case.status == CaseStatus.BLOCKED:
        unblock_case(case_id)
    meeting = route_meeting(case_id)
    if meeting.decided:
        return _plan(case_id, case.case_number)
    if not meeting.needs_recorded:
        open_wait(case_id, kind=WaitKind.NEEDS_ASSESSMENT, subject=NEEDS_SUBJECT)
        return Step("waiting", case.case_number, "needs assessment")
    external = [i for i in meeting.invitees if i.external]
    with agency_clients() as clients:
        futures: list[PrefectFuture[SendOutcome]] = [
            with_retry_settings(invite_to_meeting).submit(
                case_id, units=i.units, routing_version=meeting.routing_version or "",
                port=clients.invitations[i.invitee])
            for i in external
        ]
        try:
            outcomes = dict(zip((i.invitee for i in external),
                                (f.result() for f in futures), strict=True))
            signed = {agency: with_retry_settings(collect_sign_off)(
                          case_id, clients.invitations[agency])
                      for agency, outcome in outcomes.items() if outcome == "sent"}
        except AgencyError as exc:
            reason = f"{exc.agency}: {exc.reason}"
            block_case(case_id, reason=reason)
            return Step("blocked", case.case_number, reason)
    if "needs_consent" in outcomes.values():
        return Step("waiting", case.case_number, "consent")
    pending = [agency for agency, done in signed.items() if not done]
    for agency in pending:
        open_wait(case_id, kind=WaitKind.AGENCY_ANSWER, subject=f"{agency}:{KIND}")
    if pending or not decide_meeting(case_id):
        return Step("waiting", case.case_number, "meeting sign-off")
    return _plan(case_id, case.case_number)


def _plan(case_id: uuid.UUID, case_number: str) -> Step:
    """After the meeting: the coordinator builds and approves the action plan."""
    if not plan_approved(case_id):
        open_wait(case_id, kind=WaitKind.ACTION_PLAN, subject=PLAN_SUBJECT)
        return Step("waiting", case_number, "action plan")
    return _grant(case_id, case_number)


def _grant(case_id: uuid.UUID, case_number: str) -> Step:
    """The state grant: statement, application, completion when asked, decision."""
    statement, decided = grant_status(case_id)
    if decided:
        return _relocation(case_id, case_number)
    if not statement:
        open_wait(case_id, kind=WaitKind.GRANT_STATEMENT, subject=STATEMENT_SUBJECT)
        return Step("waiting", case_number, "coordinator statement")
    with agency_clients() as clients:
        assert clients.police_grants is not None
        try:
            if with_retry_settings(apply_for_grant)(case_id, clients.police_grants) != "sent":
                return Step("waiting", case_number, "consent")
            state = with_retry_settings(collect_grant_decision)(case_id, clients.police_grants)
        except AgencyError as exc:
            reason = f"{exc.agency}: {exc.reason}"
            block_case(case_id, reason=reason)
            return Step("blocked", case_number, reason)
    if state == "decided":
        return _relocation(case_id, case_number)
    if state == "pending":
        open_wait(case_id, kind=WaitKind.AGENCY_ANSWER, subject=f"police:{GRANT_KIND}")
        return Step("waiting", case_number, "grant decision")
    return Step("waiting", case_number, "grant completion")


def _relocation(case_id: uuid.UUID, case_number: str) -> Step:
    """Relocation when the threat assessment requires it. The decision (with the address)
    is taken on the command line only; the flow sees its status, never the destination."""
    status = relocation_status(case_id)
    if status == "undecided":
        open_wait(case_id, kind=WaitKind.RELOCATION, subject=DECISION_SUBJECT)
        return Step("waiting", case_number, "relocation decision")
    if status == "awaiting_approval":
        return Step("waiting", case_number, "fast-path approval")
    if status == "relocated":
        return _protection(case_id, case_number)
    return _hand_over(case_id, case_number)


def _protection(case_id: uuid.UUID, case_number: str) -> Step:
    """The Tax Agency protects the relocated person's data; the request carries the
    identity number only, never the destination or the address."""
    with agency_clients() as clients:
        assert clients.tax_agency is not None
        try:
            if with_retry_settings(request_protection)(case_id, clients.tax_agency) != "sent":
                return Step("waiting", case_number, "consent")
            decided = with_retry_settings(collect_protection_decision)(case_id,
                                                                      clients.tax_agency)
        except AgencyError as exc:
            reason = f"{exc.agency}: {exc.reason}"
            block_case(case_id, reason=reason)
            return Step("blocked", case_number, reason)
    if not decided:
        open_wait(case_id, kind=WaitKind.AGENCY_ANSWER, subject=f"tax_agency:{PROTECTION_KIND}")
        return Step("waiting", case_number, "protected personal data decision")
    return _belongings(case_id, case_number)


def _belongings(case_id: uuid.UUID, case_number: str) -> Step:
    """The move of belongings, when the plan has one: ordered once, then the case waits
    for social services to confirm it (`utvag during belongings-delivered`)."""
    if order_belongings_move(case_id) == "ordered":
        return Step("waiting", case_number, "move of belongings")
    return _hand_over(case_id, case_number)


def _hand_over(case_id: uuid.UUID, case_number: str) -> Step:
    """Frivården/Arbetsförmedlingen hand-overs (concurrently), the transfer of
    responsibility when the person moved, then the after phase."""
    due, relocated = planned_hand_overs(case_id)
    version = route_meeting(case_id).routing_version or ""
    with agency_clients() as clients:
        futures: list[PrefectFuture[SendOutcome]] = [
            with_retry_settings(request_hand_over).submit(
                case_id, purpose=purpose, routing_version=version,
                port=clients.invitations[agency])
            for agency, purpose in due
        ]
        try:
            outcomes = [f.result() for f in futures]
            pending = [f"{agency}:hand_over_{purpose}"
                       for (agency, purpose), outcome in zip(due, outcomes, strict=True)
                       if outcome == "sent" and not with_retry_settings(collect_hand_over)(
                           case_id, purpose=purpose, port=clients.invitations[agency])]
        except AgencyError as exc:
            reason = f"{exc.agency}: {exc.reason}"
            block_case(case_id, reason=reason)
            return Step("blocked", case_number, reason)
    if "needs_consent" in outcomes:
        return Step("waiting", case_number, "consent")
    for subject in pending:
        open_wait(case_id, kind=WaitKind.AGENCY_ANSWER, subject=subject)
    if pending:
        return Step("waiting", case_number, "hand-over")
    if relocated and transfer_status(case_id) == "offered":
        open_wait(case_id, kind=WaitKind.TRANSFER, subject=TRANSFER_SUBJECT)
        return Step("waiting", case_number, "transfer of responsibility")
    establish(case_id)
    return Step("done", case_number, "after phase: follow-up")
