"""The register-sweep flow on real PostgreSQL, against the register and social-services
simulators on loopback, under Prefect's test harness."""

from __future__ import annotations

import threading
import uuid
from datetime import date
from typing import Any

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterId,
    LogFilter,
    LogFilterFlowRunId,
)
from prefect.client.schemas.sorting import FlowRunSort
from sqlmodel import select

from adapters.db import unit_of_work
from flows.register_sweep import register_sweep
from models.relapse import RelapseFlag
from models.tables import Case, CaseWait
from tests.sims import Sim
from tests.sweep_support import Registers, admitted_case, count
from utvag_cli.main import main


def _flags() -> list[RelapseFlag]:
    with unit_of_work() as session:
        return list(session.exec(select(RelapseFlag).order_by(RelapseFlag.id)))  # type: ignore[arg-type]


def test_relapse_after_admission_is_flagged_notified_and_waits_for_assessment(
        registers: Registers, sims: tuple[Sim, Sim]) -> None:
    _, social = sims
    case_id, number, person = admitted_case(101)
    registers.add(registers.criminal_records, person, "BR-1", date(2026, 5, 2))
    registers.add(registers.suspicions, person, "MR-1", date(2026, 6, 3))

    summary: dict[str, Any] = register_sweep()

    flags = _flags()
    assert {(f.register_name, f.entry_kind, f.entry_id) for f in flags} == {
        ("criminal_records", "conviction", "BR-1"), ("suspicions", "suspicion", "MR-1")}
    assert summary["checked"] == 1 and summary["not_checked"] == 0
    assert summary["flags"] == {"conviction": 1, "suspicion": 1}
    assert all(f.notified_at is not None for f in flags)
    assert set(social.requests()["by_idempotency_key"]) == {
        f"relapse-flag:{f.id}" for f in flags}
    with unit_of_work() as session:
        waits = session.exec(select(CaseWait).where(CaseWait.case_id == case_id)).all()
        case = session.get(Case, case_id)
    assert sorted(w.subject for w in waits if w.kind == "relapse_assessment") == sorted(
        f"relapse-flag:{f.id}" for f in flags)
    assert case is not None and (case.phase, case.status) == ("during", "admitted")
    assert count("SELECT count(*) FROM case_journal WHERE case_id = :c AND kind = "
                 "'relapse_flagged'", c=case_id) == 2
    assert count("SELECT count(*) FROM register_check WHERE :c = ANY(case_ids)",
                 c=case_id) == 2
    # One disclosure journaled per register request, naming the case.
    assert count("SELECT count(*) FROM register_disclosure WHERE case_ids @> ARRAY[:c] "
                 "AND agency = 'police' AND fields = '{identity_number}'",
                 c=case_id) == 2


def test_the_sweeps_disclosures_are_shown_with_the_case(
        registers: Registers, capsys: pytest.CaptureFixture[str]) -> None:
    _, number, _ = admitted_case(105)
    _, other, _ = admitted_case(106)

    register_sweep()
    register_sweep()

    assert main(["case", "show", number]) == 0
    shown = capsys.readouterr().out
    assert "disclosures to the police registers" in shown
    lines = [line for line in shown.splitlines() if "identity_number to police" in line]
    assert len(lines) == 4  # two runs, two registers
    assert {line.split()[2] for line in lines} == {"criminal_records", "suspicions"}


def test_an_entry_dated_before_admission_does_not_flag(registers: Registers) -> None:
    _, _, person = admitted_case(102)
    registers.add(registers.criminal_records, person, "BR-old", date(2025, 11, 1))
    registers.add(registers.suspicions, person, "MR-old", date(2026, 2, 28))

    summary = register_sweep()

    assert _flags() == []
    assert summary["checked"] == 1 and summary["flags"] == {"conviction": 0, "suspicion": 0}


def test_a_case_without_consent_to_the_police_is_not_looked_up(registers: Registers) -> None:
    _, number, person = admitted_case(103, consents=["social_services"])
    registers.add(registers.suspicions, person, "MR-2", date(2026, 6, 3))

    summary = register_sweep()

    assert _flags() == []
    assert summary["no_consent"] == 1 and summary["not_checked_cases"] == [number]
    lookups = registers.suspicions.admin("GET", "/_admin/lookups").json()
    assert lookups["subjects"] == 0
    assert count("SELECT count(*) FROM register_disclosure") == 0


def test_a_second_sweep_over_the_same_data_adds_nothing(
        registers: Registers, sims: tuple[Sim, Sim]) -> None:
    _, social = sims
    _, _, person = admitted_case(104)
    registers.add(registers.suspicions, person, "MR-3", date(2026, 4, 1))

    first = register_sweep()
    second = register_sweep()

    assert first["flags"]["suspicion"] == 1 and second["flags"]["suspicion"] == 0
    assert len(_flags()) == 1
    assert social.requests()["resources"] == 1
    assert count("SELECT count(*) FROM case_journal WHERE kind = 'relapse_flagged'") == 1
    assert second["checked"] == 1


def test_two_sweeps_at_once_add_nothing_twice(
        registers: Registers, sims: tuple[Sim, Sim]) -> None:
    _, social = sims
    persons = [admitted_case(110 + i)[2] for i in range(6)]
    for i, person in enumerate(persons):
        registers.add(registers.criminal_records, person, f"BR-{i}", date(2026, 4, 1))
        registers.add(registers.suspicions, person, f"MR-{i}", date(2026, 4, 2))
    for sim in (registers.criminal_records, registers.suspicions):
        sim.set_faults(latency_ms=200)
    results: list[dict[str, Any]] = []
    runs = [threading.Thread(target=lambda: results.append(register_sweep(batch_size=2)))
            for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join(timeout=120)

    assert len(results) == 2
    assert sum(r["flags"]["conviction"] for r in results) == 6
    assert sum(r["flags"]["suspicion"] for r in results) == 6
    assert len(_flags()) == 12
    assert count("SELECT count(*) FROM case_journal WHERE kind = 'relapse_flagged'") == 12
    assert count("SELECT count(*) FROM case_journal WHERE kind = 'relapse_notified'") == 12
    assert social.requests()["resources"] == 12
    assert count("SELECT count(*) FROM case_wait WHERE kind = 'relapse_assessment'") == 12


def test_register_faults_are_retried_and_the_unchecked_rest_is_caught_up_next_run(
        registers: Registers) -> None:
    cases = [admitted_case(120 + i) for i in range(10)]
    for i, (_, _, person) in enumerate(cases):
        registers.add(registers.criminal_records, person, f"BR-{i}", date(2026, 4, 1))
        registers.add(registers.suspicions, person, f"MR-{i}", date(2026, 4, 2))
    # Criminal records: flaky (503s, retried). Suspicions: every call times out.
    registers.criminal_records.set_faults(error_rate=0.5, seed=7)
    registers.suspicions.set_faults(timeout_rate=1.0, timeout_sleep_seconds=1.5)

    first = register_sweep(batch_size=5, in_flight=2)

    assert first["flags"] == {"conviction": 10, "suspicion": 0}
    assert first["checked"] == 0 and first["not_checked"] == 10
    assert sorted(first["not_checked_cases"]) == sorted(number for _, number, _ in cases)
    assert count("SELECT count(*) FROM register_check WHERE register = 'suspicions'") == 0
    # Every send is journaled first, resends too: 2 requests x (1 + 5 retries) each.
    assert count("SELECT count(*) FROM register_disclosure WHERE register = 'suspicions' "
                 "AND sweep_run = :r", r=first["run"]) == 2 * 6
    assert count("SELECT coalesce(sum(cardinality(case_ids)), 0) FROM register_check "
                 "WHERE register = 'criminal_records' AND sweep_run = :r", r=first["run"]) == 10

    for sim in (registers.criminal_records, registers.suspicions):
        sim.reset()
    second = register_sweep(batch_size=5)

    assert second["checked"] == 10 and second["not_checked"] == 0
    assert second["flags"] == {"conviction": 0, "suspicion": 10}
    assert len(_flags()) == 20


def test_social_services_assess_a_flag_once_from_the_cli_and_nothing_else_changes(
        registers: Registers, capsys: pytest.CaptureFixture[str]) -> None:
    case_id, number, person = admitted_case(130)
    registers.add(registers.suspicions, person, "MR-9", date(2026, 7, 1))

    assert main(["sweep", "--batch-size", "10"]) == 0
    assert "100.0%" in capsys.readouterr().err
    (flag,) = _flags()
    assert main(["case", "assess", number, "--flag", str(flag.id), "--decision", "continue",
                 "--by", "socsek-eva"]) == 0
    assert main(["case", "assess", number, "--flag", str(flag.id), "--decision",
                 "end_support", "--by", "socsek-eva"]) == 2
    assert "already assessed" in capsys.readouterr().err
    with pytest.raises(SystemExit) as bad:
        main(["case", "assess", number, "--flag", str(flag.id), "--decision", "punish",
              "--by", "x"])
    assert bad.value.code == 2

    (assessed,) = _flags()
    assert (assessed.decision, assessed.decided_by) == ("continue", "socsek-eva")
    with unit_of_work() as session:
        wait = session.exec(select(CaseWait).where(
            CaseWait.case_id == case_id, CaseWait.kind == "relapse_assessment")).one()
        case = session.get(Case, case_id)
    assert wait.answered_by == "socsek-eva" and wait.answer is not None
    assert case is not None and (case.phase, case.status) == ("during", "admitted")
    assert count("SELECT count(*) FROM case_journal WHERE case_id = :c AND kind = "
                 "'relapse_assessed'", c=case_id) == 1


def test_the_sweep_shows_progress_and_a_summary_without_personal_data(
        registers: Registers, capsys: pytest.CaptureFixture[str]) -> None:
    cases = [admitted_case(140 + i) for i in range(5)]
    registers.add(registers.suspicions, cases[0][2], "MR-P", date(2026, 6, 3))

    assert main(["sweep", "--batch-size", "2", "--in-flight", "1"]) == 0

    bar = capsys.readouterr().err
    assert "2/5 cases" in bar and "4/5 cases" in bar and "5/5 cases" in bar
    run = _newest_sweep_run()
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run])))
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(
            any_=[run])))
    by_key = {a.key: a for a in artifacts}
    assert by_key["register-sweep-progress"].data == 100.0
    summary = str(by_key["register-sweep-summary"].data)
    assert "| 5 | 5 | 0 | 0 | 0 | 1 |" in summary
    published = summary + "".join(log.message for log in logs)
    for _, _, person in cases:
        assert person not in published and person[2:] not in published
    assert "Test Person" not in published


def _newest_sweep_run() -> uuid.UUID:
    with get_client(sync_client=True) as client:
        (run,) = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["register-sweep"])),
            sort=FlowRunSort.START_TIME_DESC, limit=1)
    return run.id
