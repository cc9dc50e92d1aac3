"""Decisions that took effect, on the console's case page (browser-free): who is
responsible after a transfer (and who pays, over time), the action plan's versions after
a revision, and a handler's relapse report from its form, refused at its field when the
kind is not one of the two or the day is in the future, and not found for a role the
policy refuses."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from models.principal import Principal, Role
from models.relapse import AssessmentDecision
from services import relapse, relapse_outcomes
from services.access import caseload
from services.runtime import Runtime
from tests import states
from tests.console.support import page_client, signed_in
from tests.fakes.clock import FakeClock
from tests.service import tokens as u

GOTEBORG = "1480"


@pytest.fixture()
def client(rt: Runtime) -> Iterator[TestClient]:
    yield from page_client(rt)


_as = signed_in


def _section(page: str, heading: str) -> str:
    start = page.index(f">{heading}</h2>")
    return page[start:page.index("</section>", start)]


def _cells(html: str) -> list[list[str]]:
    return [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", html)
            if "<td>" in row]


def _flags(rt: Runtime) -> int:
    with rt.db.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM relapse_flag")).scalar_one())


def test_after_the_transfer_took_effect_goteborg_is_responsible_with_the_history(
        client: TestClient, rt: Runtime, clock: FakeClock) -> None:
    opened = rt.now().date()
    case = states.in_after_phase(rt, destination=GOTEBORG)
    moved = opened + timedelta(days=30)  # the agreed date in_after_phase accepts
    clock.advance(days=31)
    _as(client, rt, u.COORDINATOR_GBG)
    page = client.get(f"/console/cases/{case.case_number}").text
    held = _section(page, "Ansvar för ärendet")
    assert "Ansvarig kommun i dag</dt><dd>Göteborg (1480)" in held
    assert "Betalar stödet i dag</dt><dd>Göteborg (1480)" in held
    assert _cells(held) == [
        ["Ansvarig kommun", "Stockholm (0180)", str(opened), str(moved)],
        ["Betalar", "Stockholm (0180)", str(opened), str(moved)],
        ["Ansvarig kommun", "Göteborg (1480)", str(moved), "tills vidare"],
        ["Betalar", "Göteborg (1480)", str(moved), "tills vidare"]]
    assert states.ADDRESS not in page
    # Stockholm no longer sees the case; the police contact sees it without who is
    # responsible (the receiving municipality tells where the person lives).
    _as(client, rt, u.COORDINATOR_STHLM)
    assert client.get(f"/console/cases/{case.case_number}").status_code == 404
    _assign_police(rt, case.case_id, u.COORDINATOR_GBG)
    _as(client, rt, u.POLICE_ASSIGNED)
    police = client.get(f"/console/cases/{case.case_number}")
    assert police.status_code == 200
    assert "Ansvar för ärendet" not in police.text and "Göteborg" not in police.text


def test_a_revised_plan_shows_the_approved_version_and_the_draft(
        client: TestClient, rt: Runtime) -> None:
    case = states.in_after_phase(rt)
    flag = relapse_outcomes.report_relapse(
        rt, case.case_id, kind=relapse_outcomes.ReportedRelapse.SUBSTANCE_ABUSE,
        on=rt.now().date(), by="handler-sthlm")
    relapse.record_assessment(rt, case.case_number, flag_id=flag,
                              decision=AssessmentDecision.ADJUST_PLAN, by="coord-sthlm")
    _as(client, rt, u.COORDINATOR_STHLM)
    versions = _section(client.get(f"/console/cases/{case.case_number}").text,
                        "Handlingsplanens versioner")
    assert _cells(versions) == [
        ["v1", "godkänd", "Första planen", "1", "15\u00a0000 kr", states.COORDINATOR],
        ["v2", "utkast", f"Återfall (flagga {flag}) bedömt: justera planen", "1", "–", "–"]]


def test_a_handler_reports_lost_contact_and_the_assessment_is_waited_for(
        client: TestClient, rt: Runtime) -> None:
    case = states.in_after_phase(rt)
    csrf = _as(client, rt, u.HANDLER_STHLM)
    page = client.get(f"/console/cases/{case.case_number}").text
    form = _section(page, "Rapportera återfall")
    assert 'type="radio" name="kind" value="lost_contact"' in form
    assert "Bedömning av återfall" not in page
    done = client.post(f"/console/cases/{case.case_number}/answer/relapse-report", data={
        "csrf": csrf, "key": "relapse-report", "kind": "lost_contact",
        "on": rt.now().date().isoformat()}, follow_redirects=False)
    assert done.status_code == 303
    after = client.get(done.headers["location"]).text
    assert "Återfallet är rapporterat" in after
    assert "Bedömning av återfall" in _section(after, "Väntar på")
    assert _flags(rt) == 1


def test_an_unknown_kind_or_a_future_day_is_refused_at_its_field_and_nothing_written(
        client: TestClient, rt: Runtime) -> None:
    case = states.in_after_phase(rt)
    csrf = _as(client, rt, u.HANDLER_STHLM)
    refused = client.post(f"/console/cases/{case.case_number}/answer/relapse-report", data={
        "csrf": csrf, "key": "relapse-report", "kind": "moved",
        "on": rt.now().date().isoformat()})
    assert refused.status_code == 422
    assert 'id="relapse-report-kind-error"' in refused.text
    assert 'aria-describedby="relapse-report-kind-error"' in refused.text
    assert "Välj ett av alternativen." in refused.text
    assert _flags(rt) == 0
    assert "Bedömning av återfall" not in refused.text
    future = client.post(f"/console/cases/{case.case_number}/answer/relapse-report", data={
        "csrf": csrf, "key": "relapse-report", "kind": "lost_contact",
        "on": (rt.now().date() + timedelta(days=1)).isoformat()})
    assert future.status_code == 422
    assert 'id="relapse-report-on-error"' in future.text
    assert "datumet kan inte vara i framtiden" in future.text
    assert _flags(rt) == 0


def test_the_police_contact_cannot_report_a_relapse(client: TestClient, rt: Runtime) -> None:
    case = states.in_after_phase(rt)
    _assign_police(rt, case.case_id, u.COORDINATOR_STHLM)
    csrf = _as(client, rt, u.POLICE_ASSIGNED)
    page = client.get(f"/console/cases/{case.case_number}").text
    assert "Rapportera återfall" not in page and "Handlingsplanens versioner" not in page
    refused = client.post(f"/console/cases/{case.case_number}/answer/relapse-report", data={
        "csrf": csrf, "key": "relapse-report", "kind": "lost_contact",
        "on": rt.now().date().isoformat()})
    assert refused.status_code == 404
    assert "Sidan finns inte" in refused.text
    assert _flags(rt) == 0


def _assign_police(rt: Runtime, case_id: uuid.UUID, coordinator: u.User) -> None:
    principal = Principal(subject=coordinator.subject, staff_id=coordinator.staff_id,
                          name="C", organisation=coordinator.organisation,
                          roles=frozenset({Role.COORDINATOR}))
    caseload.assign(rt, principal, case_id, staff_id=u.POLICE_ASSIGNED.staff_id,
                    organisation=u.POLICE_ASSIGNED.organisation, role=Role.POLICE_CONTACT)
