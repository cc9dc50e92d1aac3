"""The annual account of the state grant as a Prefect task: the PDF and the CSV tables
written to the reports directory (`services.reports.publish`). Returns only what the run
may show: the year, the published tables as markdown (counts after suppression, amounts)
and file names. No case number, name or destination."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from prefect import task

from services.reports.output import OutputFormat
from services.reports.publish import account_markdown, publish_grant_account
from services.runtime import Runtime
from tasks.retry import DB_TASK_OPTIONS


@dataclass(frozen=True)
class WrittenAccount:
    year: int
    has_data: bool
    markdown: str
    files: list[str]


# Retried on a lost database connection: it reads, and writes the same files again.
@task(name="write-grant-account", **DB_TASK_OPTIONS)
def write_grant_account(year: int, rt: Runtime) -> WrittenAccount:
    published = publish_grant_account(rt, year=year,
                                      formats=(OutputFormat.PDF, OutputFormat.CSV))
    return WrittenAccount(year, published.report.has_data, account_markdown(published.report),
                          [p.name for p in published.paths])


def _this_run() -> str | None:
    from prefect.runtime import flow_run

    run_id = flow_run.get_id()
    return str(run_id) if run_id else None


# Retried on a lost database connection: storing is idempotent (one per year and day).
@task(name="store-grant-account", **DB_TASK_OPTIONS)
def store_grant_account_task(year: int, rt: Runtime) -> bool:
    """The account stored for the case service to hand out; whether it was new today."""
    from services.reports.publish_store import store_grant_account

    return store_grant_account(rt, year=year, run_id=_this_run()).created


@task(name="store-followup-national", **DB_TASK_OPTIONS)
def store_followup_national_task(start: date, end: date, rt: Runtime) -> bool:
    """The national statistics of the period stored for the case service to hand out."""
    from services.reports.publish_store import store_followup_national

    return store_followup_national(rt, start=start, end=end, run_id=_this_run()).created
