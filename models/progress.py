"""What comes next for a case: one pure function over a snapshot of the case.

The case's flow run loads a `CaseSnapshot`, asks `next_step` what to do, does it, and
asks again: the order of the process lives here, in one place a reviewer can read, and
the flow only carries steps out. Re-entrant by construction: the answer depends on what
is recorded, never on what a run remembers, so a rerun after a crash or a resume picks
up exactly where the case stands.

Steps: `Done`, `Unblock`, `Close`, `Admit`, `Await` (open these waits and suspend),
`Ask` (send these agency requests and collect their answers), `Act` (one internal step:
route or decide the meeting, order the move of belongings, offer the transfer, move the
case to the after phase).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from models.enums import CaseStatus, Criterion, Outcome, Phase, RequestStatus, WaitKind
from models.rules import COORDINATOR_CRITERIA, Verdict, screen
from models.waits import AgencySubject, Wait

THREAT_ASSESSMENT = AgencySubject("police", "threat_assessment")
SUPPORT_DECISION = AgencySubject("social_services", "support_decision")
GRANT_APPLICATION = AgencySubject("police", "grant_application")
GRANT_COMPLETION = AgencySubject("police", "grant_completion")
PROTECTION = AgencySubject("tax_agency", "protected_personal_data")
MEETING_INVITATION = "meeting_invitation"


def invitation(agency: str) -> AgencySubject:
    return AgencySubject(agency, MEETING_INVITATION)


def hand_over(agency: str, purpose: str, relocation: int = 1) -> AgencySubject:
    """The hand-over for the `relocation`-th move (a later move is handed over anew)."""
    suffix = f"_r{relocation}" if relocation > 1 else ""
    return AgencySubject(agency, f"hand_over_{purpose}{suffix}")


def protection(relocation: int = 1) -> AgencySubject:
    """The Tax Agency's protection of personal data for the `relocation`-th move."""
    return PROTECTION if relocation <= 1 else AgencySubject(
        PROTECTION.agency, f"{PROTECTION.kind}_r{relocation}")


def relocation_number(subject: AgencySubject, base: AgencySubject) -> int | None:
    """Which move a request of `base`'s kind is for (1, 2, ...); None for another kind."""
    if subject.agency != base.agency:
        return None
    if subject.kind == base.kind:
        return 1
    head, sep, number = subject.kind.rpartition("_r")
    return int(number) if sep and head == base.kind and number.isdigit() \
        and int(number) > 1 else None


class Relocation(StrEnum):
    NOT_REQUIRED = "not_required"
    UNDECIDED = "undecided"
    AWAITING_APPROVAL = "awaiting_approval"
    RELOCATED = "relocated"


class Belongings(StrEnum):
    NOT_PLANNED = "not_planned"
    PLANNED = "planned"
    ORDERED = "ordered"
    DELIVERED = "delivered"


class Transfer(StrEnum):
    """The latest transfer offer's state."""

    NONE = "none"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class Establishment(StrEnum):
    """The latest record of the person's establishment in the new town."""

    NOT_RECORDED = "not_recorded"
    NOT_YET = "not_yet"  # no lasting housing or no occupation yet
    ESTABLISHED = "established"  # housing and occupation, support still needed
    NO_SUPPORT_NEEDED = "no_support_needed"  # established and no longer in need of support


@dataclass(frozen=True)
class Invitee:
    agency: str
    external: bool


@dataclass(frozen=True)
class CaseSnapshot:
    """What the flow branches on: ids, states and codes only, never personal data."""

    case_id: uuid.UUID
    case_number: str
    phase: str
    status: str
    journal_count: int = 0
    answers: Mapping[Criterion, bool | None] = field(default_factory=dict)
    requests: Mapping[AgencySubject, str] = field(default_factory=dict)
    waits: Sequence[Wait] = ()
    answered: frozenset[WaitKind] = frozenset()  # kinds of wait answered at least once
    threat_assessment_in: bool = False
    relocation_required: bool = False
    # The during phase.
    needs_recorded: bool = False
    routed: bool = False
    invitees: Sequence[Invitee] = ()
    meeting_decided: bool = False
    plan_approved: bool = False
    statement_recorded: bool = False
    grant_decided: bool = False
    relocation: Relocation = Relocation.NOT_REQUIRED
    relocation_number: int = 0  # the latest move's number (0: none)
    emergency_only: bool = False  # the latest move is emergency housing
    lives_where_responsible: bool = False  # the latest move is within the responsible one
    belongings: Belongings = Belongings.NOT_PLANNED
    hand_overs: Sequence[AgencySubject] = ()
    transfer: Transfer = Transfer.NONE
    establishment: Establishment = Establishment.NOT_RECORDED

    def answered_request(self, subject: AgencySubject) -> bool:
        return self.requests.get(subject) == RequestStatus.ANSWERED


class Action(StrEnum):
    ROUTE_MEETING = "route_meeting"
    DECIDE_MEETING = "decide_meeting"
    ORDER_BELONGINGS = "order_belongings"
    OFFER_TRANSFER = "offer_transfer"
    ESTABLISH = "establish"


@dataclass(frozen=True)
class Done:
    reason: str


@dataclass(frozen=True)
class Unblock:
    pass


@dataclass(frozen=True)
class Close:
    outcome: Outcome
    reason: str


@dataclass(frozen=True)
class Admit:
    pass


@dataclass(frozen=True)
class Await:
    waits: tuple[Wait, ...]
    reason: str


@dataclass(frozen=True)
class Ask:
    subjects: tuple[AgencySubject, ...]
    reason: str


@dataclass(frozen=True)
class Act:
    action: Action


Step = Done | Unblock | Close | Admit | Await | Ask | Act


def next_step(case: CaseSnapshot) -> Step:
    if case.status == CaseStatus.CLOSED:
        return Done(f"{case.phase}/closed")
    if case.status == CaseStatus.BLOCKED:
        return Unblock()
    if case.phase == Phase.BEFORE:
        return _before(case)
    if case.phase == Phase.DURING:
        return _during(case)
    return Done("after phase: follow-up")


def _ask_or_await(case: CaseSnapshot, subjects: Sequence[AgencySubject], reason: str) -> Step:
    """Ask what is not yet awaited; when every request is awaited (its answer or the
    consent it needs), wait."""
    open_waits = set(case.waits)
    awaited: list[Wait] = []
    ask: list[AgencySubject] = []
    for subject in subjects:
        # A child's guardians' consent holds back every disclosure (services/minors.py).
        found = [w for w in (Wait.answer(subject), Wait.consent(subject.agency),
                             Wait.of(WaitKind.GUARDIAN_CONSENT)) if w in open_waits]
        if found:
            awaited += [w for w in found if w not in awaited]
        else:
            ask.append(subject)
    if ask:
        return Ask(tuple(ask), reason)
    # Only a person can give consent: say so rather than name an agency's answer.
    if all(w.kind in (WaitKind.CONSENT, WaitKind.GUARDIAN_CONSENT) for w in awaited):
        reason = "consent"
    return Await(tuple(awaited), reason)


def _before(case: CaseSnapshot) -> Step:
    screening = screen(case.answers, criteria=COORDINATOR_CRITERIA)
    if screening.verdict == Verdict.WITNESS:
        return Close(Outcome.REFERRED_TO_WITNESS_PROTECTION,
                     "witness/evidence person: referred to witness protection, not admitted")
    if screening.verdict == Verdict.NOT_ELIGIBLE:
        failed = ", ".join(c.value for c in screening.failed)
        return Close(Outcome.NOT_ELIGIBLE, f"not eligible: {failed} does not hold")
    if screening.verdict == Verdict.UNKNOWN:
        return Await(tuple(Wait.criterion(c) for c in screening.missing), "coordinator answer")
    if case.answers.get(Criterion.SOCIAL_SERVICES_DECIDED) is False:
        return Close(Outcome.SUPPORT_REFUSED,
                     "social services decided not to grant support interventions")
    outstanding = [s for s in (THREAT_ASSESSMENT, SUPPORT_DECISION)
                   if not case.answered_request(s)]
    if outstanding:
        return _ask_or_await(case, outstanding, "agency answer")
    if screen(case.answers).verdict != Verdict.ELIGIBLE or not case.threat_assessment_in:
        return Done("eligibility incomplete")
    return Admit()


def _during(case: CaseSnapshot) -> Step:
    if not case.routed:
        if not case.needs_recorded:
            return Await((Wait.of(WaitKind.NEEDS_ASSESSMENT),), "needs assessment")
        return Act(Action.ROUTE_MEETING)
    if not case.meeting_decided:
        outstanding = [invitation(i.agency) for i in case.invitees
                       if i.external and not case.answered_request(invitation(i.agency))]
        if outstanding:
            return _ask_or_await(case, outstanding, "meeting sign-off")
        return Act(Action.DECIDE_MEETING)
    if not case.plan_approved:
        return Await((Wait.of(WaitKind.ACTION_PLAN),), "action plan")
    if not case.grant_decided:
        return _grant(case)
    return _relocation(case)


def _grant(case: CaseSnapshot) -> Step:
    if not case.statement_recorded:
        return Await((Wait.of(WaitKind.GRANT_STATEMENT),), "coordinator statement")
    completion = Wait.of(WaitKind.GRANT_COMPLETION)
    if completion in case.waits:
        return Await((completion,), "grant completion")
    if WaitKind.GRANT_COMPLETION in case.answered:
        return _ask_or_await(case, [GRANT_COMPLETION], "grant decision")
    return _ask_or_await(case, [GRANT_APPLICATION], "grant decision")


def _relocation(case: CaseSnapshot) -> Step:
    if case.relocation == Relocation.UNDECIDED:
        return Await((Wait.of(WaitKind.RELOCATION),), "relocation decision")
    if case.relocation == Relocation.AWAITING_APPROVAL:
        return Await((Wait.of(WaitKind.RELOCATION_APPROVAL),), "fast-path approval")
    if case.relocation == Relocation.RELOCATED:
        protect = protection(case.relocation_number)
        if not case.answered_request(protect):
            return _ask_or_await(case, [protect], "protected personal data decision")
        if case.belongings == Belongings.PLANNED:
            return Act(Action.ORDER_BELONGINGS)
        if case.belongings == Belongings.ORDERED:
            return Await((Wait.of(WaitKind.BELONGINGS),), "move of belongings")
    outstanding = [s for s in case.hand_overs if not case.answered_request(s)]
    if outstanding:
        return _ask_or_await(case, outstanding, "hand-over")
    if case.relocation == Relocation.RELOCATED:
        if case.emergency_only:
            return Await((Wait.of(WaitKind.RELOCATION),), "lasting move")
        if case.lives_where_responsible and case.transfer != Transfer.OFFERED:
            return Act(Action.ESTABLISH)  # nothing to transfer
        return _transfer(case)
    return Act(Action.ESTABLISH)


def _transfer(case: CaseSnapshot) -> Step:
    """After a move the case stays with the placing municipality until the person is
    established in the new town; then the transfer is offered (or earlier, when a
    coordinator decides it). Declined: the case waits for a new offer."""
    match case.transfer:
        case Transfer.OFFERED:
            return Await((Wait.of(WaitKind.TRANSFER),), "transfer of responsibility")
        case Transfer.ACCEPTED:
            return Act(Action.ESTABLISH)
        case Transfer.DECLINED:
            return Await((Wait.of(WaitKind.TRANSFER_OFFER),), "new transfer offer")
    match case.establishment:
        case Establishment.ESTABLISHED:
            return Act(Action.OFFER_TRANSFER)
        case Establishment.NO_SUPPORT_NEEDED:
            return Act(Action.ESTABLISH)
    return Await((Wait.of(WaitKind.ESTABLISHMENT),), "establishment in the new town")
