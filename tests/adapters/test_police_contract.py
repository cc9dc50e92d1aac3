"""Contract tests: ``HttpPoliceAdapter`` against the police simulator on a real socket."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from adapters.common import Subject, SubmittedRequest
from adapters.errors import AgencyError, PermanentAgencyError, RetryableAgencyError
from adapters.http import default_timeout, send
from adapters.police import HttpPoliceAdapter, PolicePort, ThreatAssessmentResult
from adapters.police.schemas import ThreatAssessmentRequest
from simulators import SimulatorConfig, police
from simulators.server import start_in_thread
from tests.sims import ANSWER_DELAY, Sim


def submit(
    adapter: PolicePort,
    subject: Subject,
    *,
    key: str = "case-1:police",
    case_number: str = "UTV-2025-0001",
    milieu: str = "gang",
    municipality: str = "1480",
) -> SubmittedRequest:
    return adapter.request_threat_assessment(
        idempotency_key=key,
        request=ThreatAssessmentRequest(case_number=case_number, subject=subject,
                                        placing_municipality=municipality, milieu=milieu),
    )


def wait_completed(adapter: PolicePort, request_id: str) -> ThreatAssessmentResult:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        result = adapter.get_threat_assessment(request_id=request_id)
        if result.status == "completed":
            return result
        time.sleep(0.05)
    raise AssertionError("threat assessment never completed")


def assert_no_personal_data(exc: AgencyError, subject: Subject) -> None:
    for text in (str(exc), exc.reason, repr(exc)):
        assert subject.identity_number not in text
        assert "tolvan" not in text.lower()


def test_submit_is_pending_then_completed(
    police_adapter: HttpPoliceAdapter, subject: Subject
) -> None:
    started = time.monotonic()
    submitted = submit(police_adapter, subject)
    assert submitted.created is True
    assert submitted.status == "pending"
    first = police_adapter.get_threat_assessment(request_id=submitted.request_id)
    assert first == ThreatAssessmentResult(request_id=submitted.request_id, status="pending")

    result = wait_completed(police_adapter, submitted.request_id)
    assert time.monotonic() - started >= ANSWER_DELAY
    assert result.level == "high"
    assert result.exclusion_zones == ["1480"]
    assert result.relocation_required is True
    assert result.valid_until == datetime.now(UTC).date() + timedelta(days=180)


@pytest.mark.parametrize(
    ("milieu", "level", "relocation"),
    [
        ("gang", "high", True),
        ("violent_extremism", "high", True),
        ("honour", "medium", False),
        ("fraud", "low", False),
    ],
)
def test_result_is_deterministic_from_milieu(
    police_adapter: HttpPoliceAdapter, subject: Subject, milieu: str, level: str, relocation: bool
) -> None:
    submitted = submit(police_adapter, subject, key=f"k-{milieu}", milieu=milieu)
    result = wait_completed(police_adapter, submitted.request_id)
    assert (result.level, result.relocation_required) == (level, relocation)


def test_same_idempotency_key_gives_one_resource(
    police_adapter: HttpPoliceAdapter, police_sim: Sim, subject: Subject
) -> None:
    first = submit(police_adapter, subject, key="same-key")
    second = submit(police_adapter, subject, key="same-key")
    assert first.created is True
    assert second.created is False
    assert second.request_id == first.request_id
    assert police_sim.requests() == {"by_idempotency_key": {"same-key": 2}, "resources": 1}


def test_repeat_is_answered_200_and_first_201(police_sim: Sim, subject: Subject) -> None:
    body = {
        "case_number": "UTV-1",
        "subject": subject.model_dump(),
        "placing_municipality": "0180",
        "milieu": "gang",
    }
    headers = {"Idempotency-Key": "raw-key"}
    url = f"{police_sim.base_url}/threat-assessments"
    assert httpx.post(url, json=body, headers=headers).status_code == 201
    assert httpx.post(url, json=body, headers=headers).status_code == 200


def test_key_reused_for_another_case_is_a_conflict(
    police_adapter: HttpPoliceAdapter, police_sim: Sim, subject: Subject
) -> None:
    submit(police_adapter, subject, key="shared", case_number="UTV-A")
    with pytest.raises(PermanentAgencyError) as info:
        submit(police_adapter, subject, key="shared", case_number="UTV-B")
    assert info.value.status_code == 409
    assert police_sim.requests()["resources"] == 1


def test_missing_idempotency_key_is_400(police_sim: Sim, subject: Subject) -> None:
    body = {
        "case_number": "UTV-1",
        "subject": subject.model_dump(),
        "placing_municipality": "0180",
        "milieu": "gang",
    }
    with (
        httpx.Client(base_url=police_sim.base_url) as client,
        pytest.raises(PermanentAgencyError) as info,
    ):
        send(client, agency="police", method="POST", url="/threat-assessments", json=body)
    assert info.value.status_code == 400
    assert "HTTP 400" in info.value.reason
    assert "Idempotency-Key" in info.value.reason
    assert police_sim.requests() == {"by_idempotency_key": {}, "resources": 0}


def test_invalid_identity_number_is_permanent_422(
    police_adapter: HttpPoliceAdapter, police_sim: Sim
) -> None:
    bad = Subject(identity_number="19121212-1212", name="Tolvan Tolvansson")
    with pytest.raises(PermanentAgencyError) as info:
        submit(police_adapter, bad)
    assert info.value.status_code == 422
    assert "HTTP 422" in info.value.reason
    assert "identity_number" in info.value.reason
    assert "1212" not in info.value.reason
    assert "tolvan" not in info.value.reason.lower()
    assert police_sim.requests()["resources"] == 0


def test_invalid_municipality_is_permanent_without_personal_data(
    police_adapter: HttpPoliceAdapter, subject: Subject
) -> None:
    with pytest.raises(PermanentAgencyError) as info:
        submit(police_adapter, subject, municipality="Stockholm")
    assert info.value.status_code == 422
    assert "placing_municipality" in info.value.reason
    assert_no_personal_data(info.value, subject)


def test_unknown_request_is_permanent_404(police_adapter: HttpPoliceAdapter) -> None:
    with pytest.raises(PermanentAgencyError) as info:
        police_adapter.get_threat_assessment(request_id="no-such/id")
    assert info.value.status_code == 404


@pytest.mark.parametrize(
    ("faults", "status"),
    [({"error_rate": 1.0}, 503), ({"rate_limit_rate": 1.0}, 429)],
)
def test_injected_faults_are_retryable_and_leave_no_resource(
    police_adapter: HttpPoliceAdapter,
    police_sim: Sim,
    subject: Subject,
    faults: dict[str, float],
    status: int,
) -> None:
    police_sim.set_faults(**faults)
    with pytest.raises(RetryableAgencyError) as info:
        submit(police_adapter, subject)
    assert info.value.status_code == status
    assert_no_personal_data(info.value, subject)
    assert police_sim.requests() == {"by_idempotency_key": {}, "resources": 0}
    # After the outage the retry (same key) creates the resource exactly once.
    police_sim.set_faults(error_rate=0.0, rate_limit_rate=0.0)
    assert submit(police_adapter, subject).created is True
    assert police_sim.requests() == {"by_idempotency_key": {"case-1:police": 1}, "resources": 1}


def test_client_timeout_is_retryable(police_sim: Sim, subject: Subject) -> None:
    police_sim.set_faults(timeout_rate=1.0, timeout_sleep_seconds=1.0)
    timeout = httpx.Timeout(connect=2.0, read=0.3, write=2.0, pool=2.0)
    with httpx.Client(base_url=police_sim.base_url, timeout=timeout) as client:
        with pytest.raises(RetryableAgencyError) as info:
            submit(HttpPoliceAdapter(client), subject)
    assert "timeout" in info.value.reason
    assert info.value.status_code is None
    assert_no_personal_data(info.value, subject)
    assert police_sim.requests()["resources"] == 0


def test_simulated_timeout_answers_504_without_effect(
    police_adapter: HttpPoliceAdapter, police_sim: Sim, subject: Subject
) -> None:
    police_sim.set_faults(timeout_rate=1.0, timeout_sleep_seconds=0.0)
    with pytest.raises(RetryableAgencyError) as info:
        submit(police_adapter, subject)
    assert info.value.status_code == 504
    assert police_sim.requests() == {"by_idempotency_key": {}, "resources": 0}


def test_connection_refused_is_retryable(subject: Subject) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=default_timeout()) as client:
        with pytest.raises(RetryableAgencyError) as info:
            submit(HttpPoliceAdapter(client), subject)
    assert "ConnectError" in info.value.reason


def test_scenario_overrides_the_result(
    police_adapter: HttpPoliceAdapter, police_sim: Sim, subject: Subject
) -> None:
    police_sim.set_scenario(
        "UTV-CRIT",
        level="critical",
        exclusion_zones=["0180", "1480"],
        relocation_required=False,
        answer_delay_seconds=0,
    )
    submitted = submit(police_adapter, subject, case_number="UTV-CRIT", milieu="fraud")
    result = police_adapter.get_threat_assessment(request_id=submitted.request_id)
    assert result.status == "completed"
    assert result.level == "critical"
    assert result.exclusion_zones == ["0180", "1480"]
    assert result.relocation_required is False


@pytest.mark.parametrize(
    ("status", "error_type"), [(403, PermanentAgencyError), (502, RetryableAgencyError)]
)
def test_scenario_reject_status(
    police_adapter: HttpPoliceAdapter,
    police_sim: Sim,
    subject: Subject,
    status: int,
    error_type: type[AgencyError],
) -> None:
    police_sim.set_scenario("UTV-REJ", reject_status=status)
    with pytest.raises(error_type) as info:
        submit(police_adapter, subject, case_number="UTV-REJ")
    assert info.value.status_code == status
    assert f"HTTP {status}" in info.value.reason
    assert police_sim.requests()["resources"] == 0


def test_state_file_survives_restart(tmp_path: Path, subject: Subject) -> None:
    state_file = tmp_path / "police.json"
    config = SimulatorConfig(test_mode=True, answer_delay_seconds=0.0, state_file=state_file)
    with start_in_thread(police.create_app(config)) as first:
        with httpx.Client(base_url=first.base_url) as client:
            submitted = submit(HttpPoliceAdapter(client), subject, key="persist")
    assert state_file.exists()
    text = state_file.read_text()
    assert subject.identity_number not in text
    assert "Tolvan" not in text

    with start_in_thread(police.create_app(config)) as second:
        with httpx.Client(base_url=second.base_url) as client:
            adapter = HttpPoliceAdapter(client)
            result = adapter.get_threat_assessment(request_id=submitted.request_id)
            again = submit(adapter, subject, key="persist")
        counts = httpx.get(f"{second.base_url}/_admin/requests").json()
    assert result.status == "completed"
    assert result.level == "high"
    assert again.created is False
    assert again.request_id == submitted.request_id
    assert counts == {"by_idempotency_key": {"persist": 2}, "resources": 1}
