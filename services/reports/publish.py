"""A report written to a directory, for the CLI and the yearly flow alike: build it in
one transaction of the runtime's database, render it in the formats asked for, say
where it went. The directory defaults to the configured reports directory
(`UTVAG_REPORTS_DIR`, else `<data dir>/reports`); the day on the report and the moment
waits are judged overdue come from the runtime's clock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Generic, TypeVar

from services.reports.account import GrantAccount, grant_account
from services.reports.followup import FollowUpReport, followup_report
from services.reports.output import OutputFormat, write_report
from services.reports.render_html import render_account_html, render_followup_html
from services.runtime import Runtime

R = TypeVar("R")


@dataclass(frozen=True)
class Published(Generic[R]):
    report: R
    paths: list[Path]


def publish_grant_account(rt: Runtime, *, year: int, formats: Sequence[OutputFormat],
                          out_dir: Path | None = None) -> Published[GrantAccount]:
    """The account for `year` in every format of `formats` (built once)."""
    generated = rt.now().date()
    with rt.uow() as session:
        account = grant_account(session, year=year)
    target = out_dir or rt.settings.resolved_reports_dir
    paths = [path for fmt in formats for path in write_report(
        stem=f"statliga-medel-{year}", fmt=fmt, out_dir=target,
        html=lambda: render_account_html(account, generated=generated),
        tables=account.tables())]
    return Published(account, paths)


def publish_followup(rt: Runtime, *, start: date, end: date, municipality: str | None,
                     fmt: OutputFormat, out_dir: Path | None = None,
                     ) -> Published[FollowUpReport]:
    """Raises `FollowUpRefused` (the message names the field) for a request that cannot
    be answered; nothing is written then."""
    now = rt.now()
    with rt.uow() as session:
        report = followup_report(session, start=start, end=end, municipality=municipality,
                                 cipher=rt.cipher, as_of=now)
    stem = f"uppfoljning-{municipality or 'riket'}-{start.isoformat()}-{end.isoformat()}"
    paths = write_report(stem=stem, fmt=fmt, out_dir=out_dir or rt.settings.resolved_reports_dir,
                         html=lambda: render_followup_html(report, generated=now.date()),
                         tables=report.tables)
    return Published(report, paths)


def account_markdown(account: GrantAccount) -> str:
    """The account's tables as published (counts after suppression, amounts in whole
    kronor), for a Prefect markdown artifact: no case number, name or destination."""
    head = [f"## Redovisning av statliga medel till avhopparverksamhet {account.year}", ""]
    if not account.has_data:
        head += [f"Det finns inga ansökningar registrerade för {account.year}.", ""]
    return "\n\n".join(["\n".join(head)] + [t.markdown() for t in account.tables()])
