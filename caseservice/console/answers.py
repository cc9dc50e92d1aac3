"""The forms on a case page, each answered through the case service's own route
function (the same policy check, the same use case, the same wake of the flow run).

    POST /console/cases/{case}/{form}

A refused answer re-renders the case page with the message at its field (422); out of
scope answers the not-found page (404); done: back to the case page (303)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError

from caseservice.console.pages import _check, case_page
from caseservice.console.web import PREFIX, PageNotFound, Viewer, form_of, see_other, viewer
from caseservice.errors import ApiError, field_of
from caseservice.errors import problem as api_problem
from caseservice.routes import after, before, cases, during, person_data, plan_people, relocation
from services.answers import (
    ConsentAnswer,
    CriterionAnswer,
    EstablishmentAnswer,
    NeedsAnswer,
    RelocationAnswer,
    StatementAnswer,
    TransferOfferAnswer,
)

router = APIRouter(prefix=PREFIX, include_in_schema=False)
Call = Callable[[Viewer, str, dict[str, Any], BackgroundTasks], object]

SWEDISH = {
    "required": "Fältet måste fyllas i.",
    "true or false": "Välj ja eller nej.",
    "not in the expected form": "Fel format.",
    "a relapse is reported after it happened, not in the future":
        "Ett återfall rapporteras när det har hänt: datumet kan inte vara i framtiden.",
}


def swedish(message: str) -> str:
    if message in SWEDISH:
        return SWEDISH[message]
    if message.startswith("one of"):
        return "Välj ett av alternativen."
    if "4-digit municipality code" in message:
        return "Ange en kommunkod med fyra siffror."
    if message.startswith("at most"):
        return "Texten är för lång."
    if "own municipality only" in message:
        return "Du kan bara tilldela handläggare i din egen kommun."
    if " organisation for " in message:
        return "Organisationen passar inte rollen (polisen: police:region-…, kommun: " \
               "municipality:kod)."
    return f"Uppgiften godtogs inte ({message})."


def _yes(data: dict[str, Any], key: str) -> bool | None:
    value = data.get(key)
    return {"yes": True, "no": False}.get(str(value)) if value else None


def _list(data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key, [])
    return value if isinstance(value, list) else ([value] if value else [])


def _date(data: dict[str, Any], key: str) -> date | None:
    try:
        return date.fromisoformat(str(data.get(key, "")))
    except ValueError:
        return None


def _model(kind: type[BaseModel], values: dict[str, Any]) -> Any:
    return kind.model_validate({k: v for k, v in values.items() if v is not None})


FORMS: dict[str, Call] = {
    "criteria": lambda w, c, d, t: before.decide(c, _model(CriterionAnswer, {
        "criterion": d.get("criterion"), "holds": _yes(d, "holds"),
        "note": d.get("note", "")}), w.ctx, t),
    "consents": lambda w, c, d, t: before.consent(c, _model(ConsentAnswer, {
        "agency": d.get("agency"), "given": _yes(d, "given"),
        "legal_basis": d.get("legal_basis") or None}), w.ctx, t),
    "needs": lambda w, c, d, t: during.needs(c, _model(NeedsAnswer, {
        "needs": _list(d, "needs"), "network": _list(d, "network")}), w.ctx, t),
    "interventions": lambda w, c, d, t: during.add_intervention(c, _model(
        during.InterventionBody, {
            "kind": d.get("kind"), "start": _date(d, "start"),
            "planned_end": _date(d, "planned_end"),
            "cost_sek": d.get("cost_sek") or None,
            "provider": d.get("provider") or None}), w.ctx),
    "plan-approval": lambda w, c, d, t: during.approve_plan(c, w.ctx, t),
    "statement": lambda w, c, d, t: during.statement(c, _model(StatementAnswer, {
        "supports": _yes(d, "supports")}), w.ctx, t),
    "grant-completion": lambda w, c, d, t: during.complete_grant(c, w.ctx, t),
    "relocation": lambda w, c, d, t: relocation.decide(c, _model(RelocationAnswer, {
        "destination": d.get("destination", ""), "address": d.get("address", ""),
        "lives_independently": _yes(d, "lives_independently"),
        "needs_deep_support": _yes(d, "needs_deep_support"),
        "fast_path": d.get("fast_path") == "yes"}), w.ctx, t),
    "relocation-approval": lambda w, c, d, t: relocation.approve(c, w.ctx, t),
    "belongings": lambda w, c, d, t: relocation.delivered(c, w.ctx, t),
    "transfer": lambda w, c, d, t: relocation.transfer(c, _model(relocation.TransferBody, {
        "accept": _yes(d, "accept"), "cost_payer": d.get("cost_payer") or None,
        "cost_from": _date(d, "cost_from")}), w.ctx, t),
    "establishment": lambda w, c, d, t: relocation.establishment(c, _model(
        EstablishmentAnswer, {"stable_housing": _yes(d, "stable_housing"),
                              "occupation": _yes(d, "occupation"),
                              "support_needed": _yes(d, "support_needed")}), w.ctx, t),
    "transfer-offer": lambda w, c, d, t: relocation.offer(c, _model(TransferOfferAnswer, {
        "reason": d.get("reason", "")}), w.ctx, t),
    "relapse": lambda w, c, d, t: after.assess(c, _model(after.AssessmentBody, {
        "flag_id": d.get("flag_id"), "decision": d.get("decision") or None,
        "note": d.get("note", "")}), w.ctx),
    "relapse-report": lambda w, c, d, t: plan_people.report_relapse(c, _model(
        plan_people.RelapseReportBody, {"kind": d.get("kind") or None, "on": _date(d, "on")}),
        w.ctx),
    "indicators": lambda w, c, d, t: after.indicators(c, _model(after.IndicatorsBody, {
        "months": int(d["months"]) if str(d.get("months", "")).isdigit() else None,
        "stable_housing": d.get("stable_housing") == "yes",
        "occupation": d.get("occupation") == "yes",
        "no_new_crime": d.get("no_new_crime") == "yes"}), w.ctx),
    "closure": lambda w, c, d, t: after.close(c, _model(after.CloseBody, {
        "outcome": d.get("outcome") or None}), w.ctx),
    "reopening": lambda w, c, d, t: after.reopen(c, _model(after.ReopenBody, {
        "reason": d.get("reason", "")}), w.ctx),
    "assignment": lambda w, c, d, t: cases.assign(c, _model(cases.AssignmentBody, {
        "staff_id": str(d.get("staff_id", "")).strip(),
        "organisation": str(d.get("organisation", "")).strip(),
        "role": d.get("role") or None}), w.ctx),
    # Plan and people (docs/plan-and-people.md).
    "closure-confirmation": lambda w, c, d, t: plan_people.confirm_closure(c, _model(
        plan_people.ClosureAnswerBody, {"confirm": _yes(d, "confirm")}), w.ctx),
    "provider-concern": lambda w, c, d, t: plan_people.provider_concern(c, _model(
        plan_people.ProviderConcernBody, {"provider_id": d.get("provider_id"),
                                          "decision": d.get("decision") or None}), w.ctx),
    "guardian": lambda w, c, d, t: plan_people.record_guardian(c, _model(
        plan_people.GuardianBody, {"role": d.get("role") or None, "name": d.get("name", ""),
                                   "consents": _yes(d, "consents")}), w.ctx, t),
    # Retention (docs/data-over-time.md).
    "legal-hold": lambda w, c, d, t: person_data.set_hold(c, _model(person_data.HoldBody, {
        "reason": d.get("reason", "")}), w.ctx),
    "legal-hold-lift": lambda w, c, d, t: person_data.lift_hold(c, _model(
        person_data.HoldBody, {"reason": d.get("reason", "")}), w.ctx),
}
DONE = {
    "criteria": "Kriteriet är registrerat.", "consents": "Samtycket är registrerat.",
    "needs": "Behovsbedömningen är registrerad.",
    "interventions": "Insatsen är tillagd i handlingsplanen.",
    "plan-approval": "Handlingsplanen är godkänd.", "statement": "Yttrandet är registrerat.",
    "grant-completion": "Ansökan är kompletterad.", "relocation": "Flyttbeslutet är registrerat.",
    "relocation-approval": "Snabbflytten är godkänd.",
    "belongings": "Leveransen av tillhörigheter är bekräftad.",
    "transfer": "Svaret på överflyttningen är registrerat.",
    "establishment": "Etableringen är registrerad.",
    "transfer-offer": "Överflyttningen är erbjuden.",
    "relapse": "Bedömningen är registrerad.", "indicators": "Uppföljningen är registrerad.",
    "relapse-report": "Återfallet är rapporterat: ärendet väntar på en bedömning.",
    "closure": "Ärendet är avslutat.", "reopening": "Ärendet är återöppnat.",
    "closure-confirmation": "Svaret på förslaget om avslut är registrerat.",
    "provider-concern": "Beslutet om utföraren är registrerat.",
    "guardian": "Vårdnadshavaren är registrerad.",
    "legal-hold": "Ärendet är spärrat mot gallring.",
    "legal-hold-lift": "Spärren mot gallring är hävd.",
    "assignment": "Tilldelningen är registrerad.",
}


@router.post("/cases/{case}/answer/{form}")
async def answer(request: Request, case: str, form: str) -> Response:
    who = viewer(request)
    data = await form_of(request, who)
    case = _check(case)
    call = FORMS.get(form)
    if call is None:
        raise PageNotFound()
    tasks = BackgroundTasks()
    try:
        call(who, case, data, tasks)
    except ValidationError as exc:
        errors = {field_of(e["loc"]) or "form": swedish(api_problem(e)) for e in exc.errors()}
        return _again(request, who, case, form, errors, data)
    except ApiError as exc:
        if exc.status == 404:
            raise PageNotFound() from None
        return _again(request, who, case, form, {exc.field or "form": swedish(exc.message)},
                      data)
    response = see_other(f"{PREFIX}/cases/{case}?done={form}#status")
    response.background = tasks
    return response


def _again(request: Request, who: Viewer, case: str, form: str, errors: dict[str, str],
           data: dict[str, Any]) -> Response:
    # Destination and address are never put back into the page.
    values = {k: v for k, v in data.items() if k not in ("destination", "address", "csrf")}
    return case_page(request, who, case, errors=errors, form=str(data.get("key") or form),
                     values=values, status_code=422)


@router.post("/cases/{case}/destination")
async def destination(request: Request, case: str) -> Response:
    """The destination and address, shown in the page on request (a POST: never in a
    URL, never cached), through the API's own check and journal."""
    who = viewer(request)
    await form_of(request, who)
    case = _check(case)
    try:
        found = relocation.destination(case, who.ctx)
    except ApiError as exc:
        if exc.status == 404:
            raise PageNotFound() from None
        return case_page(request, who, case, errors={"destination-read": swedish(
            "no relocation decided yet" if exc.status == 409 else exc.message)},
            form="destination-read", status_code=409)
    return case_page(request, who, case, destination=(found.destination, found.address))
