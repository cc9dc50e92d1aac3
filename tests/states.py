"""A case brought to a state of the before and during phase, directly: the services a
case's run would call, in its order, with the agencies (recording fakes) answering at
once, and the waits of the step the case then stands at opened as the run would open
them. No flow run: a state costs milliseconds, not seconds. Each factory checks that
`next_step` says what the state claims, so a change in the process order shows here
and not as a puzzling failure in a test far away.

    admitted(rt)        in the during phase, waiting for the needs assessment
    at_meeting(rt)      needs recorded and the meeting routed: its invitations not yet sent
    at_plan(rt)         the meeting decided: waiting for the action plan
    at_grant(rt)        the plan approved: waiting for the coordinator's statement
    at_relocation(rt)   the grant decided: waiting for the relocation decision
    relocated(rt)       the relocation decided: protected personal data to be asked for
    settling(rt)        relocated, protected, handed over: waiting for the establishment
    in_after_phase(rt)  the during phase done: follow-up

Each takes the test's `agencies` (fakes) when it wants to see what was sent on the way,
and the referral's fields (`custody_status=`, `consents=`, `person=`, ...) as keywords.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from models.action_plan import InterventionKind
from models.enums import Need, NetworkRole
from models.progress import (
    GRANT_APPLICATION,
    PROTECTION,
    SUPPORT_DECISION,
    THREAT_ASSESSMENT,
    Act,
    Action,
    Ask,
    Await,
    Step,
    next_step,
)
from models.waits import AgencySubject
from services import (
    action_plan,
    agency,
    belongings,
    cases,
    grants,
    meeting,
    relocation,
    snapshot,
    transfer,
    waits,
)
from services.agency_steps import step_for
from services.intake import OpenedCase
from services.runtime import Runtime
from tests.factories import open_case
from tests.fakes.agencies import FakeAgencies

COORDINATOR = "coordinator-anna"
POLICE_COORDINATOR = "police-coordinator-li"
ADDRESS = "Hemligvägen 17, 981 31"
DESTINATION = "2584"  # Kiruna; the placing municipality 0180 is the exclusion zone
MOVER = "Flyttfirman Norr AB"


def consents(*agencies: str) -> list[dict[str, str]]:
    return [{"agency": a, "legal_basis": "samtycke"} for a in agencies]


# Police, social services and the Tax Agency: what a relocated case needs.
RELOCATION_CONSENTS = consents("police", "social_services", "tax_agency")


def stands_at(rt: Runtime, case_id: uuid.UUID) -> Step:
    """The case's next step; an `Await` has its waits opened, as the case's run does."""
    step = next_step(snapshot.load(rt, case_id))
    if isinstance(step, Await):
        waits.open_waits(rt, case_id, step.waits)
    return step


def _waiting(rt: Runtime, opened: OpenedCase, reason: str) -> OpenedCase:
    step = stands_at(rt, opened.case_id)
    assert isinstance(step, Await) and step.reason == reason, \
        f"{opened.case_number}: expected to wait for {reason}, stands at {step}"
    return opened


def answer(agencies: FakeAgencies, subject: AgencySubject, case_number: str, *,
           level: str = "high") -> None:
    """The agency answers the request the case sent it (a sign-off, a grant of the
    amount applied for, a granted protection, ...)."""
    if subject == THREAT_ASSESSMENT:
        agencies.police.answer(case_number, level=level)
    elif subject == SUPPORT_DECISION:
        agencies.social_services.answer(case_number)
    elif subject == GRANT_APPLICATION:
        grant = agencies.police_grants
        applied = grant.bodies[grant.request_id_for(case_number)].amount_sek
        grant.decide(case_number, status="granted", amount_sek=applied)
    elif subject == PROTECTION:
        agencies.tax_agency.decide(case_number)
    else:  # a meeting invitation or a hand-over, both through the invitation API
        purpose = subject.kind.removeprefix("hand_over_")
        agencies.invited(subject.agency).sign_off(
            case_number, purpose="collaboration_meeting" if purpose == subject.kind else purpose)


def ask(rt: Runtime, agencies: FakeAgencies, opened: OpenedCase, subject: AgencySubject, *,
        level: str = "high") -> None:
    """Send the request through the one agency step and collect the agency's answer."""
    step = step_for(subject)
    sent = agency.send(rt, agencies, opened.case_id, step)
    assert not isinstance(sent, agency.NeedsConsent), f"{subject}: no consent recorded"
    answer(agencies, subject, opened.case_number, level=level)
    collected = agency.collect(rt, agencies, opened.case_id, step)
    assert isinstance(collected, agency.Answered), f"{subject}: {collected}"


def admitted(rt: Runtime, agencies: FakeAgencies | None = None, *, level: str = "high",
             **referral: Any) -> OpenedCase:
    """Screened, the threat assessment (`level`; high and critical require relocation,
    the placing municipality its exclusion zone) and the support decision in, admitted."""
    fakes = agencies or FakeAgencies()
    opened = open_case(rt, **referral)
    for subject in (THREAT_ASSESSMENT, SUPPORT_DECISION):
        ask(rt, fakes, opened, subject, level=level)
    cases.admit(rt, opened.case_id)
    return _waiting(rt, opened, "needs assessment")


def at_meeting(rt: Runtime, agencies: FakeAgencies | None = None, *,
               needs: Sequence[Need] = (Need.HOUSING,),
               network: Sequence[NetworkRole] = (), level: str = "high",
               **referral: Any) -> OpenedCase:
    """Admitted, the needs recorded and the meeting routed: the invitations are next."""
    opened = admitted(rt, agencies, level=level, **referral)
    meeting.record_needs(rt, opened.case_id, needs=list(needs), network=list(network),
                         by=COORDINATOR)
    meeting.route_meeting(rt, opened.case_id)
    step = stands_at(rt, opened.case_id)
    assert isinstance(step, Ask) or step == Act(Action.DECIDE_MEETING), step
    return opened


def at_plan(rt: Runtime, agencies: FakeAgencies | None = None, *,
            needs: Sequence[Need] = (Need.HOUSING,), level: str = "high",
            **referral: Any) -> OpenedCase:
    """The meeting decided, every external invitee signed off: the plan is next."""
    fakes = agencies or FakeAgencies()
    opened = at_meeting(rt, fakes, needs=needs, level=level, **referral)
    step = stands_at(rt, opened.case_id)
    for subject in step.subjects if isinstance(step, Ask) else ():
        ask(rt, fakes, opened, subject)
    assert meeting.decide_meeting(rt, opened.case_id)
    return _waiting(rt, opened, "action plan")


def at_grant(rt: Runtime, agencies: FakeAgencies | None = None, *, cost: int = 30_000,
             kind: InterventionKind = InterventionKind.LONG_TERM_HOUSING,
             provider: str | None = None, needs: Sequence[Need] = (Need.HOUSING,),
             level: str = "high", **referral: Any) -> OpenedCase:
    """The action plan (one intervention of `kind`, by `provider` when given: vetted
    here) approved: waiting for the police coordinator's statement."""
    opened = at_plan(rt, agencies, needs=needs, level=level, **referral)
    today = rt.now().date()
    if provider:
        action_plan.register_provider(rt, provider)
        action_plan.vet_provider(rt, provider, by="unit-head-eva", on=today,
                                 next_follow_up_due=today + timedelta(days=365))
    action_plan.add_intervention(rt, opened.case_id, action_plan.InterventionIn(
        kind=kind, start=today, planned_end=date(today.year + 1, 6, 30), cost_sek=cost,
        provider=provider), by=COORDINATOR)
    action_plan.approve_plan(rt, opened.case_id, by=COORDINATOR)
    return _waiting(rt, opened, "coordinator statement")


def at_relocation(rt: Runtime, agencies: FakeAgencies | None = None, *,
                  mover: str | None = None,
                  plan: InterventionKind = InterventionKind.MOVING_BELONGINGS,
                  needs: Sequence[Need] = (Need.HOUSING,), **referral: Any) -> OpenedCase:
    """A high threat (relocation required), a plan of one intervention (by default the
    move of the belongings, by `mover` when given), the statement in and the grant
    decided: waiting for the relocation."""
    fakes = agencies or FakeAgencies()
    referral.setdefault("consents", RELOCATION_CONSENTS)
    opened = at_grant(rt, fakes, kind=plan, cost=15_000, provider=mover, needs=needs,
                      **referral)
    grants.record_statement(rt, opened.case_id, supports=True, by=POLICE_COORDINATOR)
    ask(rt, fakes, opened, GRANT_APPLICATION)
    return _waiting(rt, opened, "relocation decision")


def relocated(rt: Runtime, agencies: FakeAgencies | None = None, *,
              destination: str = DESTINATION, fast_path: bool = False,
              **at_relocation_args: Any) -> OpenedCase:
    """The relocation decided (to `destination`, independent living): protected personal
    data is next (or the fast path's approval)."""
    opened = at_relocation(rt, agencies, **at_relocation_args)
    relocation.decide_relocation(rt, opened.case_id, relocation.RelocationIn(
        destination=destination, address=ADDRESS, lives_independently=True,
        needs_deep_support=False, fast_path=fast_path), by="ss-anna")
    if fast_path:
        return _waiting(rt, opened, "fast-path approval")
    step = stands_at(rt, opened.case_id)
    assert isinstance(step, Ask) and step.subjects == (PROTECTION,), step
    return opened


def settling(rt: Runtime, agencies: FakeAgencies | None = None,
             **referral: Any) -> OpenedCase:
    """Relocated, protected, belongings delivered, handed over: the case waits for the
    person to be established in the new town before the transfer is offered."""
    fakes = agencies or FakeAgencies()
    opened = relocated(rt, fakes, **referral)
    ask(rt, fakes, opened, PROTECTION)
    assert stands_at(rt, opened.case_id) == Act(Action.ORDER_BELONGINGS)
    belongings.order_move(rt, opened.case_id)
    belongings.confirm_delivered(rt, opened.case_id, by="ss-destination",
                                 viewer_municipality=referral.get("destination", DESTINATION))
    step = stands_at(rt, opened.case_id)
    for subject in step.subjects if isinstance(step, Ask) else ():
        ask(rt, fakes, opened, subject)
    return _waiting(rt, opened, "establishment in the new town")


def in_after_phase(rt: Runtime, agencies: FakeAgencies | None = None,
                   **referral: Any) -> OpenedCase:
    """Settled: established (housing, occupation, support still needed), the transfer
    offered and accepted by the receiving municipality (responsible in 30 days):
    established in the after phase."""
    opened = settling(rt, agencies, **referral)
    transfer.record_establishment(rt, opened.case_id, stable_housing=True, occupation=True,
                                  support_needed=True, by="ss-anna")
    assert stands_at(rt, opened.case_id) == Act(Action.OFFER_TRANSFER)
    transfer.offer_transfer(rt, opened.case_id)
    transfer.answer_transfer(rt, opened.case_id, accept=True, cost_payer="receiving",
                             cost_from=rt.now().date() + timedelta(days=30),
                             viewer_municipality=referral.get("destination", DESTINATION),
                             by="ss-kiruna")
    assert stands_at(rt, opened.case_id) == Act(Action.ESTABLISH)
    cases.establish(rt, opened.case_id)
    case = snapshot.load(rt, opened.case_id)
    assert (case.phase, case.status) == ("after", "open"), (case.phase, case.status)
    return opened
