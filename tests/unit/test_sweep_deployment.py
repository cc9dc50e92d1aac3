"""The register sweep is deployed on a schedule: daily unless configured otherwise."""

from __future__ import annotations

from datetime import timedelta

from adapters.settings import Settings
from deployments.registry import registry
from tests.conftest import make_settings


def _sweep_interval(settings: Settings) -> timedelta | None:
    (spec,) = [s for s in registry(settings=settings) if s.name == "register-sweep"]
    assert spec.concurrency_limit == 1
    return spec.interval


def test_the_register_sweep_runs_daily_by_default() -> None:
    assert _sweep_interval(make_settings("postgresql://nowhere/none")) == timedelta(days=1)


def test_the_sweep_schedule_is_configurable() -> None:
    settings = make_settings("postgresql://nowhere/none", sweep_every_hours=6)
    assert _sweep_interval(settings) == timedelta(hours=6)
