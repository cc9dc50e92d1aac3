"""An assessment changes the case (`services.relapse_outcomes`): `adjust_plan` reopens the
action plan as a new version approved like the first, `end_support` closes the case as
relapsed only when a second person confirms, and a handler can report a relapse into
substance abuse or lost contact, which is assessed the same way."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from models.action_plan import InterventionKind
from models.relapse import AssessmentDecision
from models.tables import Case, CaseWait
from services import action_plan, plan_versions, relapse, relapse_events, relapse_outcomes
from services.action_plan import InterventionIn
from services.relapse_outcomes import OutcomeError, ReportedRelapse
from services.runtime import Runtime
from tests.factories import open_case
from tests.sweep_support import admitted_case, count


def _item(kind: InterventionKind, cost: int) -> InterventionIn:
    return InterventionIn(kind=kind, start=date(2026, 4, 1), planned_end=date(2026, 12, 31),
                          cost_sek=cost)


def _open_waits(rt: Runtime, case_id: object, kind: str) -> int:
    return count(rt, "SELECT count(*) FROM case_wait WHERE case_id = :c AND kind = :k "
                 "AND answered_at IS NULL", c=case_id, k=kind)


def test_adjust_plan_reopens_the_plan_as_a_new_version_approved_like_the_first(
        rt: Runtime) -> None:
    case = admitted_case(rt, 501)
    first = action_plan.add_intervention(rt, case.case_id,
                                         _item(InterventionKind.CONTACT_PERSON, 1000), by="h1")
    action_plan.approve_plan(rt, case.case_id, by="boss")
    flag = relapse_outcomes.report_relapse(rt, case.case_number,
                                           kind=ReportedRelapse.LOST_CONTACT,
                                           on=rt.now().date(), by="h1")
    relapse.record_assessment(rt, case.case_number, flag_id=flag,
                              decision=AssessmentDecision.ADJUST_PLAN, by="h1")

    assert [(v.version, v.status) for v in plan_versions.history(rt, case.case_id)] == [
        (1, "approved"), (2, "draft")]
    assert _open_waits(rt, case.case_id, "action_plan") == 1
    second = action_plan.add_intervention(
        rt, case.case_id, _item(InterventionKind.SUBSTANCE_ABUSE_TREATMENT, 5000), by="h1")
    assert action_plan.approve_plan(rt, case.case_id, by="boss") == 6000

    v1, v2 = plan_versions.history(rt, case.case_id)
    assert (v1.intervention_ids, v1.cost_sek, v1.approved_by) == ([first], 1000, "boss")
    assert (v2.status, v2.intervention_ids, v2.cost_sek) == ("approved", [first, second], 6000)
    assert _open_waits(rt, case.case_id, "action_plan") == 0
    with rt.uow() as session:
        row = session.get(Case, case.case_id)
    assert row is not None and (row.phase, row.status) == ("during", "admitted")


def test_end_support_closes_as_relapsed_only_when_a_second_person_confirms(
        rt: Runtime) -> None:
    case = admitted_case(rt, 502)
    flag = relapse_outcomes.report_relapse(rt, case.case_id,
                                           kind=ReportedRelapse.SUBSTANCE_ABUSE,
                                           on=date(2026, 3, 20), by="h1")
    assert relapse_outcomes.report_relapse(  # the same report again: the same flag
        rt, case.case_id, kind=ReportedRelapse.SUBSTANCE_ABUSE, on=date(2026, 3, 20),
        by="h2") == flag
    assert _open_waits(rt, case.case_id, "relapse_assessment") == 1
    relapse.record_assessment(rt, case.case_number, flag_id=flag,
                              decision=AssessmentDecision.END_SUPPORT, by="h1")
    assert _open_waits(rt, case.case_id, "closure_confirmation") == 1

    with pytest.raises(OutcomeError, match="^by: the person who proposed"):
        relapse_outcomes.decide_closure(rt, case.case_number, by="h1", confirm=True)
    with rt.uow() as session:
        still = session.get(Case, case.case_id)
    assert still is not None and still.status == "admitted"

    assert relapse_outcomes.decide_closure(rt, case.case_number, by="h2",
                                           confirm=True).closed
    with rt.uow() as session:
        closed = session.get(Case, case.case_id)
        wait = session.exec(select(CaseWait).where(
            CaseWait.case_id == case.case_id, CaseWait.kind == "closure_confirmation")).one()
    assert closed is not None and (closed.status, closed.outcome) == ("closed", "relapsed")
    assert wait.answered_by == "h2"
    with pytest.raises(OutcomeError, match="^case: .* no closure waiting"):
        relapse_outcomes.decide_closure(rt, case.case_number, by="h3", confirm=True)


def test_a_declined_closure_keeps_the_case_and_a_report_needs_an_ongoing_case(
        rt: Runtime) -> None:
    case = admitted_case(rt, 503)
    flag = relapse_outcomes.report_relapse(rt, case.case_id,
                                           kind=ReportedRelapse.SUBSTANCE_ABUSE,
                                           on=date(2026, 3, 20), by="h1")
    relapse.record_assessment(rt, case.case_number, flag_id=flag,
                              decision=AssessmentDecision.END_SUPPORT, by="h1")
    assert not relapse_outcomes.decide_closure(rt, case.case_id, by="h2",
                                               confirm=False).closed
    with rt.uow() as session:
        row = session.get(Case, case.case_id)
    assert row is not None and row.status == "admitted"
    assert count(rt, "SELECT count(*) FROM case_journal WHERE case_id = :c AND kind = "
                 "'closure_declined'", c=case.case_id) == 1

    # The report reaches the coordinators like a register's flag.
    seen: list[int] = []
    relapse_events.announce_relapses(rt, emit=lambda **e: seen.append(e["flag_id"]),
                                     notifier=None)
    assert seen == [flag]

    before = open_case(rt)
    with pytest.raises(OutcomeError, match="^case: .* not ongoing"):
        relapse_outcomes.report_relapse(rt, before.case_id, kind=ReportedRelapse.LOST_CONTACT,
                                        on=date(2026, 3, 20), by="h1")
    with pytest.raises(OutcomeError, match="^on: "):
        relapse_outcomes.report_relapse(rt, case.case_id, kind=ReportedRelapse.LOST_CONTACT,
                                        on=date(2099, 1, 1), by="h1")
