"""The register sweep is deployed on a schedule: daily unless configured otherwise."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.settings import get_settings
from deployments.registry import registry


def _sweep_interval() -> timedelta | None:
    (spec,) = [s for s in registry() if s.name == "register-sweep"]
    assert spec.concurrency_limit == 1
    return spec.interval


def test_the_register_sweep_runs_daily_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UTVAG_SWEEP_EVERY_HOURS", raising=False)
    get_settings.cache_clear()
    assert _sweep_interval() == timedelta(days=1)


def test_the_sweep_schedule_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UTVAG_SWEEP_EVERY_HOURS", "6")
    get_settings.cache_clear()
    try:
        assert _sweep_interval() == timedelta(hours=6)
    finally:
        monkeypatch.delenv("UTVAG_SWEEP_EVERY_HOURS")
        get_settings.cache_clear()
