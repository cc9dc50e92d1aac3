"""flag-overdue-waits: journal and announce every wait past its deadline, once.

Emits a Prefect event `utvag.wait.overdue` per newly overdue wait (automations can
notify on it) and a table artifact of all overdue waits: case numbers, whether a person
or an agency is late, and the deadline; nothing that tells a category. Deployed on an
interval by `deployments/registry.py`.
"""

from __future__ import annotations

from typing import Any

from prefect import flow
from prefect.artifacts import create_table_artifact
from prefect.events import emit_event

from adapters.logs import configure_logging, get_logger
from services.operator_view import party
from services.provider_watch import check_lapsed
from services.runtime import runtime
from services.waits import flag_overdue_waits


@flow(name="flag-overdue-waits", persist_result=False)
def flag_overdue() -> dict[str, Any]:
    configure_logging()
    rt = runtime()
    # A provider's lapsed follow-up is a deadline too: its cases get a wait (once each).
    provider_concerns = check_lapsed(rt)
    newly, overdue = flag_overdue_waits(rt)
    for row in newly:
        emit_event(
            event="utvag.wait.overdue",
            resource={"prefect.resource.id": f"utvag.case.{row.case_number}",
                      "prefect.resource.name": row.case_number},
            payload={"waits_for": party(row.kind), "deadline": row.deadline.isoformat()},
        )
    create_table_artifact(
        key="overdue-waits",
        table=[{"case_number": r.case_number, "waits_for": party(r.kind),
                "since": r.since.isoformat(), "deadline": r.deadline.isoformat()}
               for r in overdue],
        description="Waits past their deadline (case numbers only)")
    get_logger().info("waits.overdue", newly=len(newly), total=len(overdue))
    return {"newly_overdue": len(newly), "overdue": len(overdue),
            "provider_concerns": provider_concerns}
