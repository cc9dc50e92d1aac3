"""Protected personal data after a relocation: the request to the Tax Agency and its
decision, as an agency step (consent, disclosure journal, idempotency key).

The measure follows the threat assessment (`models.relocation.protection_measure`). The
request carries the identity number only (`models.disclosure`), never the destination or
the address: the Tax Agency protects the person's data without Utväg telling it where the
person lives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, select

from adapters.common import SubmittedRequest
from adapters.registry import AgencyPorts
from adapters.repositories import journal
from adapters.tax_agency.schemas import ProtectionDecision, ProtectionSubject
from adapters.tax_agency.schemas import ProtectionRequest as WireRequest
from models.during_tables import ProtectionRequest
from models.journal import Kind
from models.progress import PROTECTION, protection
from models.relocation import protection_measure, stronger_protection
from models.tables import Case, Person, ThreatAssessment
from models.waits import AgencySubject
from services.agency import Personal, Recorded

AGENCY = PROTECTION.agency
# A stronger measure asked for the same move after the threat level rose.
UPGRADE = AgencySubject(AGENCY, "protection_upgrade")


def upgrade(relocation: int) -> AgencySubject:
    return UPGRADE if relocation <= 1 else AgencySubject(AGENCY, f"{UPGRADE.kind}_r{relocation}")


@dataclass(frozen=True)
class ProtectionStep:
    """The protection for one move (`relocation`: 1, 2, ...): each new address is
    protected anew, with the measure the threat assessment carries then."""

    relocation: int = 1
    strengthen: bool = False  # the same move again, for the stronger measure

    @property
    def subject(self) -> AgencySubject:
        return upgrade(self.relocation) if self.strengthen else protection(self.relocation)

    def body(self, session: Session, case: Case, person: Personal, *, key: str,
             at: datetime) -> WireRequest:
        level = session.exec(select(ThreatAssessment.level).where(
            ThreatAssessment.case_id == case.id)).one()
        measure = protection_measure(level)
        # Claimed with the request: a rerun after a crash finds the measure asked for.
        claim = insert(ProtectionRequest).values(
            case_id=case.id, relocation_sequence=self.relocation, measure=measure.value,
            status="requested", requested_at=at)
        keys = ["case_id", "relocation_sequence"]
        session.execute(claim.on_conflict_do_update(index_elements=keys, set_={
            "measure": measure.value, "status": "requested", "requested_at": at,
            "decided_at": None, "rejection_reason": None}) if self.strengthen
            else claim.on_conflict_do_nothing(index_elements=keys))
        return WireRequest.model_validate({
            "case_number": case.case_number,
            "subject": ProtectionSubject(identity_number=person.identity_number),
            "measure": measure.value, "requesting_municipality": case.placing_municipality,
            "threat_level": level})

    def submit(self, ports: AgencyPorts, *, key: str, body: WireRequest) -> SubmittedRequest:
        return ports.tax_agency.request_protection(idempotency_key=key, request=body)

    def poll(self, ports: AgencyPorts, *, external_id: str) -> ProtectionDecision | None:
        decision = ports.tax_agency.get_decision(request_id=external_id)
        return None if decision.status == "pending" else decision

    def record(self, session: Session, case: Case, answer: ProtectionDecision, *,
               at: datetime) -> Recorded:
        row = session.exec(select(ProtectionRequest).where(
            ProtectionRequest.case_id == case.id,
            ProtectionRequest.relocation_sequence == self.relocation).with_for_update()).one()
        measure = answer.measure or row.measure
        row.status, row.rejection_reason = answer.status, answer.rejection_reason
        row.decided_at = answer.decided_at or at
        session.add(row)
        if answer.status == "granted":
            person = session.get_one(Person, case.person_id)
            person.protection_level = stronger_protection(person.protection_level,
                                                          measure).value
            session.add(person)
        # The measure tells how grave the threat is: in the data, not in the reason, which
        # the step artifacts in Prefect show.
        text = ("Tax Agency granted protected personal data" if answer.status == "granted"
                else f"Tax Agency rejected protected personal data: {answer.rejection_reason}")
        data = {"measure": measure, "status": answer.status,
                "rejection_reason": answer.rejection_reason}
        journal.journal(session, case, kind=Kind.PROTECTION_DECIDED, actor=AGENCY, at=at,
                        reason=text, data=data)
        return Recorded(text, data)
