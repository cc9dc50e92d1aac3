"""The grant-account flow under Prefect's harness: the PDF and CSV files are written to
the configured reports directory and the tables are published as a markdown artifact
with published counts and amounts only, no case number even for a grant that came from
a case. Without a year, the run accounts for the year before the runtime's today."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from prefect.client.schemas.sorting import ArtifactSort
from sqlalchemy import text

from flows.grant_account import make_account
from services.reports import publish_serve as published
from services.reports.publish_store import ReportKind
from services.runtime import Runtime
from tests.conftest import make_settings
from tests.fakes.clock import FakeClock
from tests.grant_support import add_case_grant, imported_history


@pytest.fixture()
def reports_rt(rt: Runtime, database_url: str, tmp_path: Path) -> Runtime:
    """The test's runtime with its own reports directory."""
    return Runtime(settings=make_settings(database_url, reports_dir=tmp_path / "reports"),
                   db=rt.db, clock=rt.clock, cipher=rt.cipher)


def _run(rt: Runtime, year: int | None) -> dict[str, Any]:
    """The deployed flow's body in a flow run, on the test's runtime."""

    @flow(name="grant-account-under-test", persist_result=False)
    def account_run(year: int | None) -> dict[str, Any]:
        return make_account(year, rt=rt)

    result: dict[str, Any] = account_run(year)
    return result


def _artifact(key: str) -> str:
    with get_client(sync_client=True) as client:
        [artifact, *_] = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
            sort=ArtifactSort.CREATED_DESC)
    return str(artifact.data).replace("\u202f", " ")


def test_the_2022_account_is_written_and_published_without_case_numbers(
        reports_rt: Runtime, prefect_harness: None) -> None:
    imported_history(reports_rt)
    case_number = add_case_grant(reports_rt, 250_000)
    result = _run(reports_rt, 2022)
    assert result["year"] == 2022 and result["has_data"] is True
    reports = reports_rt.settings.resolved_reports_dir
    assert "statliga-medel-2022.pdf" in result["files"]
    assert (reports / "statliga-medel-2022.pdf").read_bytes().startswith(b"%PDF")
    assert (reports / "statliga-medel-2022-fordelning.csv").exists()
    markdown = _artifact("grant-account-2022")
    # The case's 250 000 kr joins Malmö's grants: 125 handled, 114 granted.
    assert "| Totalt | 59 499 534 | 59 249 534 |" in markdown
    assert "| Hanterade ansökningar | 125 |" in markdown
    assert case_number not in markdown and "UTV-" not in markdown
    # Stored for the case service too, by this run; a second run that day stores nothing.
    assert result["stored"] is True
    found = published.latest(reports_rt, ReportKind.GRANT_ACCOUNT, "2022")
    assert found is not None and "59\u202f499\u202f534" in found.html.decode("utf-8")
    with reports_rt.db.engine.connect() as conn:
        (run,) = conn.execute(text("SELECT made_by_run FROM published_report")).scalars()
    assert run is not None and uuid.UUID(run)
    assert _run(reports_rt, 2022)["stored"] is False


def test_without_a_year_the_run_accounts_for_the_year_before_today(
        reports_rt: Runtime, clock: FakeClock, prefect_harness: None) -> None:
    clock.set(datetime(2020, 1, 15, 5, tzinfo=UTC))
    result = _run(reports_rt, None)
    assert (result["year"], result["has_data"]) == (2019, False)
    assert "Det finns inga ansökningar registrerade för 2019." in \
        _artifact("grant-account-2019")
    assert (reports_rt.settings.resolved_reports_dir / "statliga-medel-2019.pdf").exists()
