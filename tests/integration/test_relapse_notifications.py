"""Relapse flags after the sweep (`services.relapse`): social services notified in
batches, each flag once by its key and only with consent; their assessment recorded
once, from the CLI."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlmodel import select

from adapters.errors import RetryableAgencyError
from adapters.repositories.sweep import insert_flags
from adapters.social_services.schemas import MAX_NOTIFICATIONS_PER_BATCH
from models.relapse import Finding, RelapseFlag
from models.tables import Case, CaseWait
from services import decisions, relapse
from services.runtime import Runtime
from tests.fakes.agencies import FakeAgencies
from tests.fakes.registers import FakeRegisters
from tests.service import tokens as u
from tests.service_cli import person_cli
from tests.sweep_support import admitted_case, count, sweep_batch


def _flag(rt: Runtime, case_id: uuid.UUID, n: int) -> None:
    """`n` flags on the case, as a sweep writes them."""
    with rt.uow() as session:
        insert_flags(session, [Finding(case_id, "suspicions", f"MR-{i}", "suspicion",
                                       date(2026, 4, 1)) for i in range(n)],
                     at=rt.now(), run="an earlier sweep")


def test_notifications_go_in_batches_once_each_by_key_and_only_with_consent(
        rt: Runtime, agencies: FakeAgencies) -> None:
    social = agencies.social_services
    many = admitted_case(rt, 301)
    no_consent = admitted_case(rt, 302, consents=["police"])
    _flag(rt, many.case_id, MAX_NOTIFICATIONS_PER_BATCH + 1)
    _flag(rt, no_consent.case_id, 1)

    social.fail_next()  # the first batch fails; the second is recorded all the same
    with pytest.raises(RetryableAgencyError):
        relapse.notify_relapses(rt, social)
    assert len(social.notified) == 1
    counts = relapse.notify_relapses(rt, social)  # the task's retry

    assert counts == relapse.Notified(notified=MAX_NOTIFICATIONS_PER_BATCH, no_consent=1,
                                      failed=0)
    with rt.uow() as session:
        flags = {f.id: f for f in session.exec(select(RelapseFlag))}
    keys = [n.idempotency_key for n in social.notified]
    assert sorted(keys) == sorted(f"relapse-flag:{i}" for i, f in flags.items()
                                  if f.case_id == many.case_id)
    assert {n.case_number for n in social.notified} == {many.case_number}
    assert {n.assessment_deadline for n in social.notified} == {
        (rt.now() + timedelta(days=rt.settings.relapse_assessment_deadline_days)).date()}
    assert count(rt, "SELECT count(*) FROM case_journal WHERE kind = 'relapse_notified'") == \
        MAX_NOTIFICATIONS_PER_BATCH + 1
    assert count(rt, "SELECT count(*) FROM case_wait WHERE kind = 'relapse_assessment' "
                 "AND case_id = :c", c=no_consent.case_id) == 0
    assert relapse.notify_relapses(rt, social) == relapse.Notified(no_consent=1)

    # Consent recorded later: the kept flag is notified by the next sweep.
    decisions.record_consent(rt, no_consent.case_id, agency="social_services", given=True,
                             by="socsek-eva", legal_basis="samtycke")
    assert relapse.notify_relapses(rt, social).notified == 1
    assert social.notified[-1].case_number == no_consent.case_number


def test_social_services_assess_a_flag_once_from_the_cli_and_nothing_else_changes(
        rt: Runtime, agencies: FakeAgencies) -> None:
    registers = FakeRegisters()
    case = admitted_case(rt, 130)
    registers.suspicions.add(case.person, "MR-9", date(2026, 7, 1))
    sweep_batch(rt, registers)
    relapse.notify_relapses(rt, agencies.social_services)
    with rt.uow() as session:
        (flag,) = session.exec(select(RelapseFlag)).all()
    assert flag.id is not None
    utvag = person_cli(rt, u.HANDLER_STHLM)  # social services of the placing municipality
    command = ["case", "assess", case.case_number, "--flag", str(flag.id)]

    assert utvag(*command, "--decision", "continue", "--note", "ring") == 0
    assert utvag.out == f"{case.case_number}: relapse flag {flag.id} assessed: continue\n"
    assert utvag(*command, "--decision", "end_support") == 2
    assert "already assessed" in utvag.err
    assert utvag("case", "assess", case.case_number, "--flag", str(flag.id + 1),
                 "--decision", "continue") == 2
    assert utvag.err.startswith(f"error: flag: no relapse flag {flag.id + 1}")
    with pytest.raises(SystemExit) as bad:
        utvag(*command, "--decision", "punish")
    assert bad.value.code == 2
    other = utvag.as_(u.HANDLER_GBG)
    assert other(*command, "--decision", "continue") == 2
    assert other.err.startswith("error: not found"), "another municipality's case"

    with rt.uow() as session:
        (assessed,) = session.exec(select(RelapseFlag)).all()
        wait = session.exec(select(CaseWait).where(
            CaseWait.case_id == case.case_id, CaseWait.kind == "relapse_assessment")).one()
        row = session.get(Case, case.case_id)
    assert (assessed.decision, assessed.decided_by) == ("continue", u.HANDLER_STHLM.staff_id)
    assert wait.answered_by == u.HANDLER_STHLM.staff_id
    assert wait.answer is not None and set(wait.answer) == {"decision", "note_enc"}
    assert wait.answer["decision"] == "continue"  # the note is stored encrypted (issue 14)
    assert rt.cipher.decrypt(wait.answer["note_enc"].encode()) == "ring"
    assert row is not None and (row.phase, row.status) == ("during", "admitted")
    assert count(rt, "SELECT count(*) FROM case_journal WHERE case_id = :c AND kind = "
                 "'relapse_assessed'", c=case.case_id) == 1
    assert count(rt, "SELECT count(*) FROM case_journal WHERE case_id = :c AND kind = "
                 "'relapse_assessed' AND data->>'note_given' = 'true' "
                 "AND NOT reason LIKE '%ring%'", c=case.case_id) == 1
