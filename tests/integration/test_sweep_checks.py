"""The register sweep's batch, without Prefect (`services.sweep`): which cases are
looked up, what is disclosed and journaled, what flags."""

from __future__ import annotations

import uuid
from datetime import date

import psycopg
import pytest
import sqlalchemy as sa
from prefect.states import Failed
from sqlmodel import select

from adapters.repositories import sweep as repo_sweep
from models.enums import Outcome
from models.relapse import RelapseFlag
from services import cases, decisions, sweep
from services.runtime import Runtime
from services.views import case_view
from tasks.retry import retry_transient_or_db
from tasks.sweep import check_batch
from tests.factories import open_case
from tests.fakes.registers import FakeRegisters, Lookup
from tests.sweep_support import admitted_case, count, sweep_batch


def _flags(rt: Runtime) -> list[RelapseFlag]:
    with rt.uow() as session:
        return list(session.exec(select(RelapseFlag)))


def test_an_entry_dated_before_admission_does_not_flag(rt: Runtime) -> None:
    registers = FakeRegisters()
    case = admitted_case(rt, 102)
    registers.criminal_records.add(case.person, "BR-old", date(2025, 11, 1))
    registers.suspicions.add(case.person, "MR-old", date(2026, 2, 28))
    registers.suspicions.add(case.person, "MR-same-day", date(2026, 3, 1))

    result = sweep_batch(rt, registers)

    assert result.checked == {"criminal_records": 1, "suspicions": 1}
    # The day of admission counts: a flag only asks a person to assess.
    assert [(f.entry_id, f.entry_kind) for f in _flags(rt)] == [("MR-same-day", "suspicion")]
    assert result.flags == {"suspicion": 1}


def test_a_case_without_consent_to_the_police_is_not_looked_up(rt: Runtime) -> None:
    registers = FakeRegisters()
    never = admitted_case(rt, 103, consents=["social_services"])
    withdrawn = admitted_case(rt, 104)
    decisions.record_consent(rt, withdrawn.case_id, agency="police", given=False,
                             by="socsek-eva", legal_basis="samtycke återkallat")
    for case in (never, withdrawn):
        registers.suspicions.add(case.person, f"MR-{case.case_number}", date(2026, 6, 3))

    result = sweep_batch(rt, registers)
    summary = sweep.summarise(rt, "a run that checked nothing")

    assert result.no_consent == 2 and result.cases == 2
    assert [r.lookups for r in registers.both()] == [[], []]
    assert _flags(rt) == []
    assert count(rt, "SELECT count(*) FROM register_disclosure") == 0
    assert summary.no_consent == 2
    assert sorted(summary.not_checked_cases) == sorted([never.case_number,
                                                        withdrawn.case_number])


def test_only_ongoing_cases_are_swept(rt: Runtime) -> None:
    registers = FakeRegisters()
    ongoing = admitted_case(rt, 105)
    closed = admitted_case(rt, 106)
    cases.close(rt, closed.case_id, outcome=Outcome.DROPPED_OUT, reason="left")
    before = open_case(rt)  # not admitted yet: not followed up

    result = sweep_batch(rt, registers)

    assert sweep.count_ongoing(rt) == 1
    assert result.planned == 1
    looked_up = set(registers.criminal_records.subjects_looked_up())
    assert looked_up == {str(ongoing.case_id)}
    assert str(before.case_id) not in looked_up


def test_every_request_is_journaled_before_it_is_sent_naming_exactly_its_cases(
        rt: Runtime) -> None:
    registers = FakeRegisters()
    admitted = [admitted_case(rt, 170 + i) for i in range(3)]
    run_key = str(uuid.uuid4())
    journaled_when_sent: list[int] = []

    async def disclosed_already(call: Lookup) -> None:
        journaled_when_sent.append(count(
            rt, "SELECT count(*) FROM register_disclosure WHERE register = :r "
            "AND sweep_run = :k AND case_ids = CAST(:ids AS uuid[])",
            r=call.register, k=run_key, ids=list(call.subject_refs)))

    for register in registers.both():
        register.during_lookup = disclosed_already

    sweep_batch(rt, registers, run_key=run_key)

    assert journaled_when_sent == [1, 1]
    for register in registers.both():
        (call,) = register.lookups
        assert sorted(call.subject_refs) == sorted(str(c.case_id) for c in admitted)


def test_the_sweeps_disclosures_are_shown_with_the_case(rt: Runtime) -> None:
    registers = FakeRegisters()
    case = admitted_case(rt, 107)
    other = admitted_case(rt, 108)

    sweep_batch(rt, registers)
    sweep_batch(rt, registers)

    view = case_view(rt, case.case_number, viewer="socsek-eva")
    shown = view.register_disclosures
    assert len(shown) == 4  # two runs, two registers
    assert {d.register_name for d in shown} == {"criminal_records", "suspicions"}
    assert {(d.agency, tuple(d.fields)) for d in shown} == {("police", ("identity_number",))}
    assert len({d.sweep_run for d in shown}) == 2
    assert len(case_view(rt, other.case_number, viewer="socsek-eva").register_disclosures) == 4


def test_a_second_sweep_over_the_same_data_adds_nothing(rt: Runtime) -> None:
    registers = FakeRegisters()
    case = admitted_case(rt, 109)
    registers.suspicions.add(case.person, "MR-3", date(2026, 4, 1))

    first = sweep_batch(rt, registers)
    second = sweep_batch(rt, registers)

    assert first.flags == {"suspicion": 1} and second.flags == {}
    assert second.checked == {"criminal_records": 1, "suspicions": 1}
    assert len(_flags(rt)) == 1
    assert count(rt, "SELECT count(*) FROM case_journal WHERE kind = 'relapse_flagged'") == 1


def test_a_connection_lost_during_a_bulk_read_is_retried_by_the_sweeps_task(
        rt: Runtime) -> None:
    admitted_case(rt, 180)
    with pytest.raises(psycopg.OperationalError) as lost:  # noqa: PT012 - the read fails
        with rt.db.raw_connection() as conn:
            with rt.db.engine.connect() as other:  # a restart, as the read sees it
                other.execute(sa.text("SELECT pg_terminate_backend(:pid)"),
                              {"pid": conn.info.backend_pid})
            repo_sweep.ongoing_ids(conn, after=None, n=10)

    assert retry_transient_or_db(check_batch, None, Failed(data=lost.value))  # type: ignore[arg-type]
    assert not retry_transient_or_db(check_batch, None,  # type: ignore[arg-type]
                                     Failed(data=ValueError("a bug, not an outage")))
