"""Statsbidrag (the grants officer: the year's caps against the ledger, applications,
decisions, completions asked for, payouts, the annual account as a download) and
Uppföljning (follow-up statistics: a coordinator's own municipality, the grants
officer's whole country; suppressed cells shown as "<5"), through the case service's
own route functions (caseservice/routes/reports.py) and policy."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from caseservice.console.answers import swedish
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
from caseservice.routes import reports as api
from models.grant_model import USE_CATEGORIES
from models.grants import RejectionReason
from models.principal import Role
from services.reports.formatting import GRANT_KINDS, REASONS, USES
from services.reports.records import ApplicationIn

router = APIRouter(prefix=PREFIX, include_in_schema=False)
APPLICANTS = {"municipality": "Kommun", "city_district": "Stadsdel", "agency": "Myndighet",
              "private_organisation": "Privat organisation"}
FUNCTIONS = {"noa_head": "Chefen för Nationella operativa avdelningen",
             "noa_delegate": "Delegat vid Nationella operativa avdelningen"}
STATUSES = {"pending": "Ej beslutad", "granted": "Beviljad", "rejected": "Avslagen",
            "refused_budget": "Avslagen (anslaget räckte inte)"}
FORMS = ("application", "decision", "payout")


def _year(value: int | None, who: Viewer) -> int:
    return value if value and 2000 <= value <= 2100 else who.ctx.rt.now().year


def _grants_page(request: Request, who: Viewer, year: int, *,
                 errors: dict[str, str] | None = None, form: str = "",
                 values: dict[str, Any] | None = None, status: int = 200) -> Response:
    found = attempt(lambda: api.grant_year(year, who.ctx))
    return render(request, "grants.html", {
        "y": found, "kinds": GRANT_KINDS, "applicants": APPLICANTS, "functions": FUNCTIONS,
        "reasons": {r.value: REASONS[r.value] for r in RejectionReason},
        "statuses": STATUSES, "uses": {u: USES.get(u, u) for u in USE_CATEGORIES},
        "errors": errors or {}, "form": form, "values": values or {},
        "done": request.query_params.get("done", "")}, who=who, status=status)


@router.get("/grants")
def grants(request: Request, year: int | None = None) -> Response:
    who = viewer(request)
    return _grants_page(request, who, _year(year, who))


def _blank(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    """The form's values with empty fields left out (the API's optional fields)."""
    return {k: v for k in keys if (v := str(data.get(k, "")).strip())}


def _submit(form: str, data: dict[str, Any], who: Viewer) -> None:
    if form == "application":
        api.record_application(ApplicationIn.model_validate(_blank(
            data, "reference", "year", "kind", "applicant_kind", "applicant",
            "municipality_code", "received_on", "amount_applied_sek", "purpose")), who.ctx)
    elif form == "decision":
        values = _blank(data, "reference", "outcome", "amount_sek", "rejection_reason",
                        "decided_on", "decided_by")
        api.record_decision(api.DecisionBody.model_validate(values), who.ctx)
    elif form == "payout":
        values = _blank(data, "reference", "amount_sek", "paid_on", "application",
                        "case_number")
        api.record_payout(api.PayoutBody.model_validate(values), who.ctx)
    else:
        raise PageNotFound()


@router.post("/grants/{form}")
async def grants_form(request: Request, form: str) -> Response:
    who = viewer(request)
    data = await form_of(request, who)
    year = _year(int(data["year"]) if str(data.get("year", "")).isdigit() else None, who)
    try:
        _submit(form, data, who)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for e in exc.errors():
            said = str((e.get("ctx") or {}).get("error", "")).partition(": ")
            name = said[0] if e["type"] == "value_error" and said[1] else field_of(e["loc"])
            errors.setdefault(name, swedish(api_problem(e)))
        return _grants_page(request, who, year, errors=errors, form=form, values=data,
                            status=422)
    except ApiError as exc:
        if exc.status == 404:
            raise PageNotFound() from None
        return _grants_page(request, who, year, errors={exc.field or "reference":
                                                        swedish(exc.message)},
                            form=form, values=data, status=422)
    return see_other(f"{PREFIX}/grants?year={year}&done={form}")


@router.get("/grants/{year}/account")
def account(request: Request, year: int, format: str = "pdf",  # noqa: A002 - the URL's word
            table: str | None = None) -> Response:
    who = viewer(request)
    if not 2000 <= year <= 2100 or format not in ("pdf", "html", "csv"):
        raise PageNotFound()
    return attempt(lambda: api.grant_account(year, who.ctx, format, table))  # type: ignore[arg-type]


# -- Uppföljning ---------------------------------------------------------------------------
def _period(request: Request, who: Viewer) -> tuple[date, date, dict[str, str], dict[str, str]]:
    """(from, to, errors by field, values as typed): the calendar year so far by default."""
    today = who.ctx.rt.now().date()
    typed = {"from": request.query_params.get("from", date(today.year, 1, 1).isoformat()),
             "to": request.query_params.get("to", today.isoformat())}
    errors: dict[str, str] = {}
    days: dict[str, date] = {}
    for key, value in typed.items():
        try:
            days[key] = date.fromisoformat(value)
        except ValueError:
            errors[key] = "Ange ett datum som 2026-01-31."
    if not errors and days["to"] < days["from"]:
        errors["to"] = "Perioden slutar innan den börjar."
    return days.get("from", today), days.get("to", today), errors, typed


def _national(who: Viewer) -> bool:
    return Role.GRANTS_OFFICER in who.principal.roles


def _report(who: Viewer, start: date, end: date, fmt: str = "json") -> Response:
    call = api.followup_national if _national(who) else api.followup_municipality
    return attempt(lambda: call(who.ctx, start, end, fmt, None))  # type: ignore[arg-type]


@router.get("/followup")
def followup(request: Request) -> Response:
    who = viewer(request)
    start, end, errors, typed = _period(request, who)
    report: dict[str, Any] | None = None
    problem = ""
    status = 422 if errors else 200
    if not errors:
        try:
            answer = _report(who, start, end)
            report = json.loads(bytes(answer.body))
        except ApiError as exc:
            if exc.status == 422:
                errors = {exc.field or "to": swedish(exc.message)}
                status = 422
            else:
                problem = ("Statistiken för hela landet kan inte tas fram av tjänsten just nu: "
                           "dess databasroll ser inte alla ärenden. Be driften ta fram den "
                           "(utvag report followup).")
                status = exc.status
    return render(request, "followup.html", {
        "report": report, "errors": errors, "values": typed, "problem": problem,
        "national": _national(who), "start": start, "end": end}, who=who, status=status)


@router.get("/followup/download")
def followup_download(request: Request, format: str = "pdf") -> Response:  # noqa: A002
    who = viewer(request)
    start, end, errors, _ = _period(request, who)
    if errors or format not in ("pdf", "html", "csv"):
        raise PageNotFound()
    return _report(who, start, end, format)
