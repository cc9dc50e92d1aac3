"""Contract tests: ``HttpSocialServicesAdapter`` against its simulator on a real socket."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from adapters.common import Subject, SubmittedRequest
from adapters.errors import PermanentAgencyError, RetryableAgencyError
from adapters.social_services import (
    HttpSocialServicesAdapter,
    SocialServicesPort,
    SupportDecisionResult,
)
from adapters.social_services.schemas import SupportDecisionRequest
from simulators import SimulatorConfig, social_services
from simulators.server import start_in_thread
from tests.sims import ANSWER_DELAY, Sim


def submit(
    adapter: SocialServicesPort,
    subject: Subject,
    *,
    key: str = "case-1:social",
    case_number: str = "UTV-2025-0001",
    municipality: str = "0180",
) -> SubmittedRequest:
    return adapter.request_support_decision(
        idempotency_key=key,
        request=SupportDecisionRequest(case_number=case_number, subject=subject,
                                       municipality_code=municipality),
    )


def wait_decided(adapter: SocialServicesPort, request_id: str) -> SupportDecisionResult:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        result = adapter.get_support_decision(request_id=request_id)
        if result.status == "decided":
            return result
        time.sleep(0.05)
    raise AssertionError("support decision never decided")


def test_submit_is_pending_then_decided(
    social_adapter: HttpSocialServicesAdapter, subject: Subject
) -> None:
    before = datetime.now(UTC)
    submitted = submit(social_adapter, subject)
    assert (submitted.created, submitted.status) == (True, "pending")
    pending = social_adapter.get_support_decision(request_id=submitted.request_id)
    assert pending == SupportDecisionResult(request_id=submitted.request_id, status="pending")

    result = wait_decided(social_adapter, submitted.request_id)
    assert result.decision == "granted"
    assert result.interventions == ["contact_person", "financial_support"]
    assert result.decided_at is not None
    assert result.decided_at >= before + timedelta(seconds=ANSWER_DELAY)


def test_same_idempotency_key_gives_one_resource(
    social_adapter: HttpSocialServicesAdapter, social_sim: Sim, subject: Subject
) -> None:
    first = submit(social_adapter, subject, key="k")
    second = submit(social_adapter, subject, key="k")
    assert (first.created, second.created) == (True, False)
    assert first.request_id == second.request_id
    assert social_sim.requests() == {"by_idempotency_key": {"k": 2}, "resources": 1}


def test_missing_idempotency_key_is_400(social_sim: Sim, subject: Subject) -> None:
    body = {"case_number": "UTV-1", "subject": subject.model_dump(), "municipality_code": "0180"}
    response = httpx.post(f"{social_sim.base_url}/support-decisions", json=body)
    assert response.status_code == 400
    assert social_sim.requests()["resources"] == 0


def test_invalid_identity_number_is_permanent(
    social_adapter: HttpSocialServicesAdapter, subject: Subject
) -> None:
    bad = Subject(identity_number="1912121212", name=subject.name)
    with pytest.raises(PermanentAgencyError) as info:
        submit(social_adapter, bad)
    assert info.value.status_code == 422
    assert "HTTP 422" in info.value.reason
    assert bad.identity_number not in str(info.value)
    assert "tolvan" not in str(info.value).lower()


def test_unknown_request_is_permanent_404(social_adapter: HttpSocialServicesAdapter) -> None:
    with pytest.raises(PermanentAgencyError) as info:
        social_adapter.get_support_decision(request_id="missing")
    assert info.value.status_code == 404


def test_outage_is_retryable_and_leaves_no_resource(
    social_adapter: HttpSocialServicesAdapter, social_sim: Sim, subject: Subject
) -> None:
    social_sim.set_faults(error_rate=1.0)
    with pytest.raises(RetryableAgencyError) as info:
        submit(social_adapter, subject)
    assert info.value.status_code == 503
    assert subject.identity_number not in str(info.value)
    assert social_sim.requests() == {"by_idempotency_key": {}, "resources": 0}


def test_gets_are_subject_to_faults_too(
    social_adapter: HttpSocialServicesAdapter, social_sim: Sim, subject: Subject
) -> None:
    submitted = submit(social_adapter, subject)
    social_sim.set_faults(rate_limit_rate=1.0)
    with pytest.raises(RetryableAgencyError) as info:
        social_adapter.get_support_decision(request_id=submitted.request_id)
    assert info.value.status_code == 429


def test_client_timeout_is_retryable(social_sim: Sim, subject: Subject) -> None:
    social_sim.set_faults(timeout_rate=1.0, timeout_sleep_seconds=1.0)
    timeout = httpx.Timeout(connect=2.0, read=0.3, write=2.0, pool=2.0)
    with httpx.Client(base_url=social_sim.base_url, timeout=timeout) as client:
        with pytest.raises(RetryableAgencyError) as info:
            submit(HttpSocialServicesAdapter(client), subject)
    assert "timeout" in info.value.reason


def test_scenario_refusal(
    social_adapter: HttpSocialServicesAdapter, social_sim: Sim, subject: Subject
) -> None:
    social_sim.set_scenario("UTV-NO", decision="refused", answer_delay_seconds=0)
    submitted = submit(social_adapter, subject, case_number="UTV-NO")
    result = social_adapter.get_support_decision(request_id=submitted.request_id)
    assert (result.status, result.decision, result.interventions) == ("decided", "refused", [])


def test_scenario_reject_status(
    social_adapter: HttpSocialServicesAdapter, social_sim: Sim, subject: Subject
) -> None:
    social_sim.set_scenario("UTV-REJ", reject_status=451)
    with pytest.raises(PermanentAgencyError) as info:
        submit(social_adapter, subject, case_number="UTV-REJ")
    assert info.value.status_code == 451
    assert social_sim.requests() == {"by_idempotency_key": {"case-1:social": 1}, "resources": 0}


def test_state_file_survives_restart(tmp_path: Path, subject: Subject) -> None:
    config = SimulatorConfig(test_mode=True, answer_delay_seconds=0.0,
                             state_file=tmp_path / "ss.json")
    with start_in_thread(social_services.create_app(config)) as first:
        with httpx.Client(base_url=first.base_url) as client:
            submitted = submit(HttpSocialServicesAdapter(client), subject)
    with start_in_thread(social_services.create_app(config)) as second:
        with httpx.Client(base_url=second.base_url) as client:
            adapter = HttpSocialServicesAdapter(client)
            result = adapter.get_support_decision(request_id=submitted.request_id)
            assert submit(adapter, subject).created is False
    assert result.decision == "granted"


def test_relapse_notifications_are_sent_together_and_idempotent_per_key(
    social_adapter: HttpSocialServicesAdapter, social_sim: Sim
) -> None:
    from datetime import date

    from adapters.social_services.schemas import RelapseNotification

    notes = [RelapseNotification(
        idempotency_key=f"relapse-flag:{flag}", case_number=f"UTV-2026-00000{flag}",
        municipality_code="0180", flag_id=flag, register_name="suspicions", kind="suspicion",
        entry_date=date(2026, 6, 1), assessment_deadline=date(2026, 7, 1)) for flag in (7, 8)]
    first = social_adapter.notify_relapses(notifications=notes)
    again = social_adapter.notify_relapses(notifications=notes[1:])

    assert [r.idempotency_key for r in first] == ["relapse-flag:7", "relapse-flag:8"]
    assert all(r.created for r in first) and not again[0].created
    assert again[0].notification_id == first[1].notification_id
    assert social_sim.requests()["by_idempotency_key"] == {"relapse-flag:7": 1,
                                                           "relapse-flag:8": 2}
    assert social_sim.requests()["resources"] == 2


def test_a_notification_key_used_for_another_case_refuses_the_whole_batch(
    social_adapter: HttpSocialServicesAdapter, social_sim: Sim
) -> None:
    from datetime import date

    from adapters.social_services.schemas import RelapseNotification

    def note(flag: int, case_number: str) -> RelapseNotification:
        return RelapseNotification(
            idempotency_key=f"relapse-flag:{flag}", case_number=case_number,
            municipality_code="0180", flag_id=flag, register_name="criminal_records",
            kind="conviction", entry_date=date(2026, 6, 1), assessment_deadline=date(2026, 7, 1))

    social_adapter.notify_relapses(notifications=[note(1, "UTV-2026-000001")])
    with pytest.raises(PermanentAgencyError):
        social_adapter.notify_relapses(notifications=[note(2, "UTV-2026-000002"),
                                                      note(1, "UTV-2026-000009")])
    assert social_sim.requests()["resources"] == 1
