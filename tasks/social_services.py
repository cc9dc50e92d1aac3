"""Social services tasks: ask for the decision on support interventions (the
sixth eligibility criterion) and collect it."""

from __future__ import annotations

import uuid
from typing import Literal

from prefect import task

from adapters import repo
from adapters.db import unit_of_work
from adapters.logs import get_logger
from adapters.social_services.port import SocialServicesPort
from models.enums import Criterion
from tasks.agency import AGENCY_TASK_OPTIONS, Disclosure, SendOutcome, mark_answered, send_request
from tasks.agency import sent_request as _sent
from tasks.cases import now

AGENCY, KIND = "social_services", "support_decision"
Decision = Literal["granted", "refused"]


@task(name="request-support-decision", **AGENCY_TASK_OPTIONS)
def request_support_decision(case_id: uuid.UUID, social: SocialServicesPort) -> SendOutcome:
    def submit(d: Disclosure) -> object:
        return social.request_support_decision(
            idempotency_key=d.key, case_number=d.case_number, subject=d.subject,
            municipality_code=d.municipality)

    return send_request(case_id, agency=AGENCY, kind=KIND, submit=submit)  # type: ignore[arg-type]


@task(name="collect-support-decision", **AGENCY_TASK_OPTIONS)
def collect_support_decision(case_id: uuid.UUID, social: SocialServicesPort) -> Decision | None:
    """The decision once made; None while social services are still deciding."""
    request = _sent(case_id, agency=AGENCY, kind=KIND)
    if request is None or request.external_id is None:
        return None
    if request.status == "answered":
        with unit_of_work() as session:
            holds = repo.answers(session, case_id).get(Criterion.SOCIAL_SERVICES_DECIDED)
        return "granted" if holds else "refused"
    result = social.get_support_decision(request_id=request.external_id)
    if result.status != "decided" or result.decision is None:
        return None
    granted = result.decision == "granted"
    with unit_of_work() as session:
        case = repo.get_case(session, case_id, lock=True)
        repo.upsert_answer(session, case_id=case_id, criterion=Criterion.SOCIAL_SERVICES_DECIDED,
                           holds=granted, note=f"decision: {result.decision}",
                           recorded_by=AGENCY, at=now())
        mark_answered(session, case, agency=AGENCY, kind=KIND,
                      reason=f"social services decided on support: {result.decision}",
                      data={"decision": result.decision, "interventions": result.interventions})
    get_logger(case_number=case.case_number).info("social_services.decided",
                                                   decision=result.decision)
    return result.decision
