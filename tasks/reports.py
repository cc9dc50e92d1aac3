"""The annual account of the state grant as a Prefect task: the PDF and the CSV tables
written to the reports directory (`services.reports.publish`). Returns only what the run
may show: the year, the published tables as markdown (counts after suppression, amounts)
and file names. No case number, name or destination."""

from __future__ import annotations

from dataclasses import dataclass

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
