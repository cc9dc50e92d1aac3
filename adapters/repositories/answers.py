"""Eligibility answers: one row per case and criterion, replaced when answered again."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, select

from models.rules import COORDINATOR_CRITERIA
from models.tables import EligibilityAnswer


def upsert(session: Session, *, case_id: uuid.UUID, criterion: str, holds: bool | None,
           recorded_by: str, at: datetime, note_enc: bytes | None = None) -> None:
    """`note_enc`: a person's note, encrypted (services.clear_text)."""
    values = {"case_id": case_id, "criterion": criterion, "holds": holds,
              "evidence_note_enc": note_enc,
              "recorded_by": recorded_by, "recorded_at": at}
    session.execute(insert(EligibilityAnswer).values(**values).on_conflict_do_update(
        index_elements=["case_id", "criterion"],
        set_={k: v for k, v in values.items() if k not in ("case_id", "criterion")}))


def for_case(session: Session, case_id: uuid.UUID) -> dict[str, bool | None]:
    rows = session.exec(select(EligibilityAnswer).where(EligibilityAnswer.case_id == case_id))
    return {row.criterion: row.holds for row in rows}


def rows(session: Session, case_id: uuid.UUID) -> list[EligibilityAnswer]:
    return list(session.exec(select(EligibilityAnswer)
                             .where(EligibilityAnswer.case_id == case_id)))


def clear_not_holding(session: Session, case_id: uuid.UUID) -> list[str]:
    """Ask again every criterion a coordinator answered 'does not hold' (the answer
    becomes unknown; the journal keeps the earlier one); the criteria, sorted."""
    asked = {c.value for c in COORDINATOR_CRITERIA}
    cleared = []
    for row in rows(session, case_id):
        if row.criterion in asked and row.holds is False:
            row.holds = None
            session.add(row)
            cleared.append(row.criterion)
    return sorted(cleared)
