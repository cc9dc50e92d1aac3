"""Automations `utvag deploy` creates: what must reach an operator at once.

- a wait past its deadline (`utvag.wait.overdue`, emitted by flag-overdue-waits);
- a flow run that crashed or failed (e.g. a case blocked by an agency's refusal);
- a relapse flag (`utvag.relapse.flagged`, emitted once per flag by register-sweep's
  `announce-relapses` task, `services/relapse_events.py`).

Each sends a notification through one Prefect notification block of the
operator's choice (Slack, Teams, e-mail, a custom webhook...): `--notify-block
TYPE/NAME` names an existing block; `--notify-webhook URL` creates (or updates) a
custom webhook block `utvag-operators`. Messages carry case numbers, run names,
whether a person or an agency is late, and states only. Re-deploying replaces
the automations by name.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import cast

from prefect.automations import Automation
from prefect.blocks.notifications import CustomWebhookNotificationBlock
from prefect.client.orchestration import get_client
from prefect.events.actions import SendNotification
from prefect.events.schemas.automations import EventTrigger, Posture

WEBHOOK_BLOCK = "utvag-operators"


@dataclass(frozen=True)
class Alert:
    name: str
    expect: frozenset[str]
    match: dict[str, str]
    subject: str
    body: str


ALERTS = (
    Alert("utvag: wait overdue", frozenset({"utvag.wait.overdue"}),
          {"prefect.resource.id": "utvag.case.*"},
          "Utväg: {{ event.resource.name }} waits past its deadline",
          # The payload of flows/overdue.py: who is late (a person or an agency) and
          # the deadline; never what the wait is about.
          "{{ event.resource.name }} has waited past {{ event.payload.deadline }} for an "
          "answer from {{ event.payload.waits_for }}."),
    Alert("utvag: run crashed or failed",
          frozenset({"prefect.flow-run.Crashed", "prefect.flow-run.Failed"}),
          {"prefect.resource.id": "prefect.flow-run.*"},
          "Utväg: flow run {{ event.resource.name }} {{ event.event.split('.')[-1] }}",
          "Flow run {{ event.resource.name }} ended {{ event.event.split('.')[-1] }}: "
          "{{ event.payload.validated_state.message if event.payload.validated_state "
          "else '' }}"),
    Alert("utvag: relapse flagged", frozenset({"utvag.relapse.flagged"}),
          {"prefect.resource.id": "utvag.case.*"},
          "Utväg: relapse flagged for {{ event.resource.name }}",
          "A relapse was flagged for {{ event.resource.name }}: see the case in Utväg."),
)


def webhook_block(url: str) -> uuid.UUID:
    """The custom webhook block that posts {subject, body} as JSON to `url`."""
    block = CustomWebhookNotificationBlock(
        name=WEBHOOK_BLOCK, url=url, json_data={"subject": "{{subject}}", "body": "{{body}}"})
    return cast(uuid.UUID, block.save(WEBHOOK_BLOCK, overwrite=True))


def named_block(slug: str) -> uuid.UUID:
    """An operator's existing notification block, given as `block-type/name`."""
    block_type, _, name = slug.partition("/")
    if not name:
        raise ValueError("notify-block: give it as BLOCK_TYPE/NAME, e.g. slack-webhook/ops")
    with get_client(sync_client=True) as client:
        return client.read_block_document_by_name(name, block_type_slug=block_type).id


def create_automations(block_document_id: uuid.UUID) -> list[str]:
    """Create (or replace) every alert; returns their names."""
    with get_client(sync_client=True) as client:
        for alert in ALERTS:
            for old in client.read_automations_by_name(alert.name):
                client.delete_automation(old.id)
    for alert in ALERTS:
        Automation(
            name=alert.name,
            trigger=EventTrigger(expect=set(alert.expect), match=alert.match,
                                 posture=Posture.Reactive, threshold=1),
            actions=[SendNotification(block_document_id=block_document_id,
                                      subject=alert.subject, body=alert.body)],
        ).create()
    return [alert.name for alert in ALERTS]
