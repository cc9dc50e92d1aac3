"""The case service's side of the reports over every case (docs/reports.md): hand out
the latest stored report for its parameters (`published_report`, made by the workers),
or record a request for it and have its run started. Runs as the signed-in grants
officer's runtime (role utvag_app): it reads only stored, suppressed output."""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from models.report_tables import PUBLISHED_REPORT, REPORT_REQUEST
from services.reports.downloads import MEDIA, ZIP, Download, UnknownTable
from services.reports.output import OutputFormat
from services.reports.publish_store import ReportKind
from services.runtime import Runtime

# The deployments that make them (deployments/registry.py): started with years and dates
# only, never anything personal.
GRANT_ACCOUNT_DEPLOYMENT = "grant-account/grant-account"
FOLLOWUP_NATIONAL_DEPLOYMENT = "followup-national/followup-national"

# A request with a started run younger than this is the one in progress: asking again
# starts no second run. An older one (its run failed or is stuck) is asked again.
PENDING_FOR = timedelta(minutes=15)


@dataclass(frozen=True)
class StoredReport:
    kind: str
    parameters: str
    made_at: datetime
    html: bytes
    pdf: bytes
    csv_zip: bytes
    tables: dict[str, Any]


@dataclass(frozen=True)
class Requested:
    id: uuid.UUID
    flow_run_id: str | None
    requested_at: datetime
    started: bool  # False: a run for the same report was already under way


class RunNotStarted(RuntimeError):
    """The run that makes the report could not be started (nothing recorded)."""


_P = PUBLISHED_REPORT.c
_R = REPORT_REQUEST.c


def latest(rt: Runtime, kind: ReportKind, parameters: str) -> StoredReport | None:
    """The newest stored report of `kind` for `parameters`."""
    with rt.uow() as session:
        row = session.execute(
            sa.select(_P.kind, _P.parameters, _P.made_at, _P.html, _P.pdf, _P.csv_zip,
                      _P.tables)
            .where(_P.kind == kind.value, _P.parameters == parameters)
            .order_by(_P.made_at.desc()).limit(1)).one_or_none()
    if row is None:
        return None
    return StoredReport(row.kind, row.parameters, row.made_at, bytes(row.html),
                        bytes(row.pdf), bytes(row.csv_zip), dict(row.tables))


def request(rt: Runtime, kind: ReportKind, parameters: str, *, by: str,
            start_run: Callable[[], uuid.UUID]) -> Requested:
    """Record that `by` asked for the report and start its run, unless a run started
    for it less than `PENDING_FOR` ago. Raises `RunNotStarted` if Prefect does not
    take the run (the request is then not recorded)."""
    now = rt.now()
    with rt.uow() as session:
        pending = session.execute(
            sa.select(_R.id, _R.flow_run_id, _R.requested_at)
            .where(_R.kind == kind.value, _R.parameters == parameters,
                   _R.flow_run_id.is_not(None), _R.requested_at > now - PENDING_FOR)
            .order_by(_R.requested_at.desc()).limit(1)).one_or_none()
    if pending is not None:
        return Requested(pending.id, pending.flow_run_id, pending.requested_at, False)
    try:
        run_id = str(start_run())
    except Exception as exc:
        raise RunNotStarted(f"the report's run could not be started ({type(exc).__name__})") \
            from None
    made = uuid.uuid4()
    with rt.uow() as session:
        session.execute(sa.insert(REPORT_REQUEST).values(
            id=made, kind=kind.value, parameters=parameters, requested_at=now,
            requested_by=by, flow_run_id=run_id))
    return Requested(made, run_id, now, True)


def download(stored: StoredReport, *, fmt: OutputFormat, stem: str,
             table: str | None = None) -> Download:
    """The stored report in `fmt`; CSV: one table by its key, or every table in a zip."""
    match fmt:
        case OutputFormat.HTML:
            return Download(f"{stem}.html", MEDIA[fmt], stored.html)
        case OutputFormat.PDF:
            return Download(f"{stem}.pdf", MEDIA[fmt], stored.pdf)
        case OutputFormat.CSV if table is not None:
            keys = [str(t["key"]) for t in stored.tables.get("tables", [])]
            if table not in keys:
                raise UnknownTable("table: one of " + ", ".join(keys))
            with zipfile.ZipFile(io.BytesIO(stored.csv_zip)) as archive:
                content = archive.read(f"{stem}-{table}.csv")
            return Download(f"{stem}-{table}.csv", MEDIA[fmt], content)
        case OutputFormat.CSV:
            return Download(f"{stem}-csv.zip", ZIP, stored.csv_zip)
    raise AssertionError(fmt)
