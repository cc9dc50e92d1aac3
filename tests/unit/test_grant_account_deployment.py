"""The yearly grant-account deployment: scheduled once a year for the year before, one
run at a time, a form that asks for a year only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from deployments.registry import DeploymentSpec, registry
from flows.grant_account import account_year


def _spec() -> DeploymentSpec:
    # The sweep's interval handed in: the registry then reads no settings.
    return {s.name: s for s in registry(sweep_every=timedelta(hours=24))}["grant-account"]


def test_the_account_is_scheduled_on_15_january_one_run_at_a_time() -> None:
    spec = _spec()
    assert (spec.cron, spec.interval) == ("0 5 15 1 *", None)
    assert spec.concurrency is not None and spec.concurrency.limit == 1
    assert spec.parameters == {}


def test_the_form_asks_for_a_year_and_nothing_else() -> None:
    schema = _spec().parameter_schema
    assert set(schema["properties"]) == {"year"}
    assert "year" not in schema.get("required", [])


def test_without_a_year_the_run_accounts_for_the_year_before() -> None:
    assert account_year(None, today=datetime(2027, 1, 15, 5, tzinfo=UTC)) == 2026
    assert account_year(2022, today=datetime(2027, 1, 15, 5, tzinfo=UTC)) == 2022
