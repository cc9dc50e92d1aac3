"""The during phase under Prefect's harness: needs, meeting routing, invitations with
per-agency consent, sign-offs and the meeting's decision, against the simulators."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from adapters import repo
from adapters.db import unit_of_work
from flows.agency_answers import collect_agency_answers
from flows.new_case import new_case
from models.action_plan import InterventionKind
from models.during_tables import MeetingInvitation
from models.enums import Need, NetworkRole
from models.routing import CURRENT_VERSION
from models.tables import Case
from tasks.action_plan import InterventionIn, add_intervention, approve_plan
from tasks.cases import snapshot
from tasks.intake import open_case
from tasks.meeting import record_needs
from tasks.waits import record_consent
from tests.factories import referral
from tests.sims import Sim

NOW = datetime.now(UTC)
ALL_AGENCIES = ("police", "social_services", "kriminalvarden", "arbetsformedlingen",
                "health_care", "sis")


def _open(*, without: tuple[str, ...] = (), **overrides: Any) -> uuid.UUID:
    consents = [{"agency": a, "legal_basis": "samtycke"} for a in ALL_AGENCIES if a not in without]
    return open_case(referral(consents=consents, **overrides), now=NOW).case_id


def _journal(case_id: uuid.UUID, kind: str) -> list[dict[str, Any]]:
    with unit_of_work() as session:
        return [e.data for e in repo.journal_entries(session, case_id) if e.kind == kind]


def _admitted_with_needs(case_id: uuid.UUID, *needs: Need,
                         network: tuple[NetworkRole, ...] = ()) -> dict[str, Any]:
    waiting = new_case(case_id=case_id)
    assert (waiting["phase"], waiting["reason"]) == ("during", "needs assessment")
    assert [w.kind for w in snapshot(case_id).open_waits] == ["needs_assessment"]
    record_needs(case_id, needs=list(needs), network=list(network), by="coordinator-anna")
    result: dict[str, Any] = new_case(case_id=case_id)
    return result


def test_the_meeting_calls_the_agencies_the_rules_name_and_each_signs_off(
        sims: tuple[Sim, Sim], invited: dict[str, Sim]) -> None:
    case_id = _open(custody_status="on_probation")
    result = _admitted_with_needs(case_id, Need.HOUSING, Need.OCCUPATION, Need.MENTAL_HEALTH,
                                  network=(NetworkRole.MENTOR,))
    assert (result["step"], result["reason"]) == ("waiting", "action plan")
    [routed] = _journal(case_id, "routed")
    assert routed["routing_version"] == CURRENT_VERSION
    assert set(routed["invitees"]) == {"police", "social_services", "kriminalvarden",
                                       "arbetsformedlingen", "health_care", "network"}
    assert routed["invitees"]["network"]["units"] == ["mentor"]
    for agency in ("kriminalvarden", "arbetsformedlingen", "health_care"):
        assert invited[agency].requests()["resources"] == 1, agency
    assert invited["sis"].requests()["resources"] == 0, "an adult is not referred to SiS"
    [decision] = _journal(case_id, "meeting_decided")
    assert set(decision["sign_offs"]) == {"kriminalvarden", "arbetsformedlingen", "health_care"}
    assert decision["sign_offs"]["kriminalvarden"]["by"] == "kriminalvarden-officer"
    assert new_case(case_id=case_id)["reason"] == "action plan"
    assert sum(s.requests()["resources"] for s in invited.values()) == 3, "nothing sent twice"
    add_intervention(case_id, InterventionIn(kind=InterventionKind.LONG_TERM_HOUSING,
                                             start=NOW.date(), planned_end=NOW.date(),
                                             cost_sek=30_000), by="coordinator-anna")
    approve_plan(case_id, by="coordinator-anna")
    assert new_case(case_id=case_id)["reason"] == "coordinator statement", "on to the grant"
    assert [w.kind for w in snapshot(case_id).open_waits] == ["grant_statement"]


def test_a_missing_sign_off_keeps_the_case_waiting_until_collected(
        sims: tuple[Sim, Sim], invited: dict[str, Sim]) -> None:
    case_id = _open(custody_status="in_prison")
    invited["kriminalvarden"].set_scenario(snapshot(case_id).case_number,
                                           answer_delay_seconds=6)
    result = _admitted_with_needs(case_id, Need.DEBTS)
    assert (result["step"], result["reason"]) == ("waiting", "meeting sign-off")
    assert [w.subject for w in snapshot(case_id).open_waits] == [
        "kriminalvarden:meeting_invitation"]
    assert _journal(case_id, "meeting_decided") == []
    deadline = time.monotonic() + 30
    while collect_agency_answers(wake=False)["answered"] == 0:
        assert time.monotonic() < deadline, "the sign-off was never collected"
        time.sleep(1)
    assert new_case(case_id=case_id)["reason"] == "action plan"
    assert _journal(case_id, "meeting_decided")


def test_consent_withdrawn_mid_flow_stops_the_disclosure_to_that_agency_only(
        sims: tuple[Sim, Sim], invited: dict[str, Sim]) -> None:
    case_id = _open()
    assert new_case(case_id=case_id)["reason"] == "needs assessment"
    record_consent(case_id, agency="health_care", given=False, by="coordinator-anna",
                   legal_basis="samtycke återkallat")
    record_needs(case_id, needs=[Need.MENTAL_HEALTH, Need.OCCUPATION], network=[],
                 by="coordinator-anna")
    result = new_case(case_id=case_id)
    assert (result["step"], result["reason"]) == ("waiting", "consent")
    assert invited["health_care"].requests()["resources"] == 0, "nothing to health care"
    assert invited["arbetsformedlingen"].requests()["resources"] == 1
    assert {"agency": "health_care", "state": "withdrawn",
            "legal_basis": "samtycke återkallat"} in _journal(case_id, "consent")
    refused = [d["agency"] for d in _journal(case_id, "disclosure_refused")]
    assert refused == ["health_care"]
    record_consent(case_id, agency="health_care", given=True, by="coordinator-anna",
                   legal_basis="samtycke")
    assert new_case(case_id=case_id)["reason"] == "action plan"
    assert _journal(case_id, "meeting_decided")
    assert invited["health_care"].requests()["resources"] == 1


def test_a_case_keeps_the_rules_version_it_was_opened_under(
        sims: tuple[Sim, Sim], invited: dict[str, Sim]) -> None:
    old, new = _open(), _open(person={"identity_number": "19900101-0017", "name": "A B"})
    with unit_of_work() as session:
        session.execute(sa.update(Case).where(col(Case.id) == new)
                        .values(routing_version="2026.2"))
    for case_id in (old, new):
        assert _admitted_with_needs(case_id, Need.SUBSTANCE_ABUSE)["reason"] == "action plan"
    with unit_of_work() as session:
        rows = session.exec(select(MeetingInvitation.case_id, MeetingInvitation.invitee,
                                   MeetingInvitation.routing_version)).all()
    by_case = {case_id: {(i, v) for c, i, v in rows if c == case_id} for case_id in (old, new)}
    assert ("health_care", "2026.2") in by_case[new]
    assert all(v == CURRENT_VERSION for _, v in by_case[old])
    assert "health_care" not in {i for i, _ in by_case[old]}
    assert _journal(new, "routed")[0]["routing_version"] == "2026.2"
