"""The state grant under Prefect's harness: statement, application, completion, decision
and the yearly ledger, against the police-grants simulator."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import select

from adapters import repo
from adapters.db import unit_of_work
from flows.new_case import new_case
from models.action_plan import InterventionKind
from models.during_tables import GrantBudget, GrantDecisionRow
from models.enums import Need
from tasks.action_plan import InterventionIn, add_intervention, approve_plan
from tasks.cases import snapshot
from tasks.grants import complete_application, ledger, record_statement
from tasks.intake import open_case
from tasks.meeting import record_needs
from tests.factories import referral
from tests.sims import Sim

NOW = datetime.now(UTC)


def _at_grant(cost: int = 30_000) -> uuid.UUID:
    """A case admitted, its meeting decided and its plan approved: waiting for the grant."""
    case_id = open_case(referral(), now=NOW).case_id
    new_case(case_id=case_id)
    record_needs(case_id, needs=[Need.HOUSING], network=[], by="coordinator-anna")
    assert new_case(case_id=case_id)["reason"] == "action plan"
    add_intervention(case_id, InterventionIn(kind=InterventionKind.LONG_TERM_HOUSING,
                                             start=NOW.date(), planned_end=date(2027, 12, 31),
                                             cost_sek=cost), by="coordinator-anna")
    approve_plan(case_id, by="coordinator-anna")
    assert new_case(case_id=case_id)["reason"] == "coordinator statement"
    return case_id


def _decision(case_id: uuid.UUID) -> GrantDecisionRow:
    with unit_of_work() as session:
        return session.exec(select(GrantDecisionRow).where(
            GrantDecisionRow.case_id == case_id)).one()


def _journal(case_id: uuid.UUID, kind: str) -> list[dict[str, Any]]:
    with unit_of_work() as session:
        return [e.data for e in repo.journal_entries(session, case_id) if e.kind == kind]


def test_a_supported_application_is_granted_the_plans_cost_and_booked(
        sims: tuple[Sim, Sim], invited: dict[str, Sim]) -> None:
    case_id = _at_grant(cost=30_000)
    before, _ = ledger(NOW.year)
    record_statement(case_id, supports=True, by="police-coordinator-li")
    assert new_case(case_id=case_id)["reason"] == "relocation decision"
    row = _decision(case_id)
    assert (row.status, row.amount_sek) == ("granted", 30_000)
    assert ledger(NOW.year)[0] == before + 30_000
    assert new_case(case_id=case_id)["reason"] == "relocation decision"
    assert invited["police_grants"].requests()["resources"] == 1


def test_an_unsupported_application_is_rejected_as_criteria_not_met(
        sims: tuple[Sim, Sim], invited: dict[str, Sim]) -> None:
    case_id = _at_grant()
    record_statement(case_id, supports=False, by="police-coordinator-li")
    new_case(case_id=case_id)
    row = _decision(case_id)
    assert (row.status, row.reason, row.amount_sek) == ("rejected", "criteria_not_met", None)


def test_a_grant_beyond_what_is_left_of_the_year_is_refused(
        sims: tuple[Sim, Sim], invited: dict[str, Sim]) -> None:
    case_id = _at_grant(cost=30_000)
    with unit_of_work() as session:
        session.merge(GrantBudget(year=NOW.year, appropriation_sek=20_000,
                                  direct_operational_cap_sek=10_000))
    record_statement(case_id, supports=True, by="police-coordinator-li")
    new_case(case_id=case_id)
    row = _decision(case_id)
    assert row.status == "refused_budget" and row.amount_sek is None
    assert "30000 kr exceeds the 20000 kr left" in (row.reason or "")
    assert ledger(NOW.year) == (0, 0)


def test_a_completion_request_waits_until_its_deadline_then_the_completion_is_sent(
        sims: tuple[Sim, Sim], invited: dict[str, Sim]) -> None:
    case_id = _at_grant()
    invited["police_grants"].set_scenario(snapshot(case_id).case_number, grant_completion=True)
    record_statement(case_id, supports=True, by="police-coordinator-li")
    assert new_case(case_id=case_id)["reason"] == "grant completion"
    [wait] = snapshot(case_id).open_waits
    [asked] = _journal(case_id, "grant_completion_requested")
    assert wait.kind == "grant_completion"
    assert wait.deadline.date().isoformat() == asked["deadline"]
    complete_application(case_id, by="coordinator-anna")
    assert new_case(case_id=case_id)["reason"] == "relocation decision"
    assert _decision(case_id).status == "granted"
