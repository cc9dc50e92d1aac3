"""Markdown artifacts for operators: what each step did and what a case waits for.
Case numbers only."""

from __future__ import annotations

import uuid

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from adapters import repo
from adapters.db import unit_of_work
from tasks.cases import CaseSnapshot, snapshot


def artifact_key(case_number: str, what: str) -> str:
    return f"{case_number.lower()}-{what}"


def waits_markdown(case: CaseSnapshot) -> str:
    lines = [
        f"## {case.case_number}: {case.phase} phase, {case.status}",
        "",
        "| waits for | subject | since | deadline |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {w.kind} | {w.subject} | {w.opened_at:%Y-%m-%d %H:%M} | {w.deadline:%Y-%m-%d} |"
        for w in case.open_waits
    ]
    if not case.open_waits:
        lines.append("| nothing | | | |")
    lines += ["", "Answer with `utvag case decide` / `utvag case consent`, or resume this run "
              "in the UI and fill in the form."]
    return "\n".join(lines)


@task(name="publish-waits", cache_policy=NO_CACHE, persist_result=False)
def publish_waits(case: CaseSnapshot) -> None:
    create_markdown_artifact(
        key=artifact_key(case.case_number, "waits"),
        markdown=waits_markdown(case),
        description=f"What {case.case_number} waits for",
    )


def step_markdown(case: CaseSnapshot, *, step: str, reason: str,
                  happened: list[tuple[str, str]]) -> str:
    """One step of a run: what happened (journal kinds and reasons), what it waits for."""
    lines = [f"## {case.case_number}: {step}" + (f" ({reason})" if reason else ""), "",
             "| what happened | |", "|---|---|"]
    lines += [f"| {kind} | {text} |" for kind, text in happened] or ["| nothing new | |"]
    lines += ["", waits_markdown(case)]
    return "\n".join(lines)


@task(name="publish-step", cache_policy=NO_CACHE, persist_result=False)
def publish_step(case_id: uuid.UUID, *, step: str, reason: str, since: int) -> None:
    """A markdown artifact per step of the run; journal reasons hold no personal data."""
    with unit_of_work() as session:
        entries = repo.journal_entries(session, case_id)[since:]
    case = snapshot(case_id)
    create_markdown_artifact(
        key=artifact_key(case.case_number, "steps"),
        markdown=step_markdown(case, step=step, reason=reason,
                               happened=[(e.kind, e.reason) for e in entries]),
        description=f"{case.case_number}: what the last step did and what the case waits for",
    )
