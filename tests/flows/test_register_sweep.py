"""The register-sweep flow on real PostgreSQL, with fake registers and social services,
under Prefect's test harness: batches, concurrency limits, retries, notifications,
progress and summary artifacts."""

from __future__ import annotations

import asyncio
import io
import threading
from datetime import date
from typing import Any

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterId,
    LogFilter,
    LogFilterFlowRunId,
)
from sqlmodel import select

from models.relapse import RelapseFlag
from models.tables import Case, CaseWait
from services.runtime import Runtime
from tests.fakes.agencies import FakeAgencies
from tests.fakes.registers import FakeRegisters, Lookup
from tests.sweep_support import NAME, SweepRunner, admitted_case, count
from utvag_cli.sweep import ProgressBar, report


@pytest.fixture()
def registers() -> FakeRegisters:
    return FakeRegisters()


@pytest.fixture()
def run(rt: Runtime, registers: FakeRegisters, agencies: FakeAgencies,
        prefect_harness: None) -> SweepRunner:
    return SweepRunner(rt, registers, agencies.social_services)


def _flags(rt: Runtime) -> list[RelapseFlag]:
    with rt.uow() as session:
        return list(session.exec(select(RelapseFlag).order_by(RelapseFlag.id)))  # type: ignore[arg-type]


def test_relapse_after_admission_is_flagged_notified_and_waits_for_assessment(
        rt: Runtime, registers: FakeRegisters, agencies: FakeAgencies,
        run: SweepRunner) -> None:
    case = admitted_case(rt, 101)
    registers.criminal_records.add(case.person, "BR-1", date(2026, 5, 2))
    registers.suspicions.add(case.person, "MR-1", date(2026, 6, 3))
    social = agencies.social_services
    social.fail_next()  # the notify task is retried (the flags wait in the outbox)

    summary = run()

    flags = _flags(rt)
    assert {(f.register_name, f.entry_kind, f.entry_id) for f in flags} == {
        ("criminal_records", "conviction", "BR-1"), ("suspicions", "suspicion", "MR-1")}
    assert summary["checked"] == 1 and summary["not_checked"] == 0
    assert summary["flags"] == {"conviction": 1, "suspicion": 1}
    assert summary["notifications_pending"] == 0
    assert all(f.notified_at is not None for f in flags)
    assert sorted(n.idempotency_key for n in social.notified) == sorted(
        f"relapse-flag:{f.id}" for f in flags)
    assert {n.case_number for n in social.notified} == {case.case_number}
    # What the registers were sent: the person, entries from the day of admission.
    for register in registers.both():
        (lookup,) = register.lookups
        assert lookup.identity_numbers == (case.person,)
        assert lookup.subject_refs == (str(case.case_id),)
        assert lookup.entries_since == date(2026, 3, 1)
    with rt.uow() as session:
        waits = session.exec(select(CaseWait).where(CaseWait.case_id == case.case_id)).all()
        row = session.get(Case, case.case_id)
    assert sorted(w.subject for w in waits if w.kind == "relapse_assessment") == sorted(
        f"relapse-flag:{f.id}" for f in flags)
    assert row is not None and (row.phase, row.status) == ("during", "admitted")
    assert count(rt, "SELECT count(*) FROM case_journal WHERE case_id = :c AND kind = "
                 "'relapse_flagged'", c=case.case_id) == 2
    assert count(rt, "SELECT count(*) FROM register_check WHERE :c = ANY(case_ids)",
                 c=case.case_id) == 2
    # One disclosure journaled per register request, naming the case.
    assert count(rt, "SELECT count(*) FROM register_disclosure WHERE case_ids @> ARRAY[:c] "
                 "AND agency = 'police' AND fields = '{identity_number}'",
                 c=case.case_id) == 2


def test_two_sweeps_at_once_add_nothing_twice(
        rt: Runtime, registers: FakeRegisters, agencies: FakeAgencies,
        run: SweepRunner) -> None:
    persons = [admitted_case(rt, 110 + i).person for i in range(6)]
    for i, person in enumerate(persons):
        registers.criminal_records.add(person, f"BR-{i}", date(2026, 4, 1))
        registers.suspicions.add(person, f"MR-{i}", date(2026, 4, 2))
    # Lockstep: each look-up waits for the other sweep's same look-up, so both sweeps
    # have every answer in hand before either writes a flag.
    barriers: dict[str, threading.Barrier] = {
        r.register: threading.Barrier(2, timeout=60) for r in registers.both()}

    async def together(call: Lookup) -> None:
        await asyncio.to_thread(barriers[call.register].wait)

    for register in registers.both():
        register.during_lookup = together
    results: list[dict[str, Any]] = []
    runs = [threading.Thread(target=lambda: results.append(run(batch_size=2)))
            for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join(timeout=120)

    assert len(results) == 2
    assert len(registers.criminal_records.lookups) == 2 * 3  # both sweeps, 3 batches each
    assert sum(r["flags"]["conviction"] for r in results) == 6
    assert sum(r["flags"]["suspicion"] for r in results) == 6
    assert len(_flags(rt)) == 12
    assert count(rt, "SELECT count(*) FROM case_journal WHERE kind = 'relapse_flagged'") == 12
    assert count(rt, "SELECT count(*) FROM case_journal WHERE kind = 'relapse_notified'") == 12
    assert len({n.idempotency_key for n in agencies.social_services.notified}) == 12
    assert count(rt, "SELECT count(*) FROM case_wait WHERE kind = 'relapse_assessment'") == 12


def test_register_faults_are_retried_and_the_unchecked_rest_is_caught_up_next_run(
        rt: Runtime, registers: FakeRegisters, run: SweepRunner) -> None:
    cases = [admitted_case(rt, 120 + i) for i in range(10)]
    for i, case in enumerate(cases):
        registers.criminal_records.add(case.person, f"BR-{i}", date(2026, 4, 1))
        registers.suspicions.add(case.person, f"MR-{i}", date(2026, 4, 2))
    # Criminal records: flaky (two 503s, retried). Suspicions: every call times out.
    registers.criminal_records.fail_next(2)
    registers.suspicions.go_down()
    sends = 1 + len(rt.settings.agency_retry_delays)

    first = run(batch_size=5, in_flight=2)

    assert first["flags"] == {"conviction": 10, "suspicion": 0}
    assert first["checked"] == 0 and first["not_checked"] == 10
    assert sorted(first["not_checked_cases"]) == sorted(c.case_number for c in cases)
    assert len(registers.suspicions.lookups) == 2 * sends  # two batches, given up
    assert count(rt, "SELECT count(*) FROM register_check WHERE register = 'suspicions'") == 0
    # Every send is journaled first, resends too.
    assert count(rt, "SELECT count(*) FROM register_disclosure WHERE register = 'suspicions' "
                 "AND sweep_run = :r", r=first["run"]) == 2 * sends
    assert count(rt, "SELECT count(*) FROM register_disclosure WHERE register = "
                 "'criminal_records' AND sweep_run = :r", r=first["run"]) == 2 + 2
    assert count(rt, "SELECT coalesce(sum(cardinality(case_ids)), 0) FROM register_check "
                 "WHERE register = 'criminal_records' AND sweep_run = :r",
                 r=first["run"]) == 10

    registers.suspicions.heal()
    second = run(batch_size=5)

    assert second["checked"] == 10 and second["not_checked"] == 0
    assert second["flags"] == {"conviction": 0, "suspicion": 10}
    assert len(_flags(rt)) == 20


def test_a_permanent_register_error_is_not_retried(
        rt: Runtime, registers: FakeRegisters, run: SweepRunner) -> None:
    case = admitted_case(rt, 125)
    registers.suspicions.fail_next(permanent=True, reason="HTTP 422")

    summary = run()

    assert len(registers.suspicions.lookups) == 1
    assert summary["not_checked_cases"] == [case.case_number]
    assert count(rt, "SELECT count(*) FROM register_check WHERE register = 'suspicions'") == 0


def test_the_sweep_shows_progress_and_a_summary_without_personal_data(
        rt: Runtime, registers: FakeRegisters, run: SweepRunner,
        capsys: pytest.CaptureFixture[str]) -> None:
    cases = [admitted_case(rt, 140 + i) for i in range(5)]
    registers.suspicions.add(cases[0].person, "MR-P", date(2026, 6, 3))
    stderr = io.StringIO()
    bar = ProgressBar(stderr)
    run.listeners.append(bar)

    run_id, summary = run.run_id(batch_size=2, in_flight=1)

    shown = stderr.getvalue()
    assert "2/5 cases" in shown and "4/5 cases" in shown and "5/5 cases" in shown
    assert "100.0%" in shown
    assert report(summary) == 0
    out = capsys.readouterr().out
    assert "ongoing cases 5: checked 5, not checked 0" in out
    assert "flagged: 0 convictions, 1 suspicions" in out
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run_id])))
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(
            any_=[run_id])))
    by_key = {a.key: a for a in artifacts}
    assert by_key["register-sweep-progress"].data == 100.0
    published = str(by_key["register-sweep-summary"].data)
    assert "| 5 | 5 | 0 | 0 | 0 | 1 |" in published
    published += "".join(log.message for log in logs)
    for case in cases:
        assert case.person not in published and case.person[2:] not in published
    assert NAME not in published


def test_a_sweep_that_leaves_cases_unchecked_says_so_and_exits_non_zero(
        rt: Runtime, registers: FakeRegisters, run: SweepRunner,
        capsys: pytest.CaptureFixture[str]) -> None:
    case = admitted_case(rt, 150)
    registers.criminal_records.go_down()

    assert report(run()) == 1

    out = capsys.readouterr().out
    assert f"not checked (the next sweep checks them): {case.case_number}" in out
