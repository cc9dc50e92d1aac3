"""Pure rules of the before phase: eligibility, case numbers, deadlines.

No Prefect and no I/O here: these are the decisions a reviewer should be able to
read in one sitting and that the unit tests pin down.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from models.enums import Criterion

COORDINATOR_CRITERIA: tuple[Criterion, ...] = (
    Criterion.MEETS_DEFINITION,
    Criterion.MOTIVATED,
    Criterion.CONSENTS_TO_EXCHANGE,
    Criterion.SIGNED_CONDITIONS,
    Criterion.NOT_WITNESS,
)
"""Criteria a coordinator answers; the sixth comes from social services' decision."""


class Verdict(StrEnum):
    ELIGIBLE = "eligible"
    WITNESS = "witness"
    NOT_ELIGIBLE = "not_eligible"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Screening:
    verdict: Verdict
    missing: tuple[Criterion, ...] = ()
    failed: tuple[Criterion, ...] = field(default=())


def screen(
    answers: Mapping[Criterion, bool | None],
    *,
    criteria: tuple[Criterion, ...] = tuple(Criterion),
) -> Screening:
    """Screen `answers` against `criteria`.

    A witness/evidence person goes to witness protection whatever else holds, so
    that is decided first; then any criterion that does not hold ends the
    screening; only then do unknowns make the case wait for an answer.
    """
    if answers.get(Criterion.NOT_WITNESS) is False:
        return Screening(Verdict.WITNESS, failed=(Criterion.NOT_WITNESS,))
    failed = tuple(c for c in criteria if answers.get(c) is False)
    if failed:
        return Screening(Verdict.NOT_ELIGIBLE, failed=failed)
    missing = tuple(c for c in criteria if answers.get(c) is None)
    if missing:
        return Screening(Verdict.UNKNOWN, missing=missing)
    return Screening(Verdict.ELIGIBLE)


def format_case_number(year: int, serial: int) -> str:
    if not 1 <= serial <= 999_999:
        raise ValueError("case number: serial out of range 1..999999")
    return f"UTV-{year:04d}-{serial:06d}"


def deadline_after(opened_at: datetime, *, days: int) -> datetime:
    return opened_at + timedelta(days=days)


def is_overdue(*, deadline: datetime, answered_at: datetime | None, now: datetime) -> bool:
    return answered_at is None and now > deadline
