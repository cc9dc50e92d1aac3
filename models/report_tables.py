"""Reports over every case, made by the workers (role `utvag_worker`, which sees every
case) and handed out by the case service (role `utvag_app`, which does not). Created by
migration 0018_published_reports.

`published_report` holds one made report: its kind (`grant_account` for a year,
`followup_national` for a period), its parameters as a key (`"2022"`,
`"2026-01-01/2026-12-31"`), the day it was made (one per kind, parameters and day), the
run that made it, and its output: HTML, PDF, every table as CSV in a zip and the tables
as JSON. Only suppressed counts and amounts: no case, person, name or case number.

`report_request` records that a grants officer asked for a report none was made for, and
the run started for it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Field, SQLModel

KINDS = "kind IN ('grant_account', 'followup_national')"


class PublishedReport(SQLModel, table=True):
    __tablename__ = "published_report"
    __table_args__ = (
        sa.CheckConstraint(KINDS, name="ck_published_report_kind"),
        sa.CheckConstraint(
            "(kind = 'grant_account' AND year IS NOT NULL AND period_start IS NULL"
            " AND period_end IS NULL) OR (kind = 'followup_national' AND year IS NULL"
            " AND period_start IS NOT NULL AND period_end >= period_start)",
            name="ck_published_report_parameters"),
        sa.UniqueConstraint("kind", "parameters", "made_on",
                            name="uq_published_report_kind_parameters_day"),
        sa.Index("ix_published_report_lookup", "kind", "parameters", "made_at"),
    )
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    kind: str = Field(max_length=30)
    parameters: str = Field(max_length=40)
    year: int | None = None
    period_start: date | None = None
    period_end: date | None = None
    made_on: date
    made_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    made_by_run: str | None = Field(default=None, max_length=64)
    html: bytes
    pdf: bytes
    csv_zip: bytes
    tables: Any = Field(sa_column=sa.Column(postgresql.JSONB(), nullable=False))


class ReportRequest(SQLModel, table=True):
    __tablename__ = "report_request"
    __table_args__ = (
        sa.CheckConstraint(KINDS, name="ck_report_request_kind"),
        sa.Index("ix_report_request_lookup", "kind", "parameters", "requested_at"),
    )
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    kind: str = Field(max_length=30)
    parameters: str = Field(max_length=40)
    requested_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    requested_by: str = Field(max_length=200)
    flow_run_id: str | None = Field(default=None, max_length=64)


# The tables themselves, for statements (insert ... on conflict, column selects).
PUBLISHED_REPORT = cast(sa.Table, PublishedReport.__table__)  # type: ignore[attr-defined]
REPORT_REQUEST = cast(sa.Table, ReportRequest.__table__)  # type: ignore[attr-defined]
