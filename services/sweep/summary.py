"""A sweep run's outcome, from the database: counts and case numbers only."""

from __future__ import annotations

from typing import get_args

from pydantic import BaseModel

from adapters.registers import EntryKind
from adapters.repositories import sweep_summary
from services.runtime import Runtime

NOT_CHECKED_LISTED = 50


class SweepSummary(BaseModel):
    """A case counts as checked when both registers checked it in this run."""

    run: str
    ongoing: int
    checked: int
    not_checked: int
    no_consent: int
    flags: dict[str, int]
    not_checked_cases: list[str]  # case numbers, at most NOT_CHECKED_LISTED
    notifications_pending: int = 0


def count_ongoing(rt: Runtime) -> int:
    with rt.uow() as session:
        return sweep_summary.count_ongoing(session)


def summarise(rt: Runtime, run_key: str) -> SweepSummary:
    with rt.uow() as session:
        row = sweep_summary.run_counts(session, run_key)
        flags = sweep_summary.flags_by_kind(session, run_key)
        unchecked = (sweep_summary.not_checked(session, run_key, limit=NOT_CHECKED_LISTED)
                     if row.checked < row.ongoing else [])
        pending = sweep_summary.notifications_pending(session)
    return SweepSummary(
        run=run_key, ongoing=row.ongoing, checked=row.checked,
        not_checked=row.ongoing - row.checked, no_consent=row.no_consent,
        flags={kind: flags.get(kind, 0) for kind in get_args(EntryKind)},
        not_checked_cases=unchecked, notifications_pending=pending)
