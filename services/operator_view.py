"""What operators see of a case in Prefect: opaque and counted.

Run artifacts carry the case number, the phase, what kind of party the case waits for
(a person or an agency), since when and until when, and how many journal entries a step
wrote: never a name, an agency that would tell a sensitive category (health care, SiS),
a criterion, an outcome or a relapse. Operators read the rest in the case service.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from models.enums import WaitKind

AGENCY_WAITS = frozenset({WaitKind.AGENCY_ANSWER})


@dataclass(frozen=True)
class WaitLine:
    party: str  # "person" or "agency"
    since: datetime
    deadline: datetime


def party(kind: str) -> str:
    return "agency" if kind in AGENCY_WAITS else "person"


def waits_markdown(case_number: str, phase: str, status: str,
                   waits: Sequence[WaitLine]) -> str:
    lines = [f"## {case_number}: {phase} phase, {status}", "",
             "| waits for | since | deadline |", "|---|---|---|"]
    lines += [f"| {w.party} | {w.since:%Y-%m-%d %H:%M} | {w.deadline:%Y-%m-%d} |"
              for w in waits] or ["| nothing | | |"]
    lines += ["", "Answers are recorded in the case service (or `utvag`); it resumes this run."]
    return "\n".join(lines)


def step_markdown(case_number: str, *, step: str, entries: int, waits_text: str) -> str:
    return "\n".join([f"## {case_number}: {step}", "",
                      f"{entries} journal entries recorded by this step.", "", waits_text])
