"""The followup-national flow under Prefect's harness: it stores the national statistics
of the period for the case service (suppressed tables only), once a day; without a
period, the calendar year before the runtime's today. Its deployment has no schedule
and a form of two dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from prefect import flow

from deployments.registry import registry
from flows.followup_report import make_followup_national
from services.reports import publish_serve as published
from services.reports.publish_store import ReportKind
from services.runtime import Runtime
from tests.fakes.clock import FakeClock
from tests.followup_support import Spec, add_cases


def _run(rt: Runtime, start: date | None, end: date | None) -> dict[str, Any]:
    @flow(name="followup-national-under-test", persist_result=False)
    def followup_run(start: date | None, end: date | None) -> dict[str, Any]:
        return make_followup_national(start, end, rt=rt)

    result: dict[str, Any] = followup_run(start, end)
    return result


def test_the_year_before_is_stored_for_the_service_once_a_day(
        rt: Runtime, clock: FakeClock, prefect_harness: None) -> None:
    add_cases(rt, [Spec(municipality="0180", opened=datetime(2025, 3, 3, 9, tzinfo=UTC))
                   for _ in range(7)])
    clock.set(datetime(2026, 2, 1, 8, tzinfo=UTC))
    assert _run(rt, None, None) == {"start": "2025-01-01", "end": "2025-12-31",
                                    "stored": True}
    assert _run(rt, date(2025, 1, 1), date(2025, 12, 31))["stored"] is False
    found = published.latest(rt, ReportKind.FOLLOWUP_NATIONAL, "2025-01-01/2025-12-31")
    assert found is not None and found.tables["cases"] == "7"
    assert "UTV-" not in found.html.decode("utf-8")


def test_the_deployment_asks_for_two_dates_and_runs_when_started() -> None:
    (spec,) = [s for s in registry(sweep_every=timedelta(hours=24))
               if s.name == "followup-national"]
    assert (spec.cron, spec.interval, spec.parameters) == (None, None, {})
    assert set(spec.parameter_schema["properties"]) == {"start", "end"}
