"""Contract tests: ``HttpTaxAgencyAdapter`` against the Tax Agency simulator."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from adapters.errors import PermanentAgencyError, RetryableAgencyError
from adapters.http import default_timeout
from adapters.tax_agency import (
    HttpTaxAgencyAdapter,
    ProtectionDecision,
    ProtectionRequest,
    ProtectionSubject,
)
from simulators import SimulatorConfig, tax_agency
from simulators.server import start_in_thread
from tests.sims import ANSWER_DELAY, TEST_IDENTITY_NUMBER, Sim

CASE = "UTV-2026-000001"


@pytest.fixture(scope="module")
def tax_sim() -> Iterator[Sim]:
    app = tax_agency.create_app(SimulatorConfig(test_mode=True, answer_delay_seconds=ANSWER_DELAY))
    with start_in_thread(app) as running, \
            httpx.Client(base_url=running.base_url, timeout=5.0) as client:
        yield Sim(running, client)


@pytest.fixture
def tax(tax_sim: Sim) -> Iterator[HttpTaxAgencyAdapter]:
    tax_sim.reset()
    with httpx.Client(base_url=tax_sim.base_url, timeout=default_timeout()) as client:
        yield HttpTaxAgencyAdapter(client)


def request(measure: str = "skyddad_folkbokforing", level: str = "high") -> ProtectionRequest:
    return ProtectionRequest.model_validate({
        "case_number": CASE, "subject": ProtectionSubject(identity_number=TEST_IDENTITY_NUMBER),
        "measure": measure, "requesting_municipality": "0180", "threat_level": level})


def decided(tax: HttpTaxAgencyAdapter, request_id: str) -> ProtectionDecision:
    deadline = time.monotonic() + 5
    while (decision := tax.get_decision(request_id=request_id)).status == "pending":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return decision


def test_a_request_is_filed_once_per_key_and_granted_asynchronously(
        tax: HttpTaxAgencyAdapter, tax_sim: Sim) -> None:
    sent = tax.request_protection(idempotency_key="c1:tax_agency:protected_personal_data",
                                  request=request())
    assert (sent.created, sent.status) == (True, "pending")
    again = tax.request_protection(idempotency_key="c1:tax_agency:protected_personal_data",
                                   request=request())
    assert (again.request_id, again.created) == (sent.request_id, False)
    decision = decided(tax, sent.request_id)
    assert (decision.status, decision.measure) == ("granted", "skyddad_folkbokforing")
    assert decision.decided_at is not None
    assert tax_sim.requests()["resources"] == 1


def test_skyddad_folkbokforing_on_a_low_threat_is_rejected_with_the_reason(
        tax: HttpTaxAgencyAdapter) -> None:
    sent = tax.request_protection(idempotency_key="c2", request=request(level="low"))
    decision = decided(tax, sent.request_id)
    assert (decision.status, decision.rejection_reason) == ("rejected", "threat_not_established")


def test_a_scenario_rejects_the_case(tax: HttpTaxAgencyAdapter, tax_sim: Sim) -> None:
    tax_sim.set_scenario(CASE, protection_decision="rejected")
    sent = tax.request_protection(idempotency_key="c3", request=request("sekretessmarkering"))
    assert decided(tax, sent.request_id).rejection_reason == "insufficient_grounds"


def test_the_request_model_cannot_carry_an_address() -> None:
    with pytest.raises(ValueError, match="address"):
        ProtectionRequest.model_validate({**request().model_dump(), "address": "Hemligvägen 17"})


def test_the_simulator_refuses_an_address_and_the_reason_does_not_repeat_it(
        tax_sim: Sim, tax: HttpTaxAgencyAdapter) -> None:
    body = {**request().model_dump(), "destination": "2584", "address": "Hemligvägen 17"}
    response = tax_sim.client.post("/protection-requests", json=body,
                                   headers={"Idempotency-Key": "c4"})
    assert response.status_code == 422
    assert tax_sim.requests()["resources"] == 0


def test_errors_map_to_the_hierarchy_without_the_identity_number(
        tax: HttpTaxAgencyAdapter, tax_sim: Sim) -> None:
    bad = ProtectionRequest.model_validate({**request().model_dump(),
                                            "subject": {"identity_number": "1912121212"}})
    with pytest.raises(PermanentAgencyError) as rejected:
        tax.request_protection(idempotency_key="c5", request=bad)
    assert rejected.value.status_code == 422 and "1912121212" not in str(rejected.value)
    tax_sim.set_faults(error_rate=1.0)
    with pytest.raises(RetryableAgencyError):
        tax.request_protection(idempotency_key="c6", request=request())
    with pytest.raises(PermanentAgencyError):
        tax_sim.set_faults(error_rate=0.0)
        tax.get_decision(request_id="no-such-request")
