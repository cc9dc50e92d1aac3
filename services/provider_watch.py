"""Providers followed up while they work (seed 001: control "under hela den tid insatsen
pågår"). A provider whose follow-up was unsatisfactory, or whose follow-up lapsed (due
date passed with no new report), makes every case with a running intervention from it
wait for a person's decision (`provider_follow_up`, subject `provider:<id>:<occasion>`):
keep the provider, or end its interventions in the case.

Each occasion opens its wait once per case, ever: the occasion is the follow-up report's
id for an unsatisfactory one, the missed due date for a lapse, so a next pass or a crash
re-run opens nothing twice, and a new lapse (a later due date) asks again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from adapters.repositories import cases, journal, waits
from models.during_tables import Intervention, Provider
from models.enums import CaseStatus, WaitKind
from models.journal import Kind
from models.tables import Case, CaseWait
from models.waits import Wait
from services.runtime import Runtime

SYSTEM = "utvag"
Decision = Literal["keep", "end_interventions"]


def subject(provider_id: int, occasion: str) -> str:
    return f"provider:{provider_id}:{occasion}"


def _running_cases(session: Session, provider_id: int, *, today: date) -> list[uuid.UUID]:
    rows = session.exec(select(Intervention.case_id).distinct()
                        .join(Case, col(Case.id) == Intervention.case_id)
                        .where(Intervention.provider_id == provider_id,
                               col(Intervention.start) <= today,
                               col(Intervention.planned_end) >= today,
                               Case.status != CaseStatus.CLOSED.value)).all()
    return sorted(rows)


def _ever_opened(session: Session, case_id: uuid.UUID, text: str) -> bool:
    return session.exec(select(CaseWait.id).where(
        CaseWait.case_id == case_id, CaseWait.kind == WaitKind.PROVIDER_FOLLOW_UP.value,
        CaseWait.subject == text)).first() is not None


def open_for_provider(session: Session, provider: Provider, *, occasion: str, why: str,
                      at: datetime, deadline: datetime) -> int:
    """Open the occasion's wait on every case with a running intervention from the
    provider (in the caller's transaction); how many were opened."""
    assert provider.id is not None  # noqa: S101 - a stored row
    text = subject(provider.id, occasion)
    opened = 0
    for case_id in _running_cases(session, provider.id, today=at.date()):
        case = cases.lock_case(session, case_id)
        if _ever_opened(session, case_id, text):
            continue
        journal.journal(session, case, kind=Kind.PROVIDER_CONCERN, actor=SYSTEM, at=at,
                        reason=f"provider {provider.id} {why}: its running interventions "
                               "need a decision",
                        data={"provider_id": provider.id, "occasion": occasion})
        opened += waits.open_wait(session, case, Wait(WaitKind.PROVIDER_FOLLOW_UP, text),
                                  at=at, deadline=deadline, change_status=False)
    return opened


def check_lapsed(rt: Runtime) -> int:
    """Every provider whose follow-up is past due: a wait on each case it works in."""
    at = rt.now()
    deadline = rt.deadline(WaitKind.PROVIDER_FOLLOW_UP, at=at)
    opened = 0
    with rt.uow() as session:
        lapsed = session.exec(select(Provider).where(
            col(Provider.next_follow_up_due).is_not(None),
            col(Provider.next_follow_up_due) < at.date())
            .order_by(col(Provider.id))).all()
        for provider in lapsed:
            opened += open_for_provider(
                session, provider, occasion=f"lapsed-{provider.next_follow_up_due}",
                why=f"follow-up lapsed (due {provider.next_follow_up_due})", at=at,
                deadline=deadline)
    return opened


@dataclass(frozen=True)
class ConcernAnswered:
    case_number: str
    ended: int  # interventions ended today


class ConcernError(ValueError):
    """The message names the field."""


def answer_concern(rt: Runtime, case_ref: str | uuid.UUID, *, provider_id: int,
                   decision: Decision, by: str) -> ConcernAnswered:
    """A person's decision on the open provider wait(s) of the case: keep the provider,
    or end its running interventions in this case today (journaled)."""
    at = rt.now()
    today = at.date()
    with rt.uow() as session:
        case = cases.lock_case_ref(session, case_ref)
        rows = session.exec(select(CaseWait).where(
            CaseWait.case_id == case.id, CaseWait.kind == WaitKind.PROVIDER_FOLLOW_UP.value,
            col(CaseWait.subject).startswith(f"provider:{provider_id}:"),
            col(CaseWait.answered_at).is_(None)).with_for_update()).all()
        if not rows:
            raise ConcernError(f"provider_id: no open follow-up concern about provider "
                               f"{provider_id} in {case.case_number}")
        ended = 0
        if decision == "end_interventions":
            ended = len(session.execute(sa.update(Intervention).where(
                col(Intervention.case_id) == case.id,
                col(Intervention.provider_id) == provider_id,
                col(Intervention.start) <= today,
                col(Intervention.planned_end) > today).values(planned_end=today)
                .returning(col(Intervention.id))).all())
        for row in rows:
            waits.close_wait(session, case, Wait(WaitKind.PROVIDER_FOLLOW_UP, row.subject),
                             by=by, at=at, answer={"decision": decision, "ended": ended})
        journal.journal(session, case, kind=Kind.PROVIDER_CONCERN, actor=by, at=at,
                        reason=f"provider {provider_id}: {decision.replace('_', ' ')}"
                               f" ({ended} interventions ended)",
                        data={"provider_id": provider_id, "decision": decision,
                              "ended": ended})
        return ConcernAnswered(case.case_number, ended)
