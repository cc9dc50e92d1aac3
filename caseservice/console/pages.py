"""Mina ärenden, Ärendet and the case's waits (the fragment the page polls).

Every read goes through the case service's own route functions and the access policy
(`Context.case` / `Context.allow`: journaled before the data is read), or, for one
case's line of the caseload, `Context.allow` and `services.access.caseload`; nothing
here queries a table."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from caseservice.console import after_effects, labels
from caseservice.console.web import (
    PREFIX,
    PageNotFound,
    Viewer,
    attempt,
    config_of,
    render,
    see_other,
    viewer,
)
from caseservice.deps import CASE_NUMBER, Context
from caseservice.routes import cases
from models.action_plan import InterventionKind
from models.enums import Agency, Criterion, Need, NetworkRole
from models.principal import Role
from services import action_plan, views
from services.access import caseload
from services.access.caseload import CaseLine
from services.access.policy import Action, Relation, allowed
from services.access.scoped import scoped, view_fields
from services.views import CaseNotFound, CaseView

router = APIRouter(prefix=PREFIX, include_in_schema=False)
CASE_ROLES = frozenset({Role.COORDINATOR, Role.SOCIAL_HANDLER, Role.POLICE_CONTACT,
                        Role.POLICE_REGIONAL, Role.AGENCY_STAFF})
OWNERS_OR_GLASS = {"placing", "receiving", "police", "break_glass"}
PERSON_WAITS = frozenset({"agency_answer"})  # waits on an agency, not on a person here


def _urgency(line: cases.CaseLineOut) -> tuple[int, str, str]:
    """What needs action first: overdue, then a wait on us by deadline, then waits on an
    agency, then nothing to do."""
    ours = [w for w in line.waits if w.kind not in PERSON_WAITS]
    if any(w.overdue for w in line.waits):
        rank = 0
    elif ours:
        rank = 1
    elif line.waits:
        rank = 2
    else:
        rank = 3
    first = min((w.deadline for w in line.waits), default=None)
    return rank, first.isoformat() if first else "9999", line.case_number


@router.get("/")
def my_cases(request: Request, phase: str = "", status: str = "") -> Response:
    who = viewer(request)
    if not who.principal.roles & CASE_ROLES:
        nav = labels.nav_for(who.principal)
        return see_other(PREFIX + nav[0][0] if nav else PREFIX + "/signed-out")
    lines = attempt(lambda: cases.my_cases(who.ctx))
    shown = [c for c in lines if (not phase or c.phase == phase)
             and (not status or c.status == status)]
    shown.sort(key=_urgency)
    return render(request, "my_cases.html", {
        "lines": shown, "total": len(lines), "phase": phase, "status": status,
        "phases": ["before", "during", "after"],
        "statuses": ["open", "waiting", "blocked", "admitted", "closed"]}, who=who)


@dataclass(frozen=True)
class Shown:
    view: CaseView
    relations: frozenset[Relation]
    masked: bool


def show_case(ctx: Context, case: str) -> Shown:
    """The case view exactly as `GET /api/v1/cases/{case}` gives it: authorized and
    journaled first (the fields the viewer's part carries), cut to the viewer's part,
    the identity masked where protection applies."""
    found = attempt(lambda: ctx.case(Action.CASE_SHOW, case, fields=view_fields))
    try:
        view = views.case_view(ctx.rt, found.case_id, viewer=ctx.by,
                               purpose=f"case shown to {ctx.principal.organisation}")
    except CaseNotFound:
        raise PageNotFound() from None
    return Shown(scoped(view, found), found.relations, found.masked)


def can(who: Viewer, relations: frozenset[Relation] | set[str]) -> set[str]:
    """The actions on this case the policy allows this person (to show their forms)."""
    rel = frozenset(Relation(r) for r in relations)
    return {a.value for a in Action if allowed(a, who.principal.roles, rel)}


def waits_context(who: Viewer, case_number: str, phase: str, status: str,
                  waits: list[Any], relations: frozenset[Relation] | set[str]) -> dict[str, Any]:
    vetted = [p.name for p in action_plan.providers(who.ctx.rt) if p.vetted_on]
    digest = hashlib.sha256(repr([(w.kind, w.subject, str(w.since)) for w in waits]
                                 + [phase, status]).encode()).hexdigest()[:16]
    return {"case_number": case_number, "phase": phase, "status": status, "waits": waits,
            "can": can(who, relations), "vetted": vetted, "version": digest,
            "criteria": list(Criterion), "agencies": list(Agency), "needs": list(Need),
            "network": list(NetworkRole), "interventions": list(InterventionKind)}


def case_line(who: Viewer, case: str) -> CaseLine | None:
    """The line `GET /api/v1/cases` gives this one case (None when it is not in the
    viewer's caseload), journaled as that list read is, without building the others."""
    def read() -> CaseLine | None:
        who.ctx.allow(Action.CASE_LIST)
        return caseload.case_line(who.ctx.rt, who.ctx.principal, case)
    return attempt(read)


def case_page(request: Request, who: Viewer, case: str, *, errors: dict[str, str] | None = None,
              form: str = "", values: dict[str, Any] | None = None,
              destination: tuple[str, str] | None = None, status_code: int = 200
              ) -> HTMLResponse:
    if who.principal.has(Role.AGENCY_STAFF) and not who.principal.roles & (
            CASE_ROLES - {Role.AGENCY_STAFF}):
        disclosed = attempt(lambda: cases.disclosed(case, who.ctx))
        return render(request, "disclosed.html", {"d": disclosed}, who=who)
    if who.principal.roles & {Role.COORDINATOR, Role.SOCIAL_HANDLER}:
        line = case_line(who, case)
        if line is not None and not set(line.relations) & OWNERS_OR_GLASS:
            # Only the destination (before accepting the transfer): the waits it answers,
            # no personal data.
            context = waits_context(who, line.case_number, line.phase, line.status,
                                    line.waits, set(line.relations))
            return render(request, "case_limited.html", {
                **context, "errors": errors or {}, "form": form, "values": values or {},
                "done": request.query_params.get("done", ""),
                "poll": config_of(request).poll_seconds}, who=who, status=status_code)
    shown = show_case(who.ctx, case)
    view = shown.view
    phases: dict[str, list[Any]] = {"before": [], "during": [], "after": []}
    for entry in view.timeline:
        phases.setdefault(entry.phase, []).append(entry)
    context = waits_context(who, view.case_number, view.phase, view.status, view.waits,
                            shown.relations)
    return render(request, "case.html", {
        **context, **after_effects.sections(who, view.case_number, context["can"]),
        "v": view, "masked": shown.masked, "timeline": phases,
        "errors": errors or {}, "form": form, "values": values or {},
        "destination": destination, "done": request.query_params.get("done", ""),
        "poll": config_of(request).poll_seconds}, who=who, status=status_code)


def _check(case: str) -> str:
    import re

    if not re.fullmatch(CASE_NUMBER, case):
        raise PageNotFound()
    return case


@router.get("/cases/{case}")
def case(request: Request, case: str) -> HTMLResponse:
    who = viewer(request)
    return case_page(request, who, _check(case))


@router.get("/cases/{case}/fragment")
def waits_fragment(request: Request, case: str) -> HTMLResponse:
    """The case's waits and their forms, for the page's polling: from the caseload (no
    personal data, journaled as a list read), never the whole case view again."""
    who = viewer(request)
    case = _check(case)
    line = case_line(who, case)
    if line is None:
        raise PageNotFound()
    context = waits_context(who, line.case_number, line.phase, line.status, line.waits,
                            set(line.relations))
    return render(request, "waits.html", {**context, "errors": {}, "form": "",
                                          "values": {}}, who=who)
