"""Operators, the grants officer and the auditor: counts, the ledger, the audit lists.
Operators get case numbers and counts, never personal data nor a reason that could
tell a sensitive category."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from caseservice.deps import Actor
from caseservice.errors import not_found
from models.grants import Budget
from services import grants
from services.access import audit, break_glass
from services.access.policy import Action
from services.status import operator_status

router = APIRouter(tags=["oversight"])


class WaitCount(BaseModel):
    case_number: str
    waits_for: str  # "person" or "agency"
    since: datetime
    deadline: datetime
    overdue: bool


class StatusOut(BaseModel):
    counts: dict[str, int]
    waiting: list[WaitCount]
    overdue: int
    blocked: list[str]  # case numbers only: a reason may tell a category


class LedgerOut(BaseModel):
    year: int
    cases_granted: int
    granted_sek: int
    appropriation_sek: int
    left_sek: int


@router.get("/status", response_model=StatusOut)
def status(ctx: Actor) -> StatusOut:
    ctx.allow(Action.STATUS)
    found = operator_status(ctx.rt)
    return StatusOut(counts=found.counts, overdue=len(found.overdue),
                     waiting=[WaitCount(case_number=w.case_number, waits_for=w.waits_for,
                                        since=w.since, deadline=w.deadline, overdue=w.overdue)
                              for w in found.waiting],
                     blocked=[number for number, _ in found.blocked])


@router.get("/ledger", response_model=LedgerOut)
def ledger(ctx: Actor, year: int | None = Query(default=None, ge=2000, le=2100)) -> LedgerOut:
    ctx.allow(Action.LEDGER)
    year = year or ctx.rt.now().year
    granted, cases = grants.ledger(ctx.rt, year)
    budget = Budget(year)
    return LedgerOut(year=year, cases_granted=cases, granted_sek=granted,
                     appropriation_sek=budget.appropriation_sek,
                     left_sek=budget.appropriation_sek - granted)


@router.get("/audit/break-glass", response_model=list[break_glass.Opening])
def openings(ctx: Actor) -> list[break_glass.Opening]:
    """Break-glass openings not yet reviewed, oldest first."""
    ctx.allow(Action.BREAK_GLASS_LIST)
    return break_glass.unreviewed(ctx.rt)


@router.post("/audit/break-glass/{opening}/review", status_code=204)
def review(ctx: Actor, opening: int = Path(ge=1, le=2**62)) -> None:
    ctx.allow(Action.BREAK_GLASS_REVIEW)
    if not break_glass.review(ctx.rt, opening, by=ctx.by):
        raise not_found()


@router.get("/audit/access-log", response_model=list[audit.AccessEntry])
def access_log(ctx: Actor,
               case: str | None = Query(default=None, pattern=r"^UTV-[0-9]{4}-[0-9]{6}$"),
               outcome: Literal["allowed", "denied", "break_glass"] | None = None,
               limit: int = Query(default=200, ge=1, le=1000)) -> list[audit.AccessEntry]:
    ctx.allow(Action.ACCESS_LOG)
    return audit.access_entries(
        ctx.rt, case_number=case, outcome=outcome, limit=limit)
