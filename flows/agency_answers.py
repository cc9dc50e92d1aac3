"""collect-agency-answers: fetch answers the agencies have ready, wake the cases.

Agencies answer long after they are asked (a threat assessment takes time). This
scheduled flow looks at every open agency wait, collects the answers that are in,
and wakes the case's flow. Deployed on an interval by `deployments/registry.py`.
"""

from __future__ import annotations

import uuid
from typing import Any

from prefect import flow

from adapters.errors import AgencyError
from adapters.logs import configure_logging, get_logger
from adapters.registry import AgencyClients, agency_clients
from flows.resume import wake_case
from tasks.grants import collect_grant_decision
from tasks.hand_over import collect_hand_over
from tasks.meeting import KIND as MEETING_INVITATION
from tasks.meeting import collect_sign_off
from tasks.police import collect_threat_assessment
from tasks.protection import KIND as PROTECTION_KIND
from tasks.protection import collect_protection_decision
from tasks.social_services import collect_support_decision
from tasks.waits import open_agency_waits


def _collect(case_id: uuid.UUID, subject: str, clients: AgencyClients) -> bool:
    if subject == "police:threat_assessment":
        return collect_threat_assessment(case_id, clients.police)
    if subject == "social_services:support_decision":
        return collect_support_decision(case_id, clients.social_services) is not None
    if subject == "police:grant_application" and clients.police_grants is not None:
        return collect_grant_decision(case_id, clients.police_grants) == "decided"
    if subject == f"tax_agency:{PROTECTION_KIND}" and clients.tax_agency is not None:
        return collect_protection_decision(case_id, clients.tax_agency)
    agency, _, kind = subject.partition(":")
    if kind == MEETING_INVITATION and agency in clients.invitations:
        return collect_sign_off(case_id, clients.invitations[agency])
    if kind.startswith("hand_over_") and agency in clients.invitations:
        return collect_hand_over(case_id, purpose=kind.removeprefix("hand_over_"),
                                 port=clients.invitations[agency])
    return False


@flow(name="collect-agency-answers", persist_result=False)
def collect_agency_answers(wake: bool = True) -> dict[str, Any]:
    configure_logging()
    log = get_logger()
    answered: set[uuid.UUID] = set()
    failed = 0
    with agency_clients() as clients:
        for case_id, subject in open_agency_waits():
            try:
                if _collect(case_id, subject, clients):
                    answered.add(case_id)
            except AgencyError:
                failed += 1
    woken = {str(case_id): wake_case(case_id) for case_id in answered} if wake else {}
    log.info("agency_answers.collected", answered=len(answered), failed=failed)
    return {"answered": len(answered), "failed": failed, "woken": list(woken.values())}
