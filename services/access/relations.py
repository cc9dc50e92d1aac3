"""How a principal stands to a case, resolved from the case's own rows: the municipality
responsible for it today (`services.responsibility`: the placing one until an accepted
transfer takes effect on its agreed date, then the receiving one), the latest
relocation's destination, a receiving municipality between its acceptance and that
date, the case's assignments, the agencies it disclosed to and any active break-glass
opening. Nothing here comes from typed input: the principal is built from a verified
token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from adapters.org_tag import org_tag
from models.access_tables import BreakGlass, CaseAssignment
from models.crypto import Cipher
from models.during_tables import Relocation, TransferOffer
from models.enums import RequestStatus
from models.principal import Principal
from models.tables import AgencyRequest, Case, Person
from services.access.policy import HANDLER_ASSIGNMENTS, POLICE, PROTECTED_LEVELS, SOCIAL, Relation
from services.responsibility import responsible

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
    """The latest relocation's destination (where the person lives now)."""
    row = session.exec(select(Relocation.destination_enc).where(
        Relocation.case_id == case_id).order_by(col(Relocation.sequence).desc())).first()
    return cipher.decrypt(row) if row is not None else None


def _receiving(session: Session, cipher: Cipher, case_id: uuid.UUID, *,
               on: date) -> str | None:
    """The municipality of an accepted transfer not yet in effect on the day."""
    offer = session.exec(select(TransferOffer).where(
        TransferOffer.case_id == case_id, col(TransferOffer.accepted).is_(True))
        .order_by(col(TransferOffer.id).desc())).first()
    if offer is None or offer.receiving_enc is None:
        return None
    if offer.responsible_from is not None and offer.responsible_from <= on:
        return None
    return cipher.decrypt(offer.receiving_enc)


def is_destination(session: Session, cipher: Cipher, case_id: uuid.UUID, *,
                   municipality: str, tag: str | None = None) -> bool:
    """Whether `municipality` is the case's destination: by the relocation's tag
    (adapters/org_tag.py), without decrypting; a relocation decided before the tag
    existed is decrypted."""
    row = session.exec(select(Relocation.destination_tag, Relocation.destination_enc).where(
        Relocation.case_id == case_id).order_by(col(Relocation.sequence).desc())).first()
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
    if social and principal.municipality == responsible(session, cipher, case, on=now.date()):
        relations.add(Relation.PLACING)
    elif social:
        assert principal.municipality is not None
        if is_destination(session, cipher, case.id, municipality=principal.municipality,
                          tag=tag):
            relations.add(Relation.DESTINATION)
        if principal.municipality == _receiving(session, cipher, case.id, on=now.date()):
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
