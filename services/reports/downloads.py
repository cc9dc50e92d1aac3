"""Reports as downloads, for the case service and its console: built in one transaction of
the caller's runtime (acting as the signed-in person), rendered in memory, never
written to disk. A report over every case (the annual account, national statistics) is
made only by a database role that sees every case: under the case service's
row-level-security role (`utvag_app`) the grants officer sees no person and no action
plan, and a report made from what it does see would be silently wrong, so it is
refused instead (`IncompleteView`; docs/reports.md).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from services.reports.account import GrantAccount, grant_account
from services.reports.followup import FollowUpReport, followup_report
from services.reports.output import OutputFormat
from services.reports.render_csv import table_csv
from services.reports.render_html import render_account_html, render_followup_html
from services.reports.render_pdf import html_to_pdf
from services.reports.tables import PublishedTable
from services.runtime import Runtime

MEDIA = {OutputFormat.PDF: "application/pdf", OutputFormat.HTML: "text/html; charset=utf-8",
         OutputFormat.CSV: "text/csv; charset=utf-8"}
ZIP = "application/zip"

# Whether the connection's role reads every row of the case tables: a superuser, a role
# that bypasses row-level security, the tables' owner (its `owner_all` policy) or the
# workers' role (`worker_all`).
_SEES_EVERY_CASE = sa.text("""
SELECT r.rolsuper OR r.rolbypassrls OR pg_has_role(current_user, c.relowner, 'MEMBER')
       OR current_user = 'utvag_worker'
  FROM pg_roles r, pg_class c
 WHERE r.rolname = current_user AND c.oid = 'public."case"'::regclass
""")


class IncompleteView(RuntimeError):
    """The database role of this process does not see every case."""


class UnknownTable(LookupError):
    """`table: ...` names no table of the report."""


@dataclass(frozen=True)
class Download:
    filename: str
    media_type: str
    content: bytes


def sees_every_case(session: Session) -> bool:
    return bool(session.execute(_SEES_EVERY_CASE).scalar_one())


def _require_every_case(session: Session) -> None:
    if not sees_every_case(session):
        raise IncompleteView("this report covers every case; the service's database role "
                             "does not see them all (operators: utvag report)")


def _render(stem: str, fmt: OutputFormat, html: str, tables: tuple[PublishedTable, ...],
            table: str | None) -> Download:
    match fmt:
        case OutputFormat.HTML:
            return Download(f"{stem}.html", MEDIA[fmt], html.encode("utf-8"))
        case OutputFormat.PDF:
            return Download(f"{stem}.pdf", MEDIA[fmt], html_to_pdf(html))
        case OutputFormat.CSV if table is not None:
            found = next((t for t in tables if t.key == table), None)
            if found is None:
                raise UnknownTable("table: one of " + ", ".join(t.key for t in tables))
            return Download(f"{stem}-{found.key}.csv", MEDIA[fmt], table_csv(found))
        case OutputFormat.CSV:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for t in tables:
                    archive.writestr(f"{stem}-{t.key}.csv", table_csv(t))
            return Download(f"{stem}-csv.zip", ZIP, buffer.getvalue())


def grant_account_of(rt: Runtime, *, year: int) -> GrantAccount:
    with rt.uow() as session:
        _require_every_case(session)
        return grant_account(session, year=year)


def account_download(rt: Runtime, *, year: int, fmt: OutputFormat,
                     table: str | None = None) -> Download:
    """The account in `fmt`; CSV: one table by its key, or every table in a zip."""
    account = grant_account_of(rt, year=year)
    html = "" if fmt == OutputFormat.CSV else render_account_html(
        account, generated=rt.now().date())
    return _render(f"statliga-medel-{year}", fmt, html, account.tables(), table)


def followup_of(rt: Runtime, *, start: date, end: date,
                municipality: str | None) -> FollowUpReport:
    """`municipality`: its own cases (visible to its coordinators); None: national,
    which needs a role that sees every case. Raises `FollowUpRefused` for a request
    that cannot be answered."""
    with rt.uow() as session:
        if municipality is None:
            _require_every_case(session)
        return followup_report(session, start=start, end=end, municipality=municipality,
                               cipher=rt.cipher, as_of=rt.now())


def followup_download(report: FollowUpReport, *, fmt: OutputFormat, generated: date,
                      stem: str, table: str | None = None) -> Download:
    html = "" if fmt == OutputFormat.CSV else render_followup_html(report, generated=generated)
    return _render(stem, fmt, html, report.tables, table)
