"""Markdown artifacts for operators: what each step did and what a case waits for,
rendered by `services.operator_view` (opaque: case numbers and counts only)."""

from __future__ import annotations

import uuid

from prefect import task
from prefect.artifacts import create_markdown_artifact

from services import operator_view, snapshot
from services.runtime import Runtime
from tasks.retry import PLAIN


def artifact_key(case_number: str, what: str) -> str:
    return f"{case_number.lower()}-{what}"


def _waits_text(rt: Runtime, case_id: uuid.UUID) -> tuple[str, str, int]:
    view = snapshot.operator_lines(rt, case_id)
    return (view.case_number,
            operator_view.waits_markdown(view.case_number, view.phase, view.status, view.waits),
            view.journal_count)


@task(name="publish-waits", **PLAIN)
def publish_waits(case_id: uuid.UUID, rt: Runtime) -> None:
    number, text, _ = _waits_text(rt, case_id)
    create_markdown_artifact(key=artifact_key(number, "waits"), markdown=text,
                             description=f"What {number} waits for")


@task(name="publish-step", **PLAIN)
def publish_step(case_id: uuid.UUID, step: str, since: int, rt: Runtime) -> None:
    number, text, count = _waits_text(rt, case_id)
    create_markdown_artifact(
        key=artifact_key(number, "steps"),
        markdown=operator_view.step_markdown(number, step=step, entries=count - since,
                                             waits_text=text),
        description=f"{number}: what the last step did and what the case waits for")
