"""The state grant and the reports (docs/reports.md): the grants officer's year (caps
against the ledger, applications, decisions, payouts, completions asked for), the
records the grants officer makes for applications that do not come from a case, the
annual account as HTML, PDF or CSV, and follow-up statistics for one's own
municipality (its coordinators) or the nation (the grants officer: the police's
national coordination function). Every read is authorized and journaled before it is
made; nothing here carries personal data, and every count of people is suppressed.

A municipality's statistics are always the caller's own municipality, from the token:
no municipality is ever typed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from caseservice.deps import Actor
from caseservice.errors import ApiError, refused
from models.grant_model import DecidingFunction, DecisionOutcome
from models.grants import RejectionReason
from services.access.policy import Action
from services.reports import downloads, officer, records
from services.reports.followup import FollowUpRefused, FollowUpReport
from services.reports.output import OutputFormat
from services.reports.records import REFERENCE, ApplicationIn, DecisionIn, GrantRecordError
from services.reports.tables import PublishedTable

router = APIRouter(tags=["reports"])
Year = Annotated[int, Path(ge=2000, le=2100, description="the grant year")]
Format = Literal["html", "pdf", "csv"]
From = Annotated[date, Query(alias="from", description="the first day of the period")]
To = Annotated[date, Query(alias="to", description="the last day of the period")]
FollowUpFormat = Literal["json", "html", "pdf", "csv"]
TableKey = Query(default=None, pattern=r"^[a-z-]{1,40}$",
                 description="csv: one table by its key; without it, every table in a zip")
Reference = Field(pattern=REFERENCE, description="the police's reference (Dnr)")


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DecisionBody(Body):
    reference: str = Reference
    outcome: DecisionOutcome
    amount_sek: int | None = Field(default=None, gt=0, le=10**10)
    rejection_reason: RejectionReason | None = None
    decided_on: date
    decided_by: DecidingFunction


class UsesBody(Body):
    reference: str = Reference
    uses: dict[str, int] = Field(min_length=1, max_length=20,
                                 description="intervention category -> whole kronor")


class PayoutBody(Body):
    reference: str = Field(pattern=REFERENCE, description="the payout's own reference")
    amount_sek: int = Field(gt=0, le=10**10)
    paid_on: date
    application: str | None = Field(default=None, pattern=REFERENCE,
                                    description="the granted application's reference")
    case_number: str | None = Field(default=None, pattern=r"^UTV-[0-9]{4}-[0-9]{6}$")


class RecordedOut(BaseModel):
    reference: str
    created: bool  # False: the same record was already there (nothing written)


class CapsOut(BaseModel):
    total_cap_sek: int
    direct_operational_cap_sek: int
    provisional: bool
    source_year: int


class ApplicationOut(BaseModel):
    reference: str
    source: str
    kind: str
    applicant_kind: str
    applicant: str
    municipality_code: str | None
    received_on: date | None
    amount_applied_sek: int | None
    status: str
    amount_sek: int | None
    rejection_reason: str | None
    decided_on: date | None
    paid_sek: int


class CaseGrantOut(BaseModel):
    case_number: str
    kind: str
    status: str
    amount_sek: int | None
    decided_on: date
    paid_sek: int


class CompletionOut(BaseModel):
    case_number: str
    since: datetime


class GrantYearOut(BaseModel):
    year: int
    caps: CapsOut | None
    granted_sek: dict[str, int]
    granted_total_sek: int
    left_sek: int | None
    direct_left_sek: int | None
    paid_sek: int
    applications: list[ApplicationOut]
    case_grants: list[CaseGrantOut]
    completions: list[CompletionOut]


class TableOut(BaseModel):
    key: str
    title: str
    columns: list[str]
    rows: list[list[str]]  # as published: "<5", "x", ".." for hidden counts
    note: str | None


class FollowUpOut(BaseModel):
    scope: str
    start: date
    end: date
    cases: str
    enough: bool  # False: too few cases to publish anything but that
    tables: list[TableOut]


def _record(call: Any) -> RecordedOut:
    try:
        done: records.Recorded = call()
    except (GrantRecordError, ValueError) as exc:
        raise refused(exc) from None
    return RecordedOut(reference=done.reference, created=done.created)


def table_out(t: PublishedTable) -> TableOut:
    return TableOut(key=t.key, title=t.title, columns=list(t.columns),
                    rows=[[c.text for c in row] for row in t.rows], note=t.note)


def followup_out(report: FollowUpReport) -> FollowUpOut:
    return FollowUpOut(scope=report.scope, start=report.start, end=report.end,
                       cases=report.cases.text, enough=report.enough,
                       tables=[table_out(t) for t in report.tables])


def _download(found: downloads.Download) -> Response:
    return Response(found.content, media_type=found.media_type, headers={
        "Content-Disposition": f'attachment; filename="{found.filename}"'})


@router.get("/grants/years/{year}", response_model=GrantYearOut)
def grant_year(year: Year, ctx: Actor) -> GrantYearOut:
    """The year's ledger against its caps (as decided, dated), the applications that do
    not come from a case, the case flow's decisions and the completions asked for."""
    ctx.allow(Action.GRANT_YEAR)
    with ctx.rt.uow() as session:
        found = officer.grant_year(session, year=year, today=ctx.rt.now().date())
    return GrantYearOut.model_validate(found, from_attributes=True)


@router.post("/grants/applications", response_model=RecordedOut, status_code=201)
def record_application(body: ApplicationIn, ctx: Actor) -> RecordedOut:
    """An application that does not come from a case (agency development work, direct
    operational support, an individual case handled outside Utväg); idempotent by its
    reference."""
    ctx.allow(Action.GRANT_RECORD)
    rt = ctx.rt

    def call() -> records.Recorded:
        with rt.uow() as session:
            return records.record_application(session, body, by=ctx.by, now=rt.now())
    return _record(call)


@router.post("/grants/decisions", response_model=RecordedOut, status_code=201)
def record_decision(body: DecisionBody, ctx: Actor) -> RecordedOut:
    """The decision on such an application: an amount (checked against the caps in
    force that day and the year's allocation decision) or a rejection reason."""
    ctx.allow(Action.GRANT_RECORD)
    rt = ctx.rt

    def call() -> records.Recorded:
        decision = DecisionIn(outcome=body.outcome, amount_sek=body.amount_sek,
                              rejection_reason=body.rejection_reason,
                              decided_on=body.decided_on, decided_by=body.decided_by)
        with rt.uow() as session:
            return records.record_decision(session, reference=body.reference,
                                           decision=decision, by=ctx.by, now=rt.now())
    return _record(call)


@router.post("/grants/uses", response_model=RecordedOut, status_code=201)
def record_uses(body: UsesBody, ctx: Actor) -> RecordedOut:
    """What a granted individual-case application was used for, by intervention
    category."""
    ctx.allow(Action.GRANT_RECORD)

    def call() -> records.Recorded:
        with ctx.rt.uow() as session:
            return records.record_uses(session, reference=body.reference, uses=body.uses)
    return _record(call)


@router.post("/grants/payouts", response_model=RecordedOut, status_code=201)
def record_payout(body: PayoutBody, ctx: Actor) -> RecordedOut:
    """A payout on a granted application or a case's granted decision (by its number);
    all payouts together at most the granted amount."""
    ctx.allow(Action.GRANT_RECORD)
    rt = ctx.rt

    def call() -> records.Recorded:
        with rt.uow() as session:
            return records.record_payout(
                session, reference=body.reference, amount_sek=body.amount_sek,
                paid_on=body.paid_on, by=ctx.by, now=rt.now(), application=body.application,
                case_number=body.case_number)
    return _record(call)


def _unavailable(exc: Exception) -> ApiError:
    return ApiError(503, None, str(exc))


@router.get("/reports/grants/{year}", response_class=Response,
            responses={200: {"content": {"text/html": {}, "application/pdf": {},
                                         "text/csv": {}, "application/zip": {}}}})
def grant_account(year: Year, ctx: Actor, format: Format = "html",  # noqa: A002 - the API's word
                  table: str | None = TableKey) -> Response:
    """The police's annual account of the state grant for the year."""
    ctx.allow(Action.REPORT_GRANTS)
    try:
        return _download(downloads.account_download(ctx.rt, year=year,
                                                    fmt=OutputFormat(format), table=table))
    except downloads.UnknownTable as exc:
        raise refused(exc) from None
    except downloads.IncompleteView as exc:
        raise _unavailable(exc) from None


def _followup(ctx: Actor, *, municipality: str | None, start: date, end: date,
              format: str, table: str | None) -> Response:  # noqa: A002 - the API's word
    try:
        report = downloads.followup_of(ctx.rt, start=start, end=end,
                                       municipality=municipality)
    except FollowUpRefused as exc:
        raise refused(exc) from None
    except downloads.IncompleteView as exc:
        raise _unavailable(exc) from None
    if format == "json":
        return JSONResponse(followup_out(report).model_dump(mode="json"))
    stem = f"uppfoljning-{municipality or 'riket'}-{start.isoformat()}-{end.isoformat()}"
    try:
        return _download(downloads.followup_download(
            report, fmt=OutputFormat(format), generated=ctx.rt.now().date(), stem=stem,
            table=table))
    except downloads.UnknownTable as exc:
        raise refused(exc) from None


FOLLOWUP_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": FollowUpOut, "content": {"application/json": {}, "text/html": {},
                                            "application/pdf": {}, "text/csv": {},
                                            "application/zip": {}}}}


@router.get("/reports/followup/municipality", response_class=Response,
            responses=FOLLOWUP_RESPONSES)
def followup_municipality(ctx: Actor, start: From, end: To,
                          format: FollowUpFormat = "json",  # noqa: A002 - the API's word
                          table: str | None = TableKey) -> Response:
    """Follow-up statistics of the cases the caller's municipality placed, opened in the
    period (the municipality is the caller's organisation, never typed)."""
    ctx.allow(Action.FOLLOWUP_MUNICIPALITY)
    municipality = ctx.principal.municipality
    assert municipality is not None, "a coordinator belongs to a municipality"
    return _followup(ctx, municipality=municipality, start=start, end=end, format=format,
                     table=table)


@router.get("/reports/followup/national", response_class=Response,
            responses=FOLLOWUP_RESPONSES)
def followup_national(ctx: Actor, start: From, end: To,
                      format: FollowUpFormat = "json",  # noqa: A002 - the API's word
                      table: str | None = TableKey) -> Response:
    """Follow-up statistics of every case opened in the period."""
    ctx.allow(Action.FOLLOWUP_NATIONAL)
    return _followup(ctx, municipality=None, start=start, end=end, format=format,
                     table=table)
