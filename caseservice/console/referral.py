"""Ny anmälan: the referral as a form. Validated by the same rules as `POST /api/v1/cases`
(`services.access.intake.open_referral`), every invalid field with its own message,
nothing written until it is valid; a person with an open case in another municipality
is not revealed (the service answers "accepted for review")."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import Response

from caseservice.console.web import PREFIX, Viewer, attempt, form_of, render, see_other, viewer
from caseservice.routes import cases
from models.enums import Agency, CustodyStatus, Milieu, ProtectionLevel
from models.identity import InvalidIdentityNumber, parse_identity_number
from models.referral import ReferralError
from services.access.intake import open_referral
from services.access.policy import Action

router = APIRouter(prefix=PREFIX, include_in_schema=False)
LABELS = {"person.name": "Namn", "person.identity_number": "Personnummer",
          "person.protection_level": "Skydd av personuppgifter",
          "referring_agency": "Anvisande myndighet", "milieu": "Miljö",
          "custody_status": "Kriminalvård", "consents": "Samtycke", "form": "Anmälan"}
FIELDS = tuple(LABELS)


def _swedish(field: str, message: str) -> str:
    text = message.lower()
    if field == "person.identity_number" and "required" not in text:
        return "Ogiltigt personnummer: ange ÅÅÅÅMMDD-NNNN med giltigt datum och kontrollsiffra."
    if "required" in text or "missing" in text:
        return "Fältet måste fyllas i."
    if "blank" in text or "at least 1" in text:
        return "Fältet får inte vara tomt."
    if "at least" in text:
        return "Uppgiften är för kort."
    if "at most" in text:
        return "Uppgiften är för lång."
    if "input should be" in text:
        return "Välj ett av alternativen."
    return "Uppgiften godtogs inte."


def errors_of(exc: ReferralError) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in exc.errors:
        field, _, message = line.partition(": ")
        key = next((f for f in FIELDS if field == f or field.startswith(f + ".")), "form")
        found.setdefault(key, _swedish(key, message))
    return found


def _valid_number(number: str, who: Viewer) -> bool:
    """The identity number's own check, which the referral's rules make only once every
    other field is valid: so that every invalid field gets its message at once."""
    try:
        parse_identity_number(number, today=who.ctx.rt.now().date(),
                              field="person.identity_number")
    except InvalidIdentityNumber:
        return False
    return True


def _page(request: Request, who: Viewer, *, errors: dict[str, str] | None = None,
          values: dict[str, Any] | None = None, status: int = 200) -> Response:
    return render(request, "referral.html", {"labels": LABELS,
        "errors": errors or {}, "values": values or {}, "agencies": list(Agency),
        "milieus": list(Milieu), "custody": list(CustodyStatus),
        "levels": list(ProtectionLevel)}, who=who, status=status)


@router.get("/referral")
def referral_form(request: Request) -> Response:
    who = viewer(request)
    attempt(lambda: who.ctx.allow(Action.CASE_OPEN))
    return _page(request, who)


def _referral(data: dict[str, Any]) -> dict[str, Any]:
    chosen = data.get("consents", [])
    chosen = chosen if isinstance(chosen, list) else [chosen] if chosen else []
    raw: dict[str, Any] = {
        "person": {k: v for k, v in {
            "name": data.get("person.name", ""),
            "identity_number": data.get("person.identity_number", ""),
            "protection_level": data.get("person.protection_level") or None}.items()
            if v is not None},
        "consents": [{"agency": a, "legal_basis": "samtycke"} for a in chosen],
    }
    for key in ("referring_agency", "milieu", "custody_status"):
        if data.get(key):
            raw[key] = data[key]
    return raw


@router.post("/referral")
async def submit(request: Request) -> Response:
    who = viewer(request)
    data = await form_of(request, who)
    attempt(lambda: who.ctx.allow(Action.CASE_OPEN))
    try:
        referred = open_referral(who.ctx.rt, who.principal, _referral(data))
    except ReferralError as exc:
        # What was typed comes back except the identity number (never echoed).
        kept = {k: v for k, v in data.items() if k not in ("csrf", "person.identity_number")}
        errors = errors_of(exc)
        number = str(data.get("person.identity_number", ""))
        if "person.identity_number" not in errors and not _valid_number(number, who):
            errors["person.identity_number"] = _swedish("person.identity_number", "invalid")
        ordered = {f: errors[f] for f in FIELDS if f in errors}
        return _page(request, who, errors=ordered, values=kept, status=422)
    if referred.status == "opened" and referred.case_id is not None:
        tasks = BackgroundTasks()
        tasks.add_task(cases._start, who.ctx, referred.case_id)
        response = see_other(f"{PREFIX}/cases/{referred.case_number}?done=opened")
        response.background = tasks
        return response
    if referred.status == "existing":
        return see_other(f"{PREFIX}/cases/{referred.case_number}?done=existing")
    return render(request, "error.html", {
        "title": "Anmälan är mottagen",
        "message": "Anmälan är mottagen och granskas innan ett ärende kan öppnas. "
                   "Du behöver inte göra något mer nu."}, who=who, status=202)
