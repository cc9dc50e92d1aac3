"""The before phase's agency requests: the police threat assessment and social
services' decision on support interventions (the sixth criterion)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session

from adapters.common import Subject, SubmittedRequest
from adapters.police.schemas import ThreatAssessmentRequest, ThreatAssessmentResult
from adapters.registry import AgencyPorts
from adapters.repositories import answers
from adapters.social_services.schemas import SupportDecisionRequest, SupportDecisionResult
from models.enums import Criterion
from models.progress import SUPPORT_DECISION, THREAT_ASSESSMENT
from models.tables import Case, ThreatAssessment
from models.waits import AgencySubject
from services.agency import Personal, Recorded


def wire_subject(person: Personal) -> Subject:
    # The name only where the purpose table gives it (never for a protected person).
    return Subject(identity_number=person.identity_number, name=person.name)


class AsksForThreatAssessment:
    """Asking the police for an assessment and collecting it: the first one and each
    re-assessment (`services.threat`) alike; they differ in what the answer does."""

    def body(self, session: Session, case: Case, person: Personal, *, key: str,
             at: datetime) -> ThreatAssessmentRequest:
        return ThreatAssessmentRequest(case_number=case.case_number, subject=wire_subject(person),
                                       placing_municipality=case.placing_municipality,
                                       milieu=case.milieu)

    def submit(self, ports: AgencyPorts, *, key: str,
               body: ThreatAssessmentRequest) -> SubmittedRequest:
        return ports.police.request_threat_assessment(idempotency_key=key, request=body)

    def poll(self, ports: AgencyPorts, *, external_id: str) -> ThreatAssessmentResult | None:
        result = ports.police.get_threat_assessment(request_id=external_id)
        return result if result.status == "completed" and result.level is not None else None


@dataclass(frozen=True)
class ThreatAssessmentStep(AsksForThreatAssessment):
    subject: AgencySubject = THREAT_ASSESSMENT

    def record(self, session: Session, case: Case, answer: ThreatAssessmentResult, *,
               at: datetime) -> Recorded:
        session.execute(
            insert(ThreatAssessment)
            .values(case_id=case.id, level=answer.level, exclusion_zones=answer.exclusion_zones,
                    relocation_required=bool(answer.relocation_required),
                    valid_until=answer.valid_until, received_at=at, request_id=answer.request_id)
            .on_conflict_do_nothing(index_elements=["case_id"]))
        return Recorded("threat assessment received from the police", {})


@dataclass(frozen=True)
class SupportDecisionStep:
    subject: AgencySubject = SUPPORT_DECISION

    def body(self, session: Session, case: Case, person: Personal, *, key: str,
             at: datetime) -> SupportDecisionRequest:
        return SupportDecisionRequest(case_number=case.case_number, subject=wire_subject(person),
                                      municipality_code=case.placing_municipality)

    def submit(self, ports: AgencyPorts, *, key: str,
               body: SupportDecisionRequest) -> SubmittedRequest:
        return ports.social_services.request_support_decision(idempotency_key=key, request=body)

    def poll(self, ports: AgencyPorts, *, external_id: str) -> SupportDecisionResult | None:
        result = ports.social_services.get_support_decision(request_id=external_id)
        return result if result.status == "decided" and result.decision is not None else None

    def record(self, session: Session, case: Case, answer: SupportDecisionResult, *,
               at: datetime) -> Recorded:
        answers.upsert(session, case_id=case.id, criterion=Criterion.SOCIAL_SERVICES_DECIDED,
                       holds=answer.decision == "granted", recorded_by=SUPPORT_DECISION.agency,
                       at=at)
        return Recorded(f"social services decided on support: {answer.decision}",
                        {"decision": answer.decision, "interventions": answer.interventions})
