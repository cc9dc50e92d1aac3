"""Tasks that read a case or move it between states; one transaction each."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel
from sqlmodel import select

from adapters import repo
from adapters.db import unit_of_work
from adapters.logs import get_logger
from models.enums import CaseStatus, Criterion, Phase
from models.journal import Kind
from models.tables import AgencyRequest, ThreatAssessment

SYSTEM = "utvag"


def now() -> datetime:
    return datetime.now(UTC)


class WaitView(BaseModel):
    id: int
    kind: str
    subject: str
    opened_at: datetime
    deadline: datetime


class CaseSnapshot(BaseModel):
    """What the flow branches on. Ids and states only: never personal data."""

    case_id: uuid.UUID
    case_number: str
    municipality: str
    phase: str
    status: str
    answers: dict[Criterion, bool | None]
    threat_assessment_in: bool
    requests: dict[str, str]
    open_waits: list[WaitView]
    journal_count: int

    @property
    def finished_before_phase(self) -> bool:
        return self.status == CaseStatus.CLOSED or self.phase != Phase.BEFORE


def snapshot(case_id: uuid.UUID) -> CaseSnapshot:
    with unit_of_work() as session:
        case = repo.get_case(session, case_id)
        threat = session.exec(
            select(ThreatAssessment).where(ThreatAssessment.case_id == case_id)
        ).first()
        requests = session.exec(select(AgencyRequest).where(AgencyRequest.case_id == case_id))
        return CaseSnapshot(
            case_id=case.id, case_number=case.case_number, municipality=case.placing_municipality,
            phase=case.phase, status=case.status,
            answers={Criterion(k): v for k, v in repo.answers(session, case_id).items()},
            threat_assessment_in=threat is not None,
            requests={f"{r.agency}:{r.kind}": r.status for r in requests},
            open_waits=[WaitView.model_validate(w, from_attributes=True)
                        for w in repo.open_waits(session, case_id)],
            journal_count=repo.journal_count(session, case_id),
        )


@task(name="load-case", cache_policy=NO_CACHE, persist_result=False)
def load_case(case_id: uuid.UUID) -> CaseSnapshot:
    return snapshot(case_id)


@task(name="close-case", cache_policy=NO_CACHE, persist_result=False)
def close_case(case_id: uuid.UUID, *, outcome: str, reason: str) -> None:
    with unit_of_work() as session:
        case = repo.get_case(session, case_id, lock=True)
        if case.status == CaseStatus.CLOSED:
            return
        repo.transition(session, case, kind=Kind.CLOSED, actor=SYSTEM, at=now(),
                        status=CaseStatus.CLOSED, reason=reason, data={"outcome": outcome})
    get_logger(case_number=case.case_number).info("case.closed", outcome=outcome)


@task(name="admit-case", cache_policy=NO_CACHE, persist_result=False)
def admit_case(case_id: uuid.UUID) -> None:
    with unit_of_work() as session:
        case = repo.get_case(session, case_id, lock=True)
        if case.phase != Phase.BEFORE or case.status == CaseStatus.CLOSED:
            return
        repo.transition(
            session, case, kind=Kind.ADMITTED, actor=SYSTEM, at=now(), phase=Phase.DURING,
            status=CaseStatus.ADMITTED,
            reason="all six criteria hold and the threat assessment is in: admitted",
        )
    get_logger(case_number=case.case_number).info("case.admitted")


@task(name="block-case", cache_policy=NO_CACHE, persist_result=False)
def block_case(case_id: uuid.UUID, *, reason: str) -> None:
    with unit_of_work() as session:
        case = repo.get_case(session, case_id, lock=True)
        repo.transition(session, case, kind=Kind.BLOCKED, actor=SYSTEM, at=now(),
                        status=CaseStatus.BLOCKED, reason=reason)
    get_logger(case_number=case.case_number).warning("case.blocked", reason=reason)


@task(name="unblock-case", cache_policy=NO_CACHE, persist_result=False)
def unblock_case(case_id: uuid.UUID) -> None:
    with unit_of_work() as session:
        case = repo.get_case(session, case_id, lock=True)
        if case.status != CaseStatus.BLOCKED:
            return
        repo.transition(session, case, kind=Kind.UNBLOCKED, actor=SYSTEM, at=now(),
                        status=CaseStatus.OPEN, reason="run again after being blocked")
