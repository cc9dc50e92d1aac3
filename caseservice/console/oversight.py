"""Utförare (providers), Statsbidrag (the grants officer's ledger), Åtkomstlogg (the
auditor) and Nödåtkomst (break-glass), each through the case service's own route
functions and policy."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from caseservice.console.answers import swedish
from caseservice.console.pages import _check
from caseservice.console.web import (
    PREFIX,
    PageNotFound,
    Viewer,
    attempt,
    form_of,
    render,
    see_other,
    viewer,
)
from caseservice.errors import ApiError, field_of
from caseservice.errors import problem as api_problem
from caseservice.routes import cases, during, oversight
from models.action_plan import FollowUpVerdict
from services import action_plan
from services.access.policy import Action

router = APIRouter(prefix=PREFIX, include_in_schema=False)


# -- Utförare ------------------------------------------------------------------------------
def _providers_page(request: Request, who: Viewer, *, errors: dict[str, str] | None = None,
                    form: str = "", values: dict[str, Any] | None = None,
                    status: int = 200) -> Response:
    attempt(lambda: who.ctx.allow(Action.PROVIDER_ADD))
    today = who.ctx.rt.now().date()
    found = action_plan.providers(who.ctx.rt)
    return render(request, "providers.html", {
        "providers": found, "today": today, "verdicts": list(FollowUpVerdict),
        "errors": errors or {}, "form": form, "values": values or {},
        "done": request.query_params.get("done", "")}, who=who, status=status)


@router.get("/providers")
def providers(request: Request) -> Response:
    return _providers_page(request, viewer(request))


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


@router.post("/providers/{form}")
async def provider_form(request: Request, form: str) -> Response:
    who = viewer(request)
    data = await form_of(request, who)
    name = str(data.get("name", "")).strip()
    try:
        if form == "register":
            during.add_provider(during.ProviderBody(name=name), who.ctx)
        elif form == "vet":
            during.vet_provider(during.VettingBody.model_validate({
                "name": name, "on": _day(data.get("on")),
                "follow_up_due": _day(data.get("follow_up_due"))}), who.ctx)
        elif form == "follow-up":
            during.follow_up(during.FollowUpBody.model_validate({
                "name": name, "verdict": data.get("verdict") or None,
                "on": _day(data.get("on")), "next_due": _day(data.get("next_due"))}), who.ctx)
        else:
            raise PageNotFound()
    except ValidationError as exc:
        errors = {field_of(e["loc"]): swedish(api_problem(e)) for e in exc.errors()}
        return _providers_page(request, who, errors=errors, form=form, values=data, status=422)
    except ApiError as exc:
        if exc.status == 404:
            raise PageNotFound() from None
        return _providers_page(request, who, errors={exc.field or "name": swedish(
            "no provider registered by this name" if exc.field == "name" else exc.message)},
            form=form, values=data, status=422)
    return see_other(f"{PREFIX}/providers?done={form}")


# -- Statsbidrag: caseservice/console/reports.py -------------------------------------------


# -- Åtkomstlogg ---------------------------------------------------------------------------
@router.get("/audit")
def audit(request: Request, case: str = "", outcome: str = "") -> Response:
    who = viewer(request)
    case = case.strip().upper()
    if case:
        _check(case)
    wanted: Any = outcome if outcome in ("allowed", "denied", "break_glass") else None
    entries = attempt(lambda: oversight.access_log(who.ctx, case or None, wanted, 200))
    openings = attempt(lambda: oversight.openings(who.ctx))
    return render(request, "audit.html", {
        "entries": entries, "openings": openings, "case": case, "outcome": wanted or "",
        "done": request.query_params.get("done", "")}, who=who)


@router.post("/audit/break-glass/{opening}/review")
async def review(request: Request, opening: int) -> Response:
    who = viewer(request)
    await form_of(request, who)
    if not 1 <= opening <= 2**62:
        raise PageNotFound()
    attempt(lambda: oversight.review(who.ctx, opening))
    return see_other(f"{PREFIX}/audit?done=reviewed")


# -- Nödåtkomst ----------------------------------------------------------------------------
def _hours(who: Viewer) -> str:
    return f"{who.ctx.rt.settings.break_glass_hours:g}".replace(".", ",")


@router.get("/break-glass")
def break_glass_form(request: Request, case: str = "") -> Response:
    who = viewer(request)
    hours = _hours(who)
    return render(request, "break_glass.html", {"case": case, "hours": hours, "errors": {},
                                                "values": {}}, who=who)


@router.post("/break-glass")
async def break_glass(request: Request) -> Response:
    who = viewer(request)
    data = await form_of(request, who)
    case = str(data.get("case", "")).strip().upper()
    reason = str(data.get("reason", ""))
    errors: dict[str, str] = {}
    try:
        _check(case)
    except PageNotFound:
        errors["case"] = "Ange ett ärendenummer som UTV-2026-000123."
    try:
        body = cases.BreakGlassBody(reason=reason)
    except ValidationError:
        errors["reason"] = "Ange ett skäl på minst 10 tecken."
    if errors:
        return render(request, "break_glass.html", {
            "case": case, "hours": _hours(who), "errors": errors,
            "values": {"reason": reason}}, who=who, status=422)
    try:
        opened = attempt(lambda: cases.open_break_glass(case, body, who.ctx))
    except ApiError as exc:  # refused by the use case (e.g. already in scope)
        return render(request, "break_glass.html", {
            "case": case, "hours": _hours(who), "errors": {
                "reason" if exc.field == "reason" else "case": swedish(exc.message)},
            "values": {"reason": reason}}, who=who, status=exc.status)
    return render(request, "break_glass_open.html", {"o": opened}, who=who, status=201)
