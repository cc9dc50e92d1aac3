"""What comes next for a case (`models.progress.next_step`): every branch of the before
and the during phase, as a table of snapshots and the step each must give. Pure: no
database, no Prefect."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from models.enums import Criterion, Outcome, WaitKind
from models.progress import (
    GRANT_APPLICATION,
    GRANT_COMPLETION,
    PROTECTION,
    SUPPORT_DECISION,
    THREAT_ASSESSMENT,
    Act,
    Action,
    Admit,
    Ask,
    Await,
    Belongings,
    CaseSnapshot,
    Close,
    Done,
    Establishment,
    Invitee,
    Relocation,
    Step,
    Transfer,
    Unblock,
    hand_over,
    invitation,
    next_step,
    protection,
)
from models.waits import AgencySubject, Wait

ELIGIBLE = {c: True for c in Criterion}
SCREENED = {c: True for c in Criterion if c != Criterion.SOCIAL_SERVICES_DECIDED}
KV, AF = invitation("kriminalvarden"), invitation("arbetsformedlingen")
RELEASE = hand_over("kriminalvarden", "release_measures")
SUPERVISOR = hand_over("kriminalvarden", "lay_supervisor")
OFFICE = hand_over("arbetsformedlingen", "office_hand_over")


def answered(*subjects: AgencySubject) -> dict[AgencySubject, str]:
    return {s: "answered" for s in subjects}


def before(**fields: Any) -> CaseSnapshot:
    return CaseSnapshot(**{"case_id": uuid.UUID(int=1), "case_number": "UTV-2026-000001",
                           "phase": "before", "status": "open", "answers": SCREENED,
                           **fields})


def during(**fields: Any) -> CaseSnapshot:
    """Admitted, needs recorded, the meeting routed (police and social services only)
    and decided, the plan approved, the statement in and the grant decided: each case
    below takes back what its branch is about."""
    base: dict[str, Any] = {
        "case_id": uuid.UUID(int=2), "case_number": "UTV-2026-000002", "phase": "during",
        "status": "open", "answers": ELIGIBLE, "threat_assessment_in": True,
        "needs_recorded": True, "routed": True,
        "invitees": (Invitee("police", False), Invitee("social_services", False)),
        "meeting_decided": True, "plan_approved": True, "statement_recorded": True,
        "grant_decided": True}
    return CaseSnapshot(**{**base, **fields})


def relocated(**fields: Any) -> CaseSnapshot:
    return during(**{"relocation": Relocation.RELOCATED, "requests": answered(PROTECTION),
                     **fields})


TOP = [
    ("closed before admission", before(status="closed"), Done("before/closed")),
    ("closed after admission", during(status="closed"), Done("during/closed")),
    ("blocked", during(status="blocked"), Unblock()),
    ("blocked before admission", before(status="blocked"), Unblock()),
    ("after phase", during(phase="after"), Done("after phase: follow-up")),
]

BEFORE = [
    ("a witness is referred, not admitted",
     before(answers={**SCREENED, Criterion.NOT_WITNESS: False}),
     Close(Outcome.REFERRED_TO_WITNESS_PROTECTION,
           "witness/evidence person: referred to witness protection, not admitted")),
    ("a criterion that does not hold",
     before(answers={**SCREENED, Criterion.MOTIVATED: False}),
     Close(Outcome.NOT_ELIGIBLE, "not eligible: motivated does not hold")),
    ("an unknown criterion waits for the coordinator",
     before(answers={c: v for c, v in SCREENED.items() if c != Criterion.SIGNED_CONDITIONS}),
     Await((Wait.criterion(Criterion.SIGNED_CONDITIONS),), "coordinator answer")),
    ("support refused",
     before(answers={**SCREENED, Criterion.SOCIAL_SERVICES_DECIDED: False}),
     Close(Outcome.SUPPORT_REFUSED,
           "social services decided not to grant support interventions")),
    ("screened: both agencies are asked",
     before(), Ask((THREAT_ASSESSMENT, SUPPORT_DECISION), "agency answer")),
    ("both asked: wait for both",
     before(waits=(Wait.answer(THREAT_ASSESSMENT), Wait.answer(SUPPORT_DECISION))),
     Await((Wait.answer(THREAT_ASSESSMENT), Wait.answer(SUPPORT_DECISION)), "agency answer")),
    ("one awaited, the other not yet asked: ask it",
     before(waits=(Wait.answer(THREAT_ASSESSMENT),)),
     Ask((SUPPORT_DECISION,), "agency answer")),
    ("one answered: wait for the other",
     before(requests=answered(THREAT_ASSESSMENT), waits=(Wait.answer(SUPPORT_DECISION),)),
     Await((Wait.answer(SUPPORT_DECISION),), "agency answer")),
    ("no consent for the police: wait for consent",
     before(requests=answered(SUPPORT_DECISION), waits=(Wait.consent("police"),)),
     Await((Wait.consent("police"),), "consent")),
    ("a consent and an answer awaited: the step's own reason",
     before(waits=(Wait.consent("police"), Wait.answer(SUPPORT_DECISION))),
     Await((Wait.consent("police"), Wait.answer(SUPPORT_DECISION)), "agency answer")),
    ("both answered but the decision not recorded",
     before(requests=answered(THREAT_ASSESSMENT, SUPPORT_DECISION), threat_assessment_in=True),
     Done("eligibility incomplete")),
    ("both answered but no threat assessment stored",
     before(answers=ELIGIBLE, requests=answered(THREAT_ASSESSMENT, SUPPORT_DECISION)),
     Done("eligibility incomplete")),
    ("everything in: admit",
     before(answers=ELIGIBLE, requests=answered(THREAT_ASSESSMENT, SUPPORT_DECISION),
            threat_assessment_in=True),
     Admit()),
]

MEETING = [
    ("no needs yet: wait for the assessment",
     during(needs_recorded=False, routed=False, invitees=()),
     Await((Wait.of(WaitKind.NEEDS_ASSESSMENT),), "needs assessment")),
    ("needs recorded: route the meeting",
     during(routed=False, invitees=(), meeting_decided=False), Act(Action.ROUTE_MEETING)),
    ("external invitees are invited",
     during(invitees=(Invitee("police", False), Invitee("kriminalvarden", True),
                      Invitee("arbetsformedlingen", True)), meeting_decided=False),
     Ask((KV, AF), "meeting sign-off")),
    ("one signed off, the other's sign-off awaited",
     during(invitees=(Invitee("kriminalvarden", True), Invitee("arbetsformedlingen", True)),
            meeting_decided=False, requests=answered(KV), waits=(Wait.answer(AF),)),
     Await((Wait.answer(AF),), "meeting sign-off")),
    ("an invitee without consent: wait for consent",
     during(invitees=(Invitee("health_care", True),), meeting_decided=False,
            waits=(Wait.consent("health_care"),)),
     Await((Wait.consent("health_care"),), "consent")),
    ("every external invitee signed off: decide",
     during(invitees=(Invitee("kriminalvarden", True),), meeting_decided=False,
            requests=answered(KV)),
     Act(Action.DECIDE_MEETING)),
    ("no external invitee: decide at once",
     during(meeting_decided=False), Act(Action.DECIDE_MEETING)),
    ("the meeting decided: wait for the plan",
     during(plan_approved=False, statement_recorded=False, grant_decided=False),
     Await((Wait.of(WaitKind.ACTION_PLAN),), "action plan")),
]

GRANT = [
    ("no statement: wait for the police coordinator",
     during(statement_recorded=False, grant_decided=False),
     Await((Wait.of(WaitKind.GRANT_STATEMENT),), "coordinator statement")),
    ("the statement in: apply",
     during(grant_decided=False), Ask((GRANT_APPLICATION,), "grant decision")),
    ("applied: wait for the decision",
     during(grant_decided=False, waits=(Wait.answer(GRANT_APPLICATION),)),
     Await((Wait.answer(GRANT_APPLICATION),), "grant decision")),
    ("no consent for the police: wait for consent",
     during(grant_decided=False, waits=(Wait.consent("police"),)),
     Await((Wait.consent("police"),), "consent")),
    ("a completion asked for: wait for the coordinator",
     during(grant_decided=False, waits=(Wait.of(WaitKind.GRANT_COMPLETION),),
            answered=frozenset({WaitKind.GRANT_STATEMENT})),
     Await((Wait.of(WaitKind.GRANT_COMPLETION),), "grant completion")),
    ("the completion done: send it",
     during(grant_decided=False,
            answered=frozenset({WaitKind.GRANT_STATEMENT, WaitKind.GRANT_COMPLETION})),
     Ask((GRANT_COMPLETION,), "grant decision")),
    ("the completion sent: wait for the decision",
     during(grant_decided=False, answered=frozenset({WaitKind.GRANT_COMPLETION}),
            waits=(Wait.answer(GRANT_COMPLETION),)),
     Await((Wait.answer(GRANT_COMPLETION),), "grant decision")),
]

RELOCATION = [
    ("relocation required: wait for the decision",
     during(relocation=Relocation.UNDECIDED),
     Await((Wait.of(WaitKind.RELOCATION),), "relocation decision")),
    ("a fast-path decision waits for its approval",
     during(relocation=Relocation.AWAITING_APPROVAL, belongings=Belongings.PLANNED),
     Await((Wait.of(WaitKind.RELOCATION_APPROVAL),), "fast-path approval")),
    ("relocated: ask for protected personal data",
     during(relocation=Relocation.RELOCATED, belongings=Belongings.PLANNED),
     Ask((PROTECTION,), "protected personal data decision")),
    ("the Tax Agency still deciding",
     during(relocation=Relocation.RELOCATED, waits=(Wait.answer(PROTECTION),)),
     Await((Wait.answer(PROTECTION),), "protected personal data decision")),
    ("no consent for the Tax Agency: wait for consent",
     during(relocation=Relocation.RELOCATED, waits=(Wait.consent("tax_agency"),)),
     Await((Wait.consent("tax_agency"),), "consent")),
    ("protected, belongings planned: order the move",
     relocated(belongings=Belongings.PLANNED), Act(Action.ORDER_BELONGINGS)),
    ("the move ordered: wait for social services",
     relocated(belongings=Belongings.ORDERED),
     Await((Wait.of(WaitKind.BELONGINGS),), "move of belongings")),
    ("delivered, hand-overs due: ask for them",
     relocated(belongings=Belongings.DELIVERED, hand_overs=(RELEASE, SUPERVISOR, OFFICE)),
     Ask((RELEASE, SUPERVISOR, OFFICE), "hand-over")),
    ("one hand-over accepted, one awaited, one not yet asked",
     relocated(hand_overs=(RELEASE, SUPERVISOR, OFFICE),
               requests=answered(PROTECTION, RELEASE), waits=(Wait.answer(SUPERVISOR),)),
     Ask((OFFICE,), "hand-over")),
    ("hand-overs awaited",
     relocated(hand_overs=(RELEASE,), waits=(Wait.answer(RELEASE),)),
     Await((Wait.answer(RELEASE),), "hand-over")),
    ("hand-overs done: wait until the person is established, no offer yet",
     relocated(hand_overs=(RELEASE,), requests=answered(PROTECTION, RELEASE)),
     Await((Wait.of(WaitKind.ESTABLISHMENT),), "establishment in the new town")),
    ("not yet established: still waiting",
     relocated(establishment=Establishment.NOT_YET),
     Await((Wait.of(WaitKind.ESTABLISHMENT),), "establishment in the new town")),
    ("established and still in need of support: offer the transfer",
     relocated(establishment=Establishment.ESTABLISHED), Act(Action.OFFER_TRANSFER)),
    ("established, no support needed: the after phase without a transfer",
     relocated(establishment=Establishment.NO_SUPPORT_NEEDED), Act(Action.ESTABLISH)),
    ("emergency housing only: wait for the lasting move",
     relocated(emergency_only=True, establishment=Establishment.ESTABLISHED),
     Await((Wait.of(WaitKind.RELOCATION),), "lasting move")),
    ("moved within the responsible municipality: nothing to transfer",
     relocated(lives_where_responsible=True), Act(Action.ESTABLISH)),
    ("the second move protected anew",
     relocated(relocation_number=2), Ask((protection(2),), "protected personal data decision")),
    ("the transfer offered: wait for the receiving municipality",
     relocated(transfer=Transfer.OFFERED),
     Await((Wait.of(WaitKind.TRANSFER),), "transfer of responsibility")),
    ("the transfer accepted: the after phase",
     relocated(transfer=Transfer.ACCEPTED), Act(Action.ESTABLISH)),
    ("the transfer declined: wait for a new offer, not the after phase",
     relocated(transfer=Transfer.DECLINED, establishment=Establishment.ESTABLISHED),
     Await((Wait.of(WaitKind.TRANSFER_OFFER),), "new transfer offer")),
    ("no relocation required: the hand-overs first",
     during(hand_overs=(RELEASE, SUPERVISOR)), Ask((RELEASE, SUPERVISOR), "hand-over")),
    ("no relocation required, no hand-over: the after phase, no transfer",
     during(belongings=Belongings.PLANNED), Act(Action.ESTABLISH)),
]


@pytest.mark.parametrize(("case", "step"), [(c, s) for _, c, s in TOP + BEFORE],
                         ids=[name for name, _, _ in TOP + BEFORE])
def test_the_before_phase(case: CaseSnapshot, step: Step) -> None:
    assert next_step(case) == step


@pytest.mark.parametrize(("case", "step"), [(c, s) for _, c, s in MEETING + GRANT + RELOCATION],
                         ids=[name for name, _, _ in MEETING + GRANT + RELOCATION])
def test_the_during_phase(case: CaseSnapshot, step: Step) -> None:
    assert next_step(case) == step

