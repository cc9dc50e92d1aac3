"""Cases: finding and locking one, numbering, and the conditions every query shares
(the ongoing case, the latest consent) written once as SQLAlchemy expressions."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from adapters.db import table
from models.enums import CaseStatus, ConsentState, Phase
from models.rules import format_case_number
from models.tables import Case, CaseNumberCounter, Consent

CASE = table(Case)
CONSENT = table(Consent)


class CaseNotFound(LookupError):
    pass


def get_case(session: Session, case_id: uuid.UUID) -> Case:
    case = session.exec(select(Case).where(Case.id == case_id)).first()
    if case is None:
        raise CaseNotFound(f"case: no case with id {case_id}")
    return case


def lock_case(session: Session, case_id: uuid.UUID) -> Case:
    """The case, locked for this transaction: every write to a case takes this lock
    first, so two writers of one case never interleave."""
    case = session.exec(select(Case).where(Case.id == case_id).with_for_update()).first()
    if case is None:
        raise CaseNotFound(f"case: no case with id {case_id}")
    return case


def share_case(session: Session, case_id: uuid.UUID) -> Case:
    """The case, share-locked for this transaction (a read's journal entry): readers do
    not wait for each other; a writer (`lock_case`) waits for them and they for it, so
    the entry's phase and status agree with the journal around it."""
    case = session.exec(select(Case).where(Case.id == case_id)
                        .with_for_update(read=True)
                        .execution_options(populate_existing=True)).first()
    if case is None:
        raise CaseNotFound(f"case: no case with id {case_id}")
    return case


def find_case(session: Session, ref: str | uuid.UUID) -> Case:
    """A case by its number (UTV-YYYY-NNNNNN) or id."""
    if isinstance(ref, uuid.UUID):
        return get_case(session, ref)
    case = session.exec(select(Case).where(Case.case_number == ref.strip().upper())).first()
    if case is not None:
        return case
    try:
        return get_case(session, uuid.UUID(ref))
    except ValueError:
        raise CaseNotFound(f"case: no case {ref.strip()[:40]}") from None


def lock_case_ref(session: Session, ref: str | uuid.UUID) -> Case:
    return lock_case(session, find_case(session, ref).id)


def next_case_number(session: Session, *, year: int) -> str:
    stmt = (
        insert(CaseNumberCounter)
        .values(year=year, last=1)
        .on_conflict_do_update(
            index_elements=["year"], set_={"last": col(CaseNumberCounter.last) + 1}
        )
        .returning(col(CaseNumberCounter.last))
    )
    serial = session.execute(stmt).scalar_one()
    return format_case_number(year, serial)


def ongoing(case: Any = CASE) -> sa.ColumnElement[bool]:
    """An ongoing case: admitted (phase during or after) and not closed. The register
    sweep checks exactly these."""
    return sa.and_(case.c.phase.in_([Phase.DURING.value, Phase.AFTER.value]),
                   case.c.status != CaseStatus.CLOSED.value)


def consent_given_expr(agency: str | sa.BindParameter[str],
                       case_id: Any = CASE.c.id) -> sa.ColumnElement[bool]:
    """Whether the latest consent record of the case for `agency` gives consent (none
    recorded: no consent), as a correlated scalar expression."""
    latest = (sa.select(CONSENT.c.state == ConsentState.GIVEN.value)
              .where(CONSENT.c.case_id == case_id, CONSENT.c.agency == agency)
              .order_by(CONSENT.c.id.desc()).limit(1).scalar_subquery())
    return sa.func.coalesce(latest, sa.false())


def consent_given(session: Session, case_id: uuid.UUID, agency: str) -> bool:
    return bool(session.execute(sa.select(consent_given_expr(agency, case_id))).scalar_one())


def consents(session: Session, case_id: uuid.UUID) -> dict[str, bool]:
    """Agency -> consent given, by the latest record for each agency."""
    rows = session.exec(select(Consent).where(Consent.case_id == case_id)
                        .order_by(col(Consent.id))).all()
    return {row.agency: row.state == ConsentState.GIVEN for row in rows}
