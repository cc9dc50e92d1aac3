"""grant-account: the police's annual account of the state grant to defector work for a
year (*Redovisning av statliga medel till avhopparverksamhet*), the report the
government asks for by 2 May.

Writes the PDF (with charts) and every table as CSV to the reports directory
(`UTVAG_REPORTS_DIR`, else `<data dir>/reports`) and publishes the tables as the
markdown artifact `grant-account-<year>`: published counts (small ones suppressed) and
amounts only, no case numbers. Stores the same account (HTML, PDF, CSV, tables) in
`published_report`, from which the case service hands it to the grants officer (who
can also have a run started for a year: `start_report_run`). Deployed yearly by
`deployments/registry.py` (15 January, for the year before). Locally, without Prefect:
`utvag report grants --year 2022`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from adapters.logs import configure_logging, get_logger
from services.runtime import Runtime, runtime
from tasks.reports import store_grant_account_task, write_grant_account


def account_year(year: int | None, *, today: datetime) -> int:
    """The year asked for, else the year before the run (the account is made after the
    year has ended)."""
    return year if year is not None else today.year - 1


@flow(name="grant-account", persist_result=False)
def grant_account(year: int | None = None) -> dict[str, Any]:
    """`year`: the year to account for; empty: the year before."""
    configure_logging()
    return make_account(year, rt=runtime())


def make_account(year: int | None, *, rt: Runtime) -> dict[str, Any]:
    """The flow's body, on the runtime it is handed (a test hands in its own)."""
    chosen = account_year(year, today=rt.now())
    written = write_grant_account(chosen, rt)
    stored = store_grant_account_task(chosen, rt)
    create_markdown_artifact(key=f"grant-account-{chosen}", markdown=written.markdown,
                             description=f"The state grant's annual account for {chosen}")
    get_logger().info("grant_account.written", year=chosen, has_data=written.has_data,
                      files=len(written.files), stored=stored)
    return {"year": chosen, "has_data": written.has_data, "files": written.files,
            "stored": stored}
