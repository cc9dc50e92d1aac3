"""What an agency sees of a case: only what was disclosed to it (with consent, for a
purpose): the requests the case sent it, and the person they were about. A protected
identity stays masked (agency staff are never the case's assigned handlers)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel
from sqlmodel import col, select

from models.tables import AgencyRequest, Case, Person
from services.access.relations import DISCLOSED
from services.runtime import Runtime

MASK = "(skyddad identitet)"


class RequestView(BaseModel):
    kind: str
    status: str
    sent_at: datetime | None
    answered_at: datetime | None


class DisclosedView(BaseModel):
    case_number: str
    agency: str
    name: str
    identity_number: str
    requests: list[RequestView]


def disclosed_view(rt: Runtime, case_id: uuid.UUID, *, agency: str,
                   masked: bool) -> DisclosedView:
    with rt.uow() as session:
        case = session.get_one(Case, case_id)
        person = session.get_one(Person, case.person_id)
        rows = session.exec(select(AgencyRequest).where(
            AgencyRequest.case_id == case_id, AgencyRequest.agency == agency,
            col(AgencyRequest.status).in_(DISCLOSED)).order_by(col(AgencyRequest.id))).all()
        return DisclosedView(
            case_number=case.case_number, agency=agency,
            name=MASK if masked else rt.cipher.decrypt(person.name_enc),
            identity_number=MASK if masked else rt.cipher.decrypt(person.identity_enc),
            requests=[RequestView(kind=r.kind, status=r.status, sent_at=r.sent_at,
                                  answered_at=r.answered_at) for r in rows])
