"""The task that announces relapse flags: the Prefect event `utvag.relapse.flagged` per
flag (case number, flag id and municipality code only) and the coordinators' notice,
over `services.relapse_events`."""

from __future__ import annotations

import uuid
from contextlib import ExitStack
from typing import Any

import httpx
from prefect import task
from prefect.events import emit_event

from adapters.coordinators.client import WebhookCoordinatorNotifier
from services import relapse_events
from services.runtime import Runtime
from tasks.opaque import agency_errors_opaque
from tasks.retry import DB_TASK_OPTIONS


def relapse_event(*, case_number: str, municipality: str,
                  flag_id: int) -> tuple[dict[str, str], dict[str, Any]]:
    """The event's resource and payload: the case number, the flag and the municipality
    code, nothing personal (the automation matches `utvag.case.*`)."""
    return ({"prefect.resource.id": f"utvag.case.{case_number}",
             "prefect.resource.name": case_number, "utvag.municipality": municipality},
            {"flag_id": flag_id, "municipality": municipality})


def emit_relapse_event(*, event_id: uuid.UUID, case_number: str, municipality: str,
                       flag_id: int) -> None:
    resource, payload = relapse_event(case_number=case_number, municipality=municipality,
                                      flag_id=flag_id)
    emit_event(event=relapse_events.EVENT, id=event_id, resource=resource, payload=payload)


@task(name="announce-relapses", **DB_TASK_OPTIONS)
def announce_relapses(rt: Runtime) -> relapse_events.Announced:
    """Emit and notify every flag not yet announced (each once, by its flag id)."""
    url = rt.settings.coordinator_webhook_url
    with ExitStack() as stack, agency_errors_opaque():
        notifier = None
        if url:
            client = stack.enter_context(httpx.Client(timeout=httpx.Timeout(10.0)))
            notifier = WebhookCoordinatorNotifier(client, path=url)
        return relapse_events.announce_relapses(rt, emit=emit_relapse_event, notifier=notifier)
