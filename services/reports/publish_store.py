"""Reports over every case, made where every case is seen (the workers' role
`utvag_worker`, or the owner for the CLI) and stored in `published_report` for the case
service to hand out (docs/reports.md). What is stored is the suppressed output only: the
HTML, the PDF, every table as CSV in a zip, and the tables as JSON (the API's `json`).

Idempotent: one report per kind, parameters and day (the runtime's clock); making it
again that day makes and stores nothing and says so (a report asked for later is made
again the next day, with what was recorded since). Prefect-free: the flows call these."""

from __future__ import annotations

import io
import uuid
import zipfile
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Session

from models.report_tables import PUBLISHED_REPORT, PublishedReport
from services.reports.account import grant_account
from services.reports.downloads import IncompleteView, sees_every_case
from services.reports.followup import FollowUpReport, followup_report
from services.reports.render_csv import table_csv
from services.reports.render_html import render_account_html, render_followup_html
from services.reports.render_pdf import html_to_pdf
from services.reports.tables import PublishedTable
from services.runtime import Runtime


class ReportKind(StrEnum):
    GRANT_ACCOUNT = "grant_account"
    FOLLOWUP_NATIONAL = "followup_national"


def year_key(year: int) -> str:
    return str(year)


def period_key(start: date, end: date) -> str:
    return f"{start.isoformat()}/{end.isoformat()}"


def account_stem(year: int) -> str:
    return f"statliga-medel-{year}"


def followup_stem(start: date, end: date) -> str:
    return f"uppfoljning-riket-{start.isoformat()}-{end.isoformat()}"


@dataclass(frozen=True)
class Stored:
    id: uuid.UUID
    created: bool  # False: that day's report was already stored (nothing written)


def table_json(t: PublishedTable) -> dict[str, Any]:
    return {"key": t.key, "title": t.title, "columns": list(t.columns),
            "rows": [[c.text for c in row] for row in t.rows], "note": t.note}


def followup_json(report: FollowUpReport) -> dict[str, Any]:
    """The API's follow-up answer (`FollowUpOut`): published cells only."""
    return {"scope": report.scope, "start": report.start.isoformat(),
            "end": report.end.isoformat(), "cases": report.cases.text,
            "enough": report.enough, "tables": [table_json(t) for t in report.tables]}


def csv_zip(stem: str, tables: tuple[PublishedTable, ...]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for t in tables:
            archive.writestr(f"{stem}-{t.key}.csv", table_csv(t))
    return buffer.getvalue()


def _require_every_case(session: Session) -> None:
    if not sees_every_case(session):
        raise IncompleteView("this report covers every case; this database role does not "
                             "see them all (run it as utvag_worker)")


def _made(session: Session, kind: ReportKind, parameters: str, day: date) -> uuid.UUID | None:
    found: uuid.UUID | None = session.execute(sa.select(PUBLISHED_REPORT.c.id).where(
        PUBLISHED_REPORT.c.kind == kind.value, PUBLISHED_REPORT.c.parameters == parameters,
        PUBLISHED_REPORT.c.made_on == day)).scalar_one_or_none()
    return found


def _store(rt: Runtime, row: PublishedReport) -> Stored:
    values = {c.name: getattr(row, c.name) for c in PUBLISHED_REPORT.columns}
    statement = (postgresql.insert(PUBLISHED_REPORT).values(**values)
                 .on_conflict_do_nothing(constraint="uq_published_report_kind_parameters_day")
                 .returning(PUBLISHED_REPORT.c.id))
    with rt.uow() as session:
        made = session.execute(statement).scalar_one_or_none()
        if made is not None:
            return Stored(made, True)
        found = _made(session, ReportKind(row.kind), row.parameters, row.made_on)
        assert found is not None, "the conflicting row is there"
        return Stored(found, False)


def store_grant_account(rt: Runtime, *, year: int, run_id: str | None = None) -> Stored:
    """Make the annual account for `year` and store it (one per year and day)."""
    now = rt.now()
    with rt.uow() as session:
        _require_every_case(session)
        if (done := _made(session, ReportKind.GRANT_ACCOUNT, year_key(year),
                          now.date())) is not None:
            return Stored(done, False)
        account = grant_account(session, year=year)
    html = render_account_html(account, generated=now.date())
    tables = account.tables()
    return _store(rt, PublishedReport(
        kind=ReportKind.GRANT_ACCOUNT.value, parameters=year_key(year), year=year,
        made_on=now.date(), made_at=now, made_by_run=run_id, html=html.encode("utf-8"),
        pdf=html_to_pdf(html), csv_zip=csv_zip(account_stem(year), tables),
        tables={"year": year, "has_data": account.has_data,
                "tables": [table_json(t) for t in tables]}))


def store_followup_national(rt: Runtime, *, start: date, end: date,
                            run_id: str | None = None) -> Stored:
    """Make the national follow-up statistics of the period and store them (one per
    period and day). Raises `FollowUpRefused` (naming the field) for a bad period."""
    now = rt.now()
    with rt.uow() as session:
        _require_every_case(session)
        if (done := _made(session, ReportKind.FOLLOWUP_NATIONAL, period_key(start, end),
                          now.date())) is not None:
            return Stored(done, False)
        report = followup_report(session, start=start, end=end, municipality=None,
                                 cipher=rt.cipher, as_of=now)
    html = render_followup_html(report, generated=now.date())
    return _store(rt, PublishedReport(
        kind=ReportKind.FOLLOWUP_NATIONAL.value, parameters=period_key(start, end),
        period_start=start, period_end=end, made_on=now.date(), made_at=now,
        made_by_run=run_id, html=html.encode("utf-8"), pdf=html_to_pdf(html),
        csv_zip=csv_zip(followup_stem(start, end), report.tables),
        tables=followup_json(report)))
