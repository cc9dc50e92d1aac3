"""What the case page shows of decisions that took effect: who is responsible for the
case today and over time (who pays), and the action plan's versions. Each is read
through the case service's own route function (the same policy check, journaled before
it is read) and only when the policy lets the viewer see it; what the viewer may not
see is never read. The municipality where the person stays (the destination) is left
out: it is shown only on request ("Visa destination och adress").

The relapse report's form (`_relapse_report.html`) is answered by
`caseservice/console/answers.py` like every form on the page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from caseservice.console.web import Viewer, attempt
from caseservice.routes import plan_people, relocation
from models.reference.loader import load_municipalities
from services.access.policy import Action

ROLES = {"residence": "Ansvarig kommun", "costs": "Betalar"}
STATUS = {"approved": "godkänd", "draft": "utkast"}


@cache
def _names() -> dict[str, str]:
    return {m.code: m.name for m in load_municipalities()}


def municipality(code: str) -> str:
    """`Göteborg (1480)`: the name from the reference data, with its code."""
    name = _names().get(code)
    return f"{name} ({code})" if name else code


def reason_sv(reason: str) -> str:
    """A plan version's reason as the services write it, in Swedish where known."""
    if reason == "first plan":
        return "Första planen"
    if reason == "approved again":
        return "Godkänd på nytt"
    if reason == "reopened":
        return "Ärendet återöppnades"
    found = re.fullmatch(r"relapse flag (\d+) assessed: adjust the plan", reason)
    if found:
        return f"Återfall (flagga {found.group(1)}) bedömt: justera planen"
    return reason


@dataclass(frozen=True)
class Held:
    role: str
    municipality: str
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True)
class Responsibility:
    responsible: str
    costs: str
    periods: list[Held]


@dataclass(frozen=True)
class Version:
    version: int
    status: str
    reason: str
    interventions: int
    cost_sek: int | None
    approved_by: str | None


def sections(who: Viewer, case_number: str, can: set[str]) -> dict[str, Any]:
    """`responsibility` and `plan_versions` for the case page (None / [] when the
    policy does not let this viewer read them)."""
    found: dict[str, Any] = {"responsibility": None, "plan_versions": [],
                             "today": who.ctx.rt.now().date()}
    if Action.RESPONSIBILITY.value in can:
        held = attempt(lambda: relocation.responsibility_view(case_number, who.ctx))
        found["responsibility"] = Responsibility(
            municipality(held.responsible), municipality(held.costs),
            [Held(ROLES[p.role], municipality(p.municipality), p.valid_from, p.valid_to)
             for p in held.periods if p.role in ROLES])
    if Action.PLAN_HISTORY.value in can:
        found["plan_versions"] = [
            Version(v.version, STATUS.get(v.status, v.status), reason_sv(v.reason),
                    v.interventions, v.cost_sek, v.approved_by)
            for v in attempt(lambda: plan_people.versions(case_number, who.ctx))]
    return found
