"""A flow killed while its agency request is in flight; the rerun finishes the
case and the agency has still received one request (same idempotency key)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

from prefect.settings import PREFECT_API_URL
from sqlmodel import select

from adapters import repo
from adapters.db import unit_of_work
from flows.new_case import new_case
from models.tables import AgencyRequest
from tasks.intake import open_case
from tests.factories import referral
from tests.sims import Sim


def _police_request() -> AgencyRequest | None:
    with unit_of_work() as session:
        return session.exec(select(AgencyRequest).where(AgencyRequest.agency == "police")).first()


def test_a_rerun_after_a_crash_sends_no_duplicate_request(sims: tuple[Sim, Sim]) -> None:
    police, _ = sims
    case_id = open_case(referral(), now=datetime.now(UTC)).case_id
    police.set_faults(latency_ms=3000)
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    worker = subprocess.Popen(  # noqa: S603 - our own flow in a process we can kill
        [sys.executable, "-c",
         f"from flows.new_case import new_case; new_case(case_id='{case_id}')"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while (request := _police_request()) is None or request.attempts < 1:
            assert worker.poll() is None, "the flow ended before it could be killed"
            assert time.monotonic() < deadline, "the request was never attempted"
            time.sleep(0.1)
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.wait(timeout=10)
    assert _police_request().status == "pending", "killed before the answer was recorded"
    time.sleep(3.5)  # the police received the in-flight request and act on it regardless
    police.set_faults(latency_ms=0)

    assert new_case(case_id=case_id)["phase"] == "during", "admitted and on to the next phase"

    request = _police_request()
    assert request is not None and request.attempts == 2
    seen = police.requests()
    assert seen["resources"] == 1
    assert list(seen["by_idempotency_key"]) == [request.idempotency_key]
    with unit_of_work() as session:
        entries = repo.journal_entries(session, case_id)
    police_entries = [e.kind for e in entries if e.data.get("agency") == "police"]
    assert police_entries.count("disclosure") == 1
    assert police_entries.count("agency_request") == 1
