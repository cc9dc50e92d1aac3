"""collect-agency-answers: fetch answers the agencies have ready, wake the cases.

Agencies answer long after they are asked (a threat assessment takes time). This
scheduled flow looks at every open agency wait, collects the answers that are in
(`services.agency.collect_open`, the same agency steps the case's run uses), and wakes
the case's flow. Around it, the threat assessments' validity (`services.threat`):
renewals due are asked for before, and a renewed assessment's rules re-applied after.
Deployed on an interval by `deployments/registry.py`.
"""

from __future__ import annotations

from typing import Any

from prefect import flow

from adapters.logs import configure_logging, get_logger
from adapters.registry import agency_ports
from flows.resume import wake_case
from services import threat
from services.agency import collect_open
from services.plan_delivery import send_plans
from services.runtime import runtime


@flow(name="collect-agency-answers", persist_result=False)
def collect_agency_answers(wake: bool = True) -> dict[str, Any]:
    configure_logging()
    rt = runtime()
    with agency_ports(rt.settings) as ports:
        asked = threat.request_due(rt, ports)
        # The approved plans still unsent to participating agencies first, so that their
        # acknowledgements are collected with the other answers.
        delivered = send_plans(rt, ports)
        report = collect_open(rt, ports)
        renewed = threat.apply_renewed(rt, ports)
    woken = [wake_case(rt, case_id) for case_id in sorted(report.answered)] if wake else []
    get_logger().info("agency_answers.collected", answered=len(report.answered),
                      failed=report.failed)
    return {"answered": len(report.answered), "failed": report.failed, "woken": woken,
            "reassessments_requested": asked.requested,
            "relocations_wanted": renewed.relocations_wanted,
            "protections_strengthened": renewed.protections_strengthened,
            "plans_sent": delivered.sent}
