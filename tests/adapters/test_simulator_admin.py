"""The simulators' admin API, fault injection and logging hygiene."""

from __future__ import annotations

import logging
import time

import httpx
import pytest

from simulators import SimulatorConfig, police
from simulators.faults import Fault, FaultInjector, FaultSettings, FaultUpdate
from simulators.server import is_loopback, start_in_thread
from tests.sims import Sim


def test_health(police_sim: Sim, social_sim: Sim) -> None:
    for sim in (police_sim, social_sim):
        assert httpx.get(f"{sim.base_url}/health").json() == {"status": "ok"}


def test_faults_get_put_and_reset(police_sim: Sim) -> None:
    defaults = police_sim.admin("GET", "/_admin/faults").json()
    assert defaults == FaultSettings().model_dump()
    changed = police_sim.set_faults(latency_ms=5, error_rate=0.25, seed=7)
    assert (changed["latency_ms"], changed["error_rate"], changed["seed"]) == (5, 0.25, 7)
    # Only the given fields change.
    assert police_sim.set_faults(rate_limit_rate=0.5)["error_rate"] == 0.25
    assert police_sim.admin("GET", "/_admin/faults").json()["rate_limit_rate"] == 0.5
    police_sim.reset()
    assert police_sim.admin("GET", "/_admin/faults").json() == defaults


@pytest.mark.parametrize(
    "body", [{"error_rate": 0.7, "rate_limit_rate": 0.7}, {"error_rate": 2}, {"bogus": 1}]
)
def test_invalid_faults_are_rejected(police_sim: Sim, body: dict[str, float]) -> None:
    response = police_sim.client.put("/_admin/faults", json=body)
    assert response.status_code == 422
    assert police_sim.admin("GET", "/_admin/faults").json()["error_rate"] == 0


def test_admin_and_health_are_never_faulted(police_sim: Sim) -> None:
    police_sim.set_faults(error_rate=1.0)
    assert httpx.get(f"{police_sim.base_url}/health").status_code == 200
    assert police_sim.client.get("/_admin/requests").status_code == 200
    assert police_sim.client.get("/openapi.json").status_code == 200
    assert police_sim.client.get("/threat-assessments/x").status_code == 503


def test_rate_limit_has_retry_after(police_sim: Sim) -> None:
    police_sim.set_faults(rate_limit_rate=1.0)
    response = police_sim.client.get("/threat-assessments/x")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "0"


def test_latency_is_added(police_sim: Sim) -> None:
    police_sim.set_faults(latency_ms=150)
    started = time.monotonic()
    assert police_sim.client.get("/threat-assessments/x").status_code == 404
    assert time.monotonic() - started >= 0.15


def test_faults_from_start_up_config() -> None:
    config = SimulatorConfig(test_mode=True, error_rate=1.0)
    with start_in_thread(police.create_app(config)) as running:
        assert httpx.get(f"{running.base_url}/threat-assessments/x").status_code == 503
        faults = httpx.get(f"{running.base_url}/_admin/faults").json()
    assert faults["error_rate"] == 1.0


def test_seeded_faults_are_reproducible() -> None:
    settings = FaultSettings(error_rate=0.3, rate_limit_rate=0.3, timeout_rate=0.3, seed=42)
    first, second = FaultInjector(settings), FaultInjector(settings)
    sequence = [first.draw() for _ in range(200)]
    assert sequence == [second.draw() for _ in range(200)]
    assert set(sequence) == {Fault.ERROR, Fault.RATE_LIMIT, Fault.TIMEOUT, None}


def test_reseeding_restarts_the_sequence() -> None:
    injector = FaultInjector(FaultSettings(error_rate=0.5, seed=1))
    sequence = [injector.draw() for _ in range(50)]
    injector.update(FaultUpdate(seed=1))
    assert [injector.draw() for _ in range(50)] == sequence


def test_scenario_rejects_unknown_fields_and_bad_status(police_sim: Sim) -> None:
    assert police_sim.client.put("/_admin/scenarios/X", json={"levle": "high"}).status_code == 422
    assert (
        police_sim.client.put("/_admin/scenarios/X", json={"reject_status": 200}).status_code == 422
    )
    assert police_sim.client.delete("/_admin/scenarios/X").status_code == 204


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.168.1.10", False),
        ("example.org", False),
    ],
)
def test_is_loopback(host: str, expected: bool) -> None:
    assert is_loopback(host) is expected


def test_logs_contain_no_personal_data(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    body = {
        "case_number": "UTV-LOG",
        "subject": {"identity_number": "191212121212", "name": "Tolvan Tolvansson"},
        "placing_municipality": "0180",
        "milieu": "gang",
    }
    app = police.create_app(SimulatorConfig(test_mode=True, answer_delay_seconds=0))
    with start_in_thread(app, log_level="debug") as running:
        url = f"{running.base_url}/threat-assessments"
        assert httpx.post(url, json=body, headers={"Idempotency-Key": "k"}).status_code == 201
        body["subject"]["identity_number"] = "19121212"  # type: ignore[index]
        assert httpx.post(url, json=body, headers={"Idempotency-Key": "k2"}).status_code == 422
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "POST /threat-assessments" in text  # the access log is on
    assert "19121212" not in text
    assert "Tolvan" not in text
