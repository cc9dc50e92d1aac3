"""Markdown artifacts for operators: what a case waits for. Case numbers only."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from tasks.cases import CaseSnapshot


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
