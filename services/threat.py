"""The threat assessment over time: renewed before it runs out, and a changed level
applied to what depends on it.

A threat assessment is valid until its `valid_until`. `REASSESS_BEFORE` days earlier
every ongoing admitted case asks the police for a re-assessment, through the one agency
step (`services.agency`: consent, disclosure journal, idempotency key
`<case>:police:threat_reassessment_r<n>` for the n-th assessment), and waits for it
with the old assessment's last day as the deadline. The answer replaces the assessment
(the journal keeps the previous level) and re-applies the rules that depend on it:

- protection: after a move, a level that now calls for a stronger measure
  (`models.relocation.protection_measure`) asks the Tax Agency to strengthen it
  (`protection_upgrade`, per move, its own key);
- relocation: a level that now requires a move, where none was decided, or new
  exclusion zones that take in where the person lives, open a relocation wait for
  social services to decide (a new move, `services.relocation`).

Levels are in the journal's data only, never in a reason (reasons reach Prefect's step
artifacts).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from adapters.errors import AgencyError
from adapters.police.schemas import ThreatAssessmentResult
from adapters.registry import AgencyPorts
from adapters.repositories import journal, waits
from models.during_tables import ProtectionRequest, Relocation
from models.enums import CaseStatus, Phase, RequestStatus, WaitKind
from models.journal import Kind
from models.progress import THREAT_ASSESSMENT, relocation_number
from models.relocation import protection_measure, stronger_protection
from models.tables import AgencyRequest, Case, ThreatAssessment
from models.waits import AgencySubject, Wait
from services import agency
from services.agency import Recorded
from services.before_steps import AsksForThreatAssessment
from services.runtime import Runtime

REASSESS_BEFORE = timedelta(days=30)
REASSESSMENT = AgencySubject(THREAT_ASSESSMENT.agency, "threat_reassessment")


def reassessment(number: int) -> AgencySubject:
    """The request for the `number`-th assessment (2: the first renewal)."""
    return AgencySubject(REASSESSMENT.agency, f"{REASSESSMENT.kind}_r{number}")


@dataclass(frozen=True)
class ThreatReassessmentStep(AsksForThreatAssessment):
    number: int

    @property
    def subject(self) -> AgencySubject:
        return reassessment(self.number)

    def record(self, session: Session, case: Case, answer: ThreatAssessmentResult, *,
               at: datetime) -> Recorded:
        row = session.exec(select(ThreatAssessment).where(
            ThreatAssessment.case_id == case.id).with_for_update()).one()
        previous = row.level
        assert answer.level is not None and answer.valid_until is not None  # noqa: S101 - polled
        row.level, row.exclusion_zones = answer.level, list(answer.exclusion_zones)
        row.relocation_required = bool(answer.relocation_required)
        row.valid_until, row.received_at, row.request_id = (answer.valid_until, at,
                                                            answer.request_id)
        session.add(row)
        data: dict[str, Any] = {"number": self.number, "previous_level": previous,
                                "level": answer.level, "changed": previous != answer.level,
                                "valid_until": answer.valid_until.isoformat()}
        journal.journal(session, case, kind=Kind.THREAT_REASSESSED, actor="police", at=at,
                        reason="threat assessment renewed by the police", data=data)
        return Recorded("threat re-assessment received from the police", data)


@dataclass(frozen=True)
class Renewed:
    """What one pass did: counts only."""

    requested: int = 0
    relocations_wanted: int = 0
    protections_strengthened: int = 0
    failed: int = 0


def _number(session: Session, case_id: uuid.UUID) -> int:
    """The number of the next assessment: 2 + the renewals answered so far."""
    kinds = session.exec(select(AgencyRequest.kind).where(
        AgencyRequest.case_id == case_id, AgencyRequest.agency == REASSESSMENT.agency,
        AgencyRequest.status == RequestStatus.ANSWERED)).all()
    return 2 + sum(1 for k in kinds if relocation_number(AgencySubject(
        REASSESSMENT.agency, k), REASSESSMENT) is not None)


def request_due(rt: Runtime, ports: AgencyPorts) -> Renewed:
    """Ask the police to renew every assessment of an ongoing admitted case that runs
    out within `REASSESS_BEFORE` (once per assessment, by key); the wait's deadline is
    the assessment's last day."""
    at = rt.now()
    with rt.uow() as session:
        due = session.exec(select(col(ThreatAssessment.case_id),
                                  col(ThreatAssessment.valid_until))
                           .join(Case, col(Case.id) == col(ThreatAssessment.case_id))
                           .where(col(Case.status) != CaseStatus.CLOSED,
                                  col(Case.phase) != Phase.BEFORE,
                                  col(ThreatAssessment.valid_until) <= (at + REASSESS_BEFORE)
                                  .date())).all()
        numbered = [(case_id, until, _number(session, case_id)) for case_id, until in due]
    requested = failed = 0
    for case_id, until, number in numbered:
        step = ThreatReassessmentStep(number)
        try:
            sent = agency.send(rt, ports, case_id, step)
        except AgencyError:
            failed += 1
            continue
        if isinstance(sent, agency.Sent):
            requested += 1
            with rt.uow() as session:
                case = session.get_one(Case, case_id, with_for_update=True)
                last_day = datetime.combine(until, datetime.max.time(), tzinfo=at.tzinfo)
                waits.open_wait(session, case, Wait.answer(step.subject), at=at,
                                deadline=max(last_day, at), change_status=False)
    return Renewed(requested=requested, failed=failed)


def _wants_relocation(rt: Runtime, session: Session, case: Case,
                      threat: ThreatAssessment) -> bool:
    """The assessment calls for a move no decision has answered yet: required and none
    decided, or where the person lives is now inside an exclusion zone."""
    latest = session.exec(select(Relocation).where(Relocation.case_id == case.id)
                          .order_by(col(Relocation.sequence).desc())).first()
    if latest is None:  # in the during phase the case's own run waits for it
        return threat.relocation_required and case.phase == Phase.AFTER
    return rt.cipher.decrypt(latest.destination_enc) in threat.exclusion_zones


def _protection_to_strengthen(session: Session, case: Case,
                              threat: ThreatAssessment) -> int | None:
    """The move whose decided protection is weaker than the level now needs."""
    row = session.exec(select(ProtectionRequest).where(ProtectionRequest.case_id == case.id)
                       .order_by(col(ProtectionRequest.relocation_sequence).desc())).first()
    if row is None or row.status == "requested":
        return None
    needed = protection_measure(threat.level)
    return row.relocation_sequence if needed.value != row.measure and \
        stronger_protection(row.measure, needed) == needed else None


def apply_rules(rt: Runtime, ports: AgencyPorts, case_id: uuid.UUID) -> tuple[bool, bool]:
    """Re-apply what depends on the assessment as it stands: (a relocation wait opened,
    a stronger protection asked for). Derived from the records only: running it again
    changes nothing."""
    at = rt.now()
    with rt.uow() as session:
        case = session.get_one(Case, case_id, with_for_update=True)
        threat = session.exec(select(ThreatAssessment).where(
            ThreatAssessment.case_id == case_id)).one()
        if case.status == CaseStatus.CLOSED or case.phase == Phase.BEFORE:
            return False, False
        moved = False
        if _wants_relocation(rt, session, case, threat):
            wait = Wait.of(WaitKind.RELOCATION)
            moved = waits.open_wait(session, case, wait, at=at,
                                    deadline=rt.deadline(wait.kind, at=at),
                                    change_status=case.phase != Phase.AFTER)
            if moved:
                journal.journal(session, case, kind=Kind.NOTE, actor="utvag", at=at,
                                reason="the threat assessment calls for a move: social "
                                       "services to decide a relocation")
        move = _protection_to_strengthen(session, case, threat)
    strengthened = False
    if move is not None:
        from services.protection import ProtectionStep  # noqa: PLC0415 - the step table

        step = ProtectionStep(move, strengthen=True)
        if isinstance(agency.send(rt, ports, case_id, step), agency.Sent):
            strengthened = True
            with rt.uow() as session:
                case = session.get_one(Case, case_id, with_for_update=True)
                waits.open_wait(session, case, Wait.answer(step.subject), at=at,
                                deadline=rt.deadline(WaitKind.AGENCY_ANSWER, at=at),
                                change_status=False)
    return moved, strengthened


def apply_renewed(rt: Runtime, ports: AgencyPorts, *,
                  recent: timedelta = timedelta(days=7)) -> Renewed:
    """Re-apply the rules for every case whose assessment was renewed lately (after the
    answers are collected; a crash in between is caught up by the next pass)."""
    at = rt.now()
    with rt.uow() as session:
        renewed = session.exec(select(AgencyRequest.case_id).where(
            AgencyRequest.agency == REASSESSMENT.agency,
            col(AgencyRequest.kind).startswith(REASSESSMENT.kind),
            col(AgencyRequest.answered_at) >= at - recent).distinct()).all()
    wanted = strengthened = failed = 0
    for case_id in renewed:
        try:
            moved, stronger = apply_rules(rt, ports, case_id)
        except AgencyError:
            failed += 1
            continue
        wanted, strengthened = wanted + moved, strengthened + stronger
    return Renewed(0, wanted, strengthened, failed)
