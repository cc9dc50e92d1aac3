"""How a principal stands to a case, resolved from the case's own rows: the placing
municipality, the relocation's destination and whether the transfer was accepted, the
case's assignments, the agencies it disclosed to and any active break-glass opening.
Nothing here comes from typed input: the principal is built from a verified token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from adapters.org_tag import org_tag
from models.access_tables import BreakGlass, CaseAssignment
from models.crypto import Cipher
from models.during_tables import Relocation, TransferOffer
from models.enums import RequestStatus
from models.principal import Principal
from models.tables import AgencyRequest, Case, Person
from services.access.policy import HANDLER_ASSIGNMENTS, POLICE, PROTECTED_LEVELS, SOCIAL, Relation

DISCLOSED = (RequestStatus.SENT.value, RequestStatus.ANSWERED.value)


@dataclass(frozen=True)
class Standing:
    """A principal's standing to one case: its relations, whether they are a handler
    assigned to it (who alone sees a protected identity) and whether it is protected."""

    case_id: uuid.UUID
    case_number: str
    relations: frozenset[Relation]
    handler: bool
    protected: bool

    @property
    def masked(self) -> bool:
        return self.protected and not self.handler


def _assigned(session: Session, principal: Principal, case_id: uuid.UUID) -> set[str]:
    """The roles the principal is assigned to the case in (active assignments)."""
    return set(session.exec(select(CaseAssignment.role).where(
        CaseAssignment.case_id == case_id, CaseAssignment.staff_id == principal.staff_id,
        CaseAssignment.organisation == principal.organisation,
        col(CaseAssignment.ended_at).is_(None))).all())


def destination_of(session: Session, cipher: Cipher, case_id: uuid.UUID) -> str | None:
    row = session.exec(select(Relocation.destination_enc).where(
        Relocation.case_id == case_id)).first()
    return cipher.decrypt(row) if row is not None else None


def is_destination(session: Session, cipher: Cipher, case_id: uuid.UUID, *,
                   municipality: str, tag: str | None = None) -> bool:
    """Whether `municipality` is the case's destination: by the relocation's tag
    (adapters/org_tag.py), without decrypting; a relocation decided before the tag
    existed is decrypted."""
    row = session.exec(select(Relocation.destination_tag, Relocation.destination_enc).where(
        Relocation.case_id == case_id)).first()
    if row is None:
        return False
    if row[0] is not None:
        return row[0] == (tag or org_tag(session, f"municipality:{municipality}"))
    return cipher.decrypt(row[1]) == municipality


def standing(session: Session, cipher: Cipher, principal: Principal, case: Case, *,
             now: datetime, tag: str | None = None) -> Standing:
    """`tag`: the principal's organisation tag when the caller has it (a caseload)."""
    relations: set[Relation] = set()
    social = bool(principal.roles & SOCIAL) and principal.municipality is not None
    if social and principal.municipality == case.placing_municipality:
        relations.add(Relation.PLACING)
    if social and principal.municipality != case.placing_municipality:
        assert principal.municipality is not None
        if is_destination(session, cipher, case.id, municipality=principal.municipality,
                          tag=tag):
            relations.add(Relation.DESTINATION)
            accepted = session.exec(select(TransferOffer.accepted).where(
                TransferOffer.case_id == case.id)).first()
            if accepted:
                relations.add(Relation.RECEIVING)
    assigned = _assigned(session, principal, case.id)
    if principal.roles & POLICE and assigned & {r.value for r in POLICE}:
        relations.add(Relation.POLICE)
    agency = principal.agency
    if principal.org_kind == "agency" and agency is not None and session.exec(
            select(AgencyRequest.id).where(
                AgencyRequest.case_id == case.id, AgencyRequest.agency == agency.value,
                col(AgencyRequest.status).in_(DISCLOSED))).first() is not None:
        relations.add(Relation.AGENCY)
    if session.exec(select(BreakGlass.id).where(
            BreakGlass.case_id == case.id, BreakGlass.subject == principal.subject,
            BreakGlass.organisation == principal.organisation,
            col(BreakGlass.opened_at) <= now, col(BreakGlass.expires_at) > now)).first():
        relations.add(Relation.BREAK_GLASS)
    level = session.exec(select(Person.protection_level).where(
        Person.id == case.person_id)).first()
    # A person the principal may not see (row-level security: the destination before
    # it accepted, an operator) counts as protected: nothing of them is shown anyway.
    return Standing(case.id, case.case_number, frozenset(relations),
                    handler=bool(assigned & HANDLER_ASSIGNMENTS),
                    protected=level is None or level in PROTECTED_LEVELS)


def hidden(case_id: uuid.UUID, case_number: str) -> Standing:
    """The standing to a case outside the principal's scope (row-level security hides
    it; break-glass found it by its number): no relation, the identity masked."""
    return Standing(case_id, case_number, frozenset(), handler=False, protected=True)
