"""Tables of the case's life over time: who is responsible for it, and the person's
establishment in the new town. Municipalities are encrypted with a keyed hash to find
them: after a move the responsible municipality is where the person lives."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlmodel import Field, SQLModel

from models.columns import identity_pk


class CaseResponsibility(SQLModel, table=True):
    """One municipality's part in a case over a period: `residence` (bosättningskommun,
    responsible for the case), `stay` (vistelsekommun, where the person stays after a
    move) or `costs` (pays the support). No row for a role: the placing municipality
    holds it (residence and costs) from the case's opening."""

    __tablename__ = "case_responsibility"
    id: int | None = identity_pk()
    case_id: uuid.UUID = Field(foreign_key="case.id", index=True)
    role: str = Field(max_length=10)
    municipality_enc: bytes
    municipality_hash: str = Field(max_length=64, index=True)
    valid_from: date
    valid_to: date | None = None  # exclusive; None: still holds
    basis: str = Field(max_length=20)  # opened, relocation, transfer
    recorded_by: str = Field(max_length=100)
    recorded_at: datetime


class Establishment(SQLModel, table=True):
    """Social services' record that the person is (or is not yet) established in the new
    town: more lasting housing, an occupation, and whether support is still needed."""

    __tablename__ = "case_establishment"
    id: int | None = identity_pk()
    case_id: uuid.UUID = Field(foreign_key="case.id", index=True)
    stable_housing: bool
    occupation: bool
    support_needed: bool
    recorded_by: str = Field(max_length=100)
    recorded_at: datetime
