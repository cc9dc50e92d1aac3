"""The simulators' time: answers come when the injected clock reaches them, and
`POST /_admin/answer-now` answers pending requests at once, so no test sleeps for an
agency. Also: each agency's scenario accepts its own overrides only."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from simulators import ManualClock, SimulatorConfig, police, police_grants, social_services
from simulators.catalog import APPS
from simulators.server import start_in_thread

START = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
SUBJECT = {"identity_number": "191212121212", "name": "Tolvan Tolvansson"}
HOUR = 3600.0


def _config(**values: Any) -> SimulatorConfig:
    """Started in test mode: these tests steer the simulators through /_admin."""
    return SimulatorConfig(test_mode=True, **values)


def _threat_request(case_number: str) -> dict[str, Any]:
    return {"case_number": case_number, "subject": SUBJECT, "placing_municipality": "0180",
            "milieu": "gang"}


def _support_request(case_number: str) -> dict[str, Any]:
    return {"case_number": case_number, "subject": SUBJECT, "municipality_code": "0180"}


def _grant_application(case_number: str) -> dict[str, Any]:
    # No interventions: the police ask for a completion within 14 days.
    return {"case_number": case_number, "subject": SUBJECT, "applicant_municipality": "0180",
            "amount_sek": 40_000, "interventions": [],
            "statement": {"by": "noa-1", "supports": True}}


Serve = Callable[[FastAPI], httpx.Client]


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Serve apps on loopback ports for one test; a client for each, all closed after."""
    with ExitStack() as stack:

        def _serve(app: FastAPI) -> httpx.Client:
            running = stack.enter_context(start_in_thread(app))
            return stack.enter_context(httpx.Client(base_url=running.base_url, timeout=5.0))

        yield _serve


def _post(client: httpx.Client, path: str, body: dict[str, Any], key: str) -> str:
    response = client.post(path, json=body, headers={"Idempotency-Key": key})
    assert response.status_code == 201, response.text
    request_id: str = response.json()["request_id"]
    return request_id


def test_an_answer_comes_when_the_clock_reaches_it(serve: Serve) -> None:
    clock = ManualClock(START)
    client = serve(police.create_app(_config(answer_delay_seconds=60), clock=clock))
    request_id = _post(client, "/threat-assessments", _threat_request("UTV-T1"), "k1")
    clock.advance(59)
    assert client.get(f"/threat-assessments/{request_id}").json()["status"] == "pending"
    clock.advance(1)
    answer = client.get(f"/threat-assessments/{request_id}").json()
    assert (answer["status"], answer["level"]) == ("completed", "high")
    assert answer["valid_until"] == (START.date() + timedelta(days=180)).isoformat()


def test_a_decision_is_dated_when_its_delay_ran_out_on_the_clock(serve: Serve) -> None:
    clock = ManualClock(START)
    client = serve(social_services.create_app(_config(answer_delay_seconds=HOUR),
                                              clock=clock))
    request_id = _post(client, "/support-decisions", _support_request("UTV-T2"), "k2")
    clock.advance(days=2)
    answer = client.get(f"/support-decisions/{request_id}").json()
    assert answer["status"] == "decided"
    assert datetime.fromisoformat(answer["decided_at"]) == START + timedelta(hours=1)


def test_answer_now_answers_one_case_and_then_every_pending_request(serve: Serve) -> None:
    clock = ManualClock(START)
    client = serve(social_services.create_app(_config(answer_delay_seconds=HOUR),
                                              clock=clock))
    first = _post(client, "/support-decisions", _support_request("UTV-A"), "ka")
    second = _post(client, "/support-decisions", _support_request("UTV-B"), "kb")
    clock.advance(5)

    answered = client.post("/_admin/answer-now", params={"case_number": "UTV-A"})
    assert answered.json() == {"answered": 1}
    decided = client.get(f"/support-decisions/{first}").json()
    assert decided["status"] == "decided"
    assert datetime.fromisoformat(decided["decided_at"]) == START + timedelta(seconds=5)
    assert client.get(f"/support-decisions/{second}").json()["status"] == "pending"

    assert client.post("/_admin/answer-now").json() == {"answered": 1}
    assert client.get(f"/support-decisions/{second}").json()["status"] == "decided"
    assert client.post("/_admin/answer-now").json() == {"answered": 0}


def test_answer_now_leaves_later_requests_their_delay(serve: Serve) -> None:
    clock = ManualClock(START)
    client = serve(police.create_app(_config(answer_delay_seconds=HOUR), clock=clock))
    client.post("/_admin/answer-now")
    request_id = _post(client, "/threat-assessments", _threat_request("UTV-L"), "kl")
    assert client.get(f"/threat-assessments/{request_id}").json()["status"] == "pending"


def test_answer_now_without_a_test_clock_answers_at_once(serve: Serve) -> None:
    client = serve(police.create_app(_config(answer_delay_seconds=HOUR)))
    request_id = _post(client, "/threat-assessments", _threat_request("UTV-R"), "kr")
    assert client.post("/_admin/answer-now").json() == {"answered": 1}
    assert client.get(f"/threat-assessments/{request_id}").json()["status"] == "completed"


def test_an_answer_given_now_survives_a_restart(serve: Serve, tmp_path: Path) -> None:
    config = _config(answer_delay_seconds=HOUR, state_file=tmp_path / "police.json")
    client = serve(police.create_app(config))
    request_id = _post(client, "/threat-assessments", _threat_request("UTV-S"), "ks")
    client.post("/_admin/answer-now")
    restarted = serve(police.create_app(config))
    assert restarted.get(f"/threat-assessments/{request_id}").json()["status"] == "completed"


def test_a_completion_deadline_passes_on_the_clock(serve: Serve) -> None:
    clock = ManualClock(START)
    client = serve(police_grants.create_app(_config(answer_delay_seconds=0),
                                            clock=clock))
    request_id = _post(client, "/grant-applications", _grant_application("UTV-G"), "kg")
    asked = client.get(f"/grant-applications/{request_id}").json()
    assert asked["status"] == "completion_requested"
    assert asked["completion_deadline"] == (START.date() + timedelta(days=14)).isoformat()
    clock.advance(days=15)
    late = client.get(f"/grant-applications/{request_id}").json()
    assert (late["status"], late["rejection_reason"]) == ("rejected", "not_completed_when_asked")


def test_the_admin_calls_stay_out_of_every_contract() -> None:
    for name, create in APPS.items():
        paths = create(SimulatorConfig()).openapi()["paths"]
        assert not [p for p in paths if p.startswith("/_admin")], name


@pytest.mark.parametrize(("agency", "accepted", "refused"), [
    ("police", {"level": "critical", "exclusion_zones": ["0180"]}, {"decision": "refused"}),
    ("social-services", {"decision": "refused", "interventions": []}, {"level": "high"}),
    ("police-grants", {"grant_completion": True}, {"protection_decision": "rejected"}),
    ("tax-agency", {"protection_decision": "rejected"}, {"grant_completion": True}),
    ("sis", {"answer_delay_seconds": 5, "reject_status": 422}, {"level": "high"}),
])
def test_a_scenario_takes_its_own_agencys_overrides_only(
        serve: Serve, agency: str, accepted: dict[str, Any], refused: dict[str, Any]) -> None:
    client = serve(APPS[agency](_config()))
    echoed = client.put("/_admin/scenarios/UTV-X", json=accepted)
    assert echoed.status_code == 200
    assert {k: echoed.json()[k] for k in accepted} == accepted
    rejected = client.put("/_admin/scenarios/UTV-X", json=refused)
    assert rejected.status_code == 422
    assert [e["loc"][-1] for e in rejected.json()["detail"]] == list(refused)


def test_a_manual_clock_needs_a_time_zone() -> None:
    with pytest.raises(ValueError, match="timezone"):
        ManualClock(datetime(2026, 12, 4, 9, 0))  # noqa: DTZ001 - the point of the test
    assert ManualClock(START).advance(days=1).date() == date(2026, 12, 5)
