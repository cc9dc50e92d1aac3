"""A person's caseload ("my cases") and the coordinator's assignments.

The caseload is every case the principal stands in a relation to (`relations`), with
its phase and status, what it waits for and since when, the deadline and whether it is
overdue: case numbers and states, no personal data (the console's first page)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import union
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from adapters.org_tag import org_tag
from adapters.repositories import cases, journal
from models.access_tables import BreakGlass, CaseAssignment
from models.during_tables import Relocation, TransferOffer
from models.enums import RequestStatus, WaitKind
from models.journal import Kind
from models.principal import ORG_KINDS, Principal, Role
from models.tables import AgencyRequest, Case, CaseWait
from services.access.policy import ASSIGNABLE, POLICE, SOCIAL, Relation
from services.access.relations import standings
from services.runtime import Runtime


@dataclass(frozen=True)
class WaitLine:
    kind: str
    subject: str
    since: datetime
    deadline: datetime
    overdue: bool


@dataclass(frozen=True)
class CaseLine:
    case_number: str
    phase: str
    status: str
    relations: list[str]
    waits: list[WaitLine]


# What each relation may see a case wait for: the owners everything; the destination
# what it answers; the police what they work on. A consent or an agency's answer names
# an agency, which may tell a sensitive category.
OWNERS = frozenset({Relation.PLACING, Relation.RECEIVING, Relation.BREAK_GLASS})
WAITS_SEEN: dict[Relation, frozenset[str]] = {
    Relation.DESTINATION: frozenset({WaitKind.BELONGINGS, WaitKind.TRANSFER}),
    Relation.POLICE: frozenset({WaitKind.GRANT_STATEMENT, WaitKind.RELAPSE_ASSESSMENT}),
}


def visible(kind: str, relations: frozenset[Relation]) -> bool:
    if relations & OWNERS:
        return True
    return any(kind in WAITS_SEEN.get(r, frozenset()) for r in relations)


def caseload(rt: Runtime, principal: Principal) -> list[CaseLine]:
    """Every case the principal stands in a relation to, by case number: a constant
    number of statements however many cases (tests/service/test_caseload_statements.py)."""
    return _lines(rt, principal)


def case_line(rt: Runtime, principal: Principal, case_number: str) -> CaseLine | None:
    """The caseload's line of this one case (None when it is not in the caseload): what
    `caseload` would list for it, without building the rest."""
    lines = _lines(rt, principal, case_number.strip().upper())
    return lines[0] if lines else None


def _lines(rt: Runtime, principal: Principal, only: str | None = None) -> list[CaseLine]:
    now = rt.now()
    candidates: list[Any] = []
    tag: str | None = None
    with rt.uow() as session:
        if principal.roles & SOCIAL and principal.municipality:
            # Placing ones, and those relocated here: the destination is encrypted, its
            # keyed tag (adapters/org_tag.py) is not, so nothing is decrypted to find
            # them (`standings` then tells destination from receiving).
            tag = org_tag(session, principal.organisation)
            candidates.append(select(Case.id).where(
                Case.placing_municipality == principal.municipality))
            candidates.append(select(Relocation.case_id).where(
                Relocation.destination_tag == tag))
            candidates.append(select(TransferOffer.case_id).where(
                TransferOffer.receiving_tag == tag))
        if principal.roles & POLICE:
            candidates.append(select(CaseAssignment.case_id).where(
                CaseAssignment.staff_id == principal.staff_id,
                CaseAssignment.organisation == principal.organisation,
                col(CaseAssignment.ended_at).is_(None)))
        if principal.org_kind == "agency":
            candidates.append(select(AgencyRequest.case_id).where(
                AgencyRequest.agency == principal.org_code,
                col(AgencyRequest.status).in_([RequestStatus.SENT, RequestStatus.ANSWERED])))
        candidates.append(select(BreakGlass.case_id).where(
            BreakGlass.subject == principal.subject,
            BreakGlass.organisation == principal.organisation,
            col(BreakGlass.expires_at) > now))
        # One statement for the candidates, one for their cases.
        query = select(Case).where(col(Case.id).in_(union(*candidates).scalar_subquery()))
        if only is not None:
            query = query.where(Case.case_number == only)
        rows = session.exec(query.order_by(col(Case.case_number))).all()
        if not rows:
            return []
        found = standings(session, rt.cipher, principal, rows, now=now, tag=tag)
        ids = [case.id for case in rows if found[case.id].relations]
        waits: dict[uuid.UUID, list[CaseWait]] = {}
        if ids:
            for wait in session.exec(select(CaseWait).where(
                    col(CaseWait.case_id).in_(ids), col(CaseWait.answered_at).is_(None))
                    .order_by(col(CaseWait.deadline), col(CaseWait.id))).all():
                waits.setdefault(wait.case_id, []).append(wait)
        lines = []
        for case in rows:
            relations = found[case.id].relations
            if not relations:
                continue
            lines.append(CaseLine(case.case_number, case.phase, case.status,
                                  sorted(r.value for r in relations),
                                  [WaitLine(w.kind, w.subject, w.opened_at, w.deadline,
                                            w.deadline < now)
                                   for w in waits.get(case.id, [])
                                   if visible(w.kind, relations)]))
        return lines


class AssignmentError(ValueError):
    """`field: problem`; nothing written."""


def assign(rt: Runtime, principal: Principal, case_id: uuid.UUID, *, staff_id: str,
           organisation: str, role: Role) -> None:
    """The coordinator assigns a handler (social services of the case's placing
    municipality, or of their own) or a police contact (a police organisation)."""
    if role not in ASSIGNABLE:
        raise AssignmentError("role: " + ", ".join(sorted(r.value for r in ASSIGNABLE)))
    kind = organisation.partition(":")[0]
    if ORG_KINDS[role] != kind or kind == "police" and not organisation.partition(":")[2]:
        raise AssignmentError(f"organisation: a {ORG_KINDS[role]} organisation for {role}")
    if kind == "municipality" and organisation not in {principal.organisation}:
        raise AssignmentError("organisation: handlers of your own municipality only")
    at = rt.now()
    try:
        with rt.uow() as session:
            case = cases.lock_case(session, case_id)
            if session.exec(select(CaseAssignment.id).where(
                    CaseAssignment.case_id == case.id, CaseAssignment.staff_id == staff_id,
                    CaseAssignment.role == role.value,
                    col(CaseAssignment.ended_at).is_(None))).first() is not None:
                return
            session.add(CaseAssignment(case_id=case.id, staff_id=staff_id,
                                       organisation=organisation, role=role.value,
                                       assigned_at=at, assigned_by=principal.staff_id))
            journal.journal(session, case, kind=Kind.NOTE, actor=principal.staff_id, at=at,
                            reason=f"{staff_id} ({organisation}) assigned as {role.value}",
                            data={"assigned": staff_id, "role": role.value})
    except IntegrityError:
        return  # assigned concurrently: the same outcome
