"""Police tasks: request the threat assessment, collect it when it is done."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from prefect import task
from sqlalchemy.dialects.postgresql import insert

from adapters import repo
from adapters.db import unit_of_work
from adapters.logs import get_logger
from adapters.police.port import PolicePort
from models.tables import ThreatAssessment
from tasks.agency import AGENCY_TASK_OPTIONS, Disclosure, SendOutcome, mark_answered, send_request
from tasks.agency import sent_request as _sent

AGENCY, KIND = "police", "threat_assessment"


@task(name="request-threat-assessment", **AGENCY_TASK_OPTIONS)
def request_threat_assessment(case_id: uuid.UUID, police: PolicePort) -> SendOutcome:
    def submit(d: Disclosure) -> object:
        return police.request_threat_assessment(
            idempotency_key=d.key, case_number=d.case_number, subject=d.subject,
            placing_municipality=d.municipality, milieu=d.milieu)

    return send_request(case_id, agency=AGENCY, kind=KIND, submit=submit)  # type: ignore[arg-type]


@task(name="collect-threat-assessment", **AGENCY_TASK_OPTIONS)
def collect_threat_assessment(case_id: uuid.UUID, police: PolicePort) -> bool:
    """True once the assessment is stored; False while the police are still on it."""
    request = _sent(case_id, agency=AGENCY, kind=KIND)
    if request is None or request.external_id is None:
        return False
    if request.status == "answered":
        return True
    result = police.get_threat_assessment(request_id=request.external_id)
    if result.status != "completed" or result.level is None:
        return False
    with unit_of_work() as session:
        case = repo.get_case(session, case_id, lock=True)
        session.execute(
            insert(ThreatAssessment)
            .values(case_id=case_id, level=result.level, exclusion_zones=result.exclusion_zones,
                    relocation_required=bool(result.relocation_required),
                    valid_until=result.valid_until, received_at=datetime.now(UTC),
                    request_id=result.request_id)
            .on_conflict_do_nothing(index_elements=["case_id"])
        )
        mark_answered(session, case, agency=AGENCY, kind=KIND,
                      reason="threat assessment received from the police")
    get_logger(case_number=case.case_number).info("police.threat_assessment_received")
    return True
