"""Protected personal data after a relocation: the request to the Tax Agency and its
decision. One side effect per task.

The measure follows the threat assessment (`models.relocation.protection_measure`). The
request is an agency request like the others: sent only with recorded consent for the
Tax Agency, its disclosure journaled (identity number only), at most once by key. It
never carries the destination or the address: the Tax Agency protects the person's data
without Utväg telling it where the person lives.
"""

from __future__ import annotations

import uuid

from prefect import task
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import select

from adapters import repo
from adapters.common import SubmittedRequest
from adapters.db import unit_of_work
from adapters.logs import get_logger
from adapters.tax_agency.port import TaxAgencyPort
from adapters.tax_agency.schemas import ProtectionRequest as WireRequest
from adapters.tax_agency.schemas import ProtectionSubject
from models.during_tables import ProtectionRequest
from models.journal import Kind
from models.relocation import protection_measure, stronger_protection
from models.tables import Person, ThreatAssessment
from tasks.agency import AGENCY_TASK_OPTIONS, Disclosure, SendOutcome, mark_answered, send_request
from tasks.agency import sent_request as _sent
from tasks.cases import now

AGENCY, KIND = "tax_agency", "protected_personal_data"


@task(name="request-protected-personal-data", **AGENCY_TASK_OPTIONS)
def request_protection(case_id: uuid.UUID, port: TaxAgencyPort) -> SendOutcome:
    """Ask the Tax Agency for the measure the threat assessment calls for."""
    with unit_of_work() as session:
        level = session.exec(select(ThreatAssessment.level).where(
            ThreatAssessment.case_id == case_id)).one()
    measure = protection_measure(level)

    def submit(d: Disclosure) -> SubmittedRequest:
        # The identity number is all the register needs: no name, and never an address.
        body = WireRequest.model_validate({
            "case_number": d.case_number,
            "subject": ProtectionSubject(identity_number=d.subject.identity_number),
            "measure": measure.value, "requesting_municipality": d.municipality,
            "threat_level": level})
        return port.request_protection(idempotency_key=d.key, request=body)

    outcome = send_request(case_id, agency=AGENCY, kind=KIND, submit=submit,
                           fields=("identity_number",))
    if outcome == "sent":
        # After the send, so a rerun after a crash in between still records it.
        with unit_of_work() as session:
            session.execute(insert(ProtectionRequest).values(
                case_id=case_id, measure=measure.value, status="requested",
                requested_at=now()).on_conflict_do_nothing(index_elements=["case_id"]))
    return outcome


@task(name="collect-protection-decision", **AGENCY_TASK_OPTIONS)
def collect_protection_decision(case_id: uuid.UUID, port: TaxAgencyPort) -> bool:
    """True once the Tax Agency has decided (granted or rejected) and it is recorded."""
    request = _sent(case_id, agency=AGENCY, kind=KIND)
    if request is None or request.external_id is None:
        return False
    if request.status == "answered":
        return True
    decision = port.get_decision(request_id=request.external_id)
    if decision.status == "pending":
        return False
    at = now()
    with unit_of_work() as session:
        case = repo.get_case(session, case_id, lock=True)
        row = session.exec(select(ProtectionRequest).where(
            ProtectionRequest.case_id == case_id).with_for_update()).one()
        measure = decision.measure or row.measure
        row.status, row.rejection_reason = decision.status, decision.rejection_reason
        row.decided_at = decision.decided_at or at
        session.add(row)
        if decision.status == "granted":
            person = session.exec(select(Person).where(Person.id == case.person_id)).one()
            person.protection_level = stronger_protection(person.protection_level,
                                                          measure).value
            session.add(person)
        # The measure tells how grave the threat is: in the data, not in the reason, which
        # the step artifacts in Prefect show.
        text = ("Tax Agency granted protected personal data" if decision.status == "granted"
                else f"Tax Agency rejected protected personal data: "
                     f"{decision.rejection_reason}")
        data = {"measure": measure, "status": decision.status,
                "rejection_reason": decision.rejection_reason}
        mark_answered(session, case, agency=AGENCY, kind=KIND, reason=text, data=data)
        repo.journal(session, case, kind=Kind.PROTECTION_DECIDED, actor=AGENCY, at=at,
                     reason=text, data=data)
    get_logger(case_number=case.case_number).info("protection.decided", status=decision.status)
    return True
