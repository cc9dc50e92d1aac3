"""Cases that should be moving but are not: in the before or during phase, status
open or just admitted (so no open wait, not blocked, not closed), and untouched for a
while. A flow run that died with its worker leaves a case like this. An open case in
the after phase is at rest (follow-up), not stalled."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlmodel import col, select

from adapters.db import unit_of_work
from models.enums import CaseStatus, Phase
from models.tables import Case
from tasks.cases import now


def stalled_cases(*, quiet_for: timedelta, at: datetime | None = None) -> dict[uuid.UUID, str]:
    """case id → case number for every moving before/during-phase case untouched for
    `quiet_for`."""
    cutoff = (at or now()) - quiet_for
    with unit_of_work() as session:
        rows = session.exec(
            select(Case.id, Case.case_number)
            .where(col(Case.phase).in_([Phase.BEFORE, Phase.DURING]),
                   col(Case.status).in_([CaseStatus.OPEN, CaseStatus.ADMITTED]),
                   col(Case.updated_at) < cutoff)
            .order_by(col(Case.opened_at))
        )
        return {case_id: number for case_id, number in rows}
