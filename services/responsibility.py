"""Who is responsible for a case, over time: the residence municipality
(*bosättningskommun*, responsible for the case: access, notifications, waits and relapse
handling follow it), the municipality of stay (*vistelsekommun*, where the person stays
after a move) and the one that pays the support (from when). Rows in
`case_responsibility`, municipalities encrypted with a keyed hash; without a row for a
role the placing municipality holds it from the case's opening.

A relocation records the destination as the municipality of stay from its decision.
An accepted transfer ends the placing municipality's residence on the agreed date and
starts the receiving one's, and moves the costs to the payer agreed from its date. Periods
are half-open: `valid_from` <= day < `valid_to`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Session, col, select

from models.crypto import Cipher
from models.lifecycle_tables import CaseResponsibility
from models.tables import Case
from services.runtime import Runtime


class Role(StrEnum):
    RESIDENCE = "residence"
    STAY = "stay"
    COSTS = "costs"


def municipality_hash(cipher: Cipher, code: str) -> str:
    """The keyed hash a municipality is found by (its own domain: never an identity's)."""
    return cipher.lookup_hash(f"municipality:{code}")


@dataclass(frozen=True)
class Period:
    role: Role
    municipality: str
    valid_from: date
    valid_to: date | None
    basis: str


def _rows(session: Session, case_ids: Iterable[uuid.UUID], role: Role | None = None,
          *, lock: bool = False) -> list[CaseResponsibility]:
    query = select(CaseResponsibility).where(col(CaseResponsibility.case_id).in_(
        list(case_ids))).order_by(col(CaseResponsibility.valid_from), col(CaseResponsibility.id))
    if role is not None:
        query = query.where(CaseResponsibility.role == role.value)
    return list(session.exec(query.with_for_update() if lock else query))


def _holds(row: CaseResponsibility, on: date) -> bool:
    return row.valid_from <= on and (row.valid_to is None or on < row.valid_to)


def history(session: Session, cipher: Cipher, case: Case) -> list[Period]:
    """Every period of the case, oldest first (the placing municipality's implicit
    ones included only once a row ends them)."""
    return [Period(Role(r.role), cipher.decrypt(r.municipality_enc), r.valid_from, r.valid_to,
                   r.basis) for r in _rows(session, [case.id])]


def holder(session: Session, cipher: Cipher, case: Case, role: Role, *, on: date) -> str | None:
    """The municipality holding `role` on the day (residence and costs: the placing one
    without a row; stay: None without a move)."""
    found = [r for r in _rows(session, [case.id], role) if _holds(r, on)]
    if found:
        return cipher.decrypt(found[-1].municipality_enc)
    if role == Role.STAY or any(r.valid_from <= on for r in _rows(session, [case.id], role)):
        return None
    return case.placing_municipality


def responsible(session: Session, cipher: Cipher, case: Case, *, on: date) -> str:
    """The residence municipality on the day: the one responsible for the case."""
    return holder(session, cipher, case, Role.RESIDENCE, on=on) or case.placing_municipality


def responsible_for(session: Session, cipher: Cipher,
                    cases: dict[uuid.UUID, str], *, on: date) -> dict[uuid.UUID, str]:
    """Responsible municipality per case, in one read (case id -> placing code given)."""
    found = dict(cases)
    for row in _rows(session, cases, Role.RESIDENCE):
        if _holds(row, on):
            found[row.case_id] = cipher.decrypt(row.municipality_enc)
    return found


def _start(session: Session, cipher: Cipher, case: Case, role: Role, municipality: str, *,
           on: date, basis: str, by: str, at: datetime) -> None:
    """`municipality` holds `role` from `on`: the period holding it then ends there (the
    placing municipality's implicit one is written out first, so the history is whole)."""
    rows = _rows(session, [case.id], role, lock=True)
    if not rows and role != Role.STAY:
        opened = min(case.opened_at.date(), on)
        rows = [CaseResponsibility(case_id=case.id, role=role.value,
                                   municipality_enc=cipher.encrypt(case.placing_municipality),
                                   municipality_hash=municipality_hash(
                                       cipher, case.placing_municipality),
                                   valid_from=opened, basis="opened", recorded_by=by,
                                   recorded_at=at)]
    for row in rows:
        if row.valid_to is None or row.valid_to > on:
            row.valid_to = max(on, row.valid_from)
        session.add(row)
    session.add(CaseResponsibility(case_id=case.id, role=role.value,
                                   municipality_enc=cipher.encrypt(municipality),
                                   municipality_hash=municipality_hash(cipher, municipality),
                                   valid_from=on, basis=basis, recorded_by=by, recorded_at=at))


def record_stay(session: Session, cipher: Cipher, case: Case, municipality: str, *,
                on: date, by: str, at: datetime) -> None:
    """The person stays in `municipality` from the day (a relocation)."""
    _start(session, cipher, case, Role.STAY, municipality, on=on, basis="relocation", by=by,
           at=at)


def move(session: Session, cipher: Cipher, case: Case, receiving: str, *,
         responsible_from: date, cost_payer: str, cost_from: date, by: str,
         at: datetime) -> None:
    """An accepted transfer: the receiving municipality is the residence one from
    `responsible_from`; it pays from `cost_from` when it agreed to pay (otherwise the
    placing municipality keeps paying)."""
    _start(session, cipher, case, Role.RESIDENCE, receiving, on=responsible_from,
           basis="transfer", by=by, at=at)
    if cost_payer == "receiving":
        _start(session, cipher, case, Role.COSTS, receiving, on=cost_from, basis="transfer",
               by=by, at=at)


@dataclass(frozen=True)
class Responsibility:
    """The case's responsibility today and its history (municipality codes: a
    destination among them, so for the responsible and the receiving social services)."""

    case_number: str
    responsible: str
    stay: str | None
    costs: str
    periods: list[Period]


def responsibility_of(rt: Runtime, case_id: uuid.UUID) -> Responsibility:
    on = rt.now().date()
    with rt.uow() as session:
        case = session.get_one(Case, case_id)
        return Responsibility(
            case.case_number, responsible(session, rt.cipher, case, on=on),
            holder(session, rt.cipher, case, Role.STAY, on=on),
            holder(session, rt.cipher, case, Role.COSTS, on=on) or case.placing_municipality,
            history(session, rt.cipher, case))
