"""How a principal stands to a case, resolved from the case's own rows: the municipality
responsible for it today (`services.responsibility`: the placing one until an accepted
transfer takes effect on its agreed date, then the receiving one), the latest
relocation's destination, a receiving municipality between its acceptance and that
date, the case's assignments, the agencies it disclosed to and any active break-glass
opening. Nothing here comes from typed input: the principal is built from a verified
token."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
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
from services.responsibility import responsible_for

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


def destination_of(session: Session, cipher: Cipher, case_id: uuid.UUID) -> str | None:
    """The latest relocation's destination (where the person lives now)."""
    row = session.exec(select(Relocation.destination_enc).where(
        Relocation.case_id == case_id).order_by(col(Relocation.sequence).desc())).first()
    return cipher.decrypt(row) if row is not None else None


def _receiving_of(session: Session, cipher: Cipher, case_ids: Sequence[uuid.UUID], *,
                  municipality: str, on: date) -> set[uuid.UUID]:
    """Of these cases, those `municipality` accepted a transfer of that is not yet in
    effect on the day (one query: each case's latest accepted offer)."""
    latest = {offer.case_id: offer for offer in session.exec(
        select(TransferOffer).where(col(TransferOffer.case_id).in_(case_ids),
                                    col(TransferOffer.accepted).is_(True))
        .order_by(col(TransferOffer.case_id), col(TransferOffer.id))).all()}
    return {case_id for case_id, offer in latest.items()
            if offer.receiving_enc is not None
            and (offer.responsible_from is None or on < offer.responsible_from)
            and cipher.decrypt(offer.receiving_enc) == municipality}


def is_destination(session: Session, cipher: Cipher, case_id: uuid.UUID, *,
                   municipality: str, tag: str | None = None) -> bool:
    """Whether `municipality` is the case's destination: by the relocation's tag
    (adapters/org_tag.py), without decrypting; a relocation decided before the tag
    existed is decrypted."""
    return case_id in _destinations(session, cipher, [case_id], municipality=municipality,
                                    tag=tag)


def _destinations(session: Session, cipher: Cipher, case_ids: Sequence[uuid.UUID], *,
                  municipality: str, tag: str | None = None) -> set[uuid.UUID]:
    """Of these cases, those whose latest relocation's destination is `municipality` (one
    query; the organisation's tag looked up once, and only when a relocation carries a
    tag)."""
    if not case_ids:
        return set()
    latest = {row[0]: row for row in session.exec(
        select(Relocation.case_id, Relocation.destination_tag, Relocation.destination_enc)
        .where(col(Relocation.case_id).in_(case_ids))
        .order_by(col(Relocation.case_id), col(Relocation.sequence))).all()}
    found: set[uuid.UUID] = set()
    for case_id, row_tag, encrypted in latest.values():
        if row_tag is not None:
            tag = tag or org_tag(session, f"municipality:{municipality}")
            if row_tag == tag:
                found.add(case_id)
        elif cipher.decrypt(encrypted) == municipality:
            found.add(case_id)
    return found


def standing(session: Session, cipher: Cipher, principal: Principal, case: Case, *,
             now: datetime, tag: str | None = None) -> Standing:
    """`tag`: the principal's organisation tag when the caller has it (a caseload)."""
    return standings(session, cipher, principal, [case], now=now, tag=tag)[case.id]


def standings(session: Session, cipher: Cipher, principal: Principal, cases: Sequence[Case],
              *, now: datetime, tag: str | None = None) -> dict[uuid.UUID, Standing]:
    """The principal's standing to each of these cases, by case id: a constant number of
    queries however many cases (each relation's rows for all of them at once)."""
    ids = [case.id for case in cases]
    if not ids:
        return {}
    social = bool(principal.roles & SOCIAL) and principal.municipality is not None
    today = now.date()
    responsible = responsible_for(session, cipher, {c.id: c.placing_municipality
                                                    for c in cases}, on=today) \
        if social else {}
    placing = {c.id for c in cases if social and responsible[c.id] == principal.municipality}
    elsewhere = [c.id for c in cases if social and c.id not in placing]
    destination: set[uuid.UUID] = set()
    receiving: set[uuid.UUID] = set()
    if elsewhere:
        assert principal.municipality is not None
        destination = _destinations(session, cipher, elsewhere,
                                    municipality=principal.municipality, tag=tag)
        receiving = _receiving_of(session, cipher, elsewhere,
                                  municipality=principal.municipality, on=today)
    assigned: dict[uuid.UUID, set[str]] = {}
    for case_id, role in session.exec(select(CaseAssignment.case_id, CaseAssignment.role).where(
            col(CaseAssignment.case_id).in_(ids),
            CaseAssignment.staff_id == principal.staff_id,
            CaseAssignment.organisation == principal.organisation,
            col(CaseAssignment.ended_at).is_(None))).all():
        assigned.setdefault(case_id, set()).add(role)
    agency = principal.agency
    disclosed: set[uuid.UUID] = set()
    if principal.org_kind == "agency" and agency is not None:
        disclosed = set(session.exec(select(AgencyRequest.case_id).where(
            col(AgencyRequest.case_id).in_(ids), AgencyRequest.agency == agency.value,
            col(AgencyRequest.status).in_(DISCLOSED))).all())
    glass = set(session.exec(select(BreakGlass.case_id).where(
        col(BreakGlass.case_id).in_(ids), BreakGlass.subject == principal.subject,
        BreakGlass.organisation == principal.organisation,
        col(BreakGlass.opened_at) <= now, col(BreakGlass.expires_at) > now)).all())
    levels = dict(session.exec(select(Person.id, Person.protection_level).where(
        col(Person.id).in_({c.person_id for c in cases}))).all())
    police = {r.value for r in POLICE}
    found = {}
    for case in cases:
        relations: set[Relation] = set()
        if case.id in placing:
            relations.add(Relation.PLACING)
        if case.id in destination:
            relations.add(Relation.DESTINATION)
        if case.id in receiving:
            relations.add(Relation.RECEIVING)
        roles = assigned.get(case.id, set())
        if principal.roles & POLICE and roles & police:
            relations.add(Relation.POLICE)
        if case.id in disclosed:
            relations.add(Relation.AGENCY)
        if case.id in glass:
            relations.add(Relation.BREAK_GLASS)
        level = levels.get(case.person_id)
        # A person the principal may not see (row-level security: the destination before
        # it accepted, an operator) counts as protected: nothing of them is shown anyway.
        found[case.id] = Standing(case.id, case.case_number, frozenset(relations),
                                  handler=bool(roles & HANDLER_ASSIGNMENTS),
                                  protected=level is None or level in PROTECTED_LEVELS)
    return found


def hidden(case_id: uuid.UUID, case_number: str) -> Standing:
    """The standing to a case outside the principal's scope (row-level security hides
    it; break-glass found it by its number): no relation, the identity masked."""
    return Standing(case_id, case_number, frozenset(), handler=False, protected=True)
