"""The reports through the case service: the grants officer records an application that
does not come from a case, decides it against the year's caps and pays it; downloads
the annual account; coordinators get their own municipality's follow-up statistics
(suppressed, no case number or name), the grants officer the national ones; every read
journaled. The reports over every case are made by the workers (role utvag_worker) and
stored; the service (role utvag_app) hands them out, or asks for them (202) and starts
their run through its port (a recording fake here)."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import text
from starlette.testclient import TestClient

from caseservice.app import create_app
from services.reports.publish_store import store_followup_national, store_grant_account
from services.runtime import Runtime
from tests.fakes.clock import FakeClock
from tests.fakes.runs import FakeRuns
from tests.followup_support import Spec, add_cases
from tests.role_support import as_role
from tests.service import tokens as u
from tests.service.tokens import TestVerifier

API = "/api/v1"
OPENED = datetime(2026, 2, 2, 9, tzinfo=UTC)
PERIOD = {"from": "2026-01-01", "to": "2026-12-31"}
AGENCY_APP = {"reference": "A077.300/2022", "year": 2022, "kind": "agency_development",
              "applicant_kind": "agency", "applicant": "Statens institutionsstyrelse",
              "purpose": "Utbildning om avhopparverksamhet", "amount_applied_sek": 905000}


def _journal(rt: Runtime, action: str, outcome: str) -> list[str]:
    with rt.db.engine.connect() as conn:
        return list(conn.execute(text(
            "SELECT staff_id FROM access_log WHERE action = :a AND outcome = :o ORDER BY id"),
            {"a": action, "o": outcome}).scalars())


def _count(rt: Runtime, table: str) -> int:
    with rt.db.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_the_grants_officer_records_decides_and_pays_an_agency_grant(
        client: TestClient, rt: Runtime) -> None:
    h = u.GRANTS.headers()
    first = client.post(f"{API}/grants/applications", json=AGENCY_APP, headers=h)
    assert first.status_code == 201 and first.json() == {"reference": "A077.300/2022",
                                                         "created": True}
    again = client.post(f"{API}/grants/applications", json=AGENCY_APP, headers=h)
    assert again.json()["created"] is False
    # Before 30 June 2022 the appropriation did not pay the joint assignment.
    early = client.post(f"{API}/grants/decisions", headers=h, json={
        "reference": "A077.300/2022", "outcome": "granted", "amount_sek": 905000,
        "decided_on": "2022-05-02", "decided_by": "noa_head"})
    assert early.status_code == 422 and early.json()["error"]["field"] == "kind"
    decided = client.post(f"{API}/grants/decisions", headers=h, json={
        "reference": "A077.300/2022", "outcome": "granted", "amount_sek": 905000,
        "decided_on": "2022-09-15", "decided_by": "noa_head"})
    assert decided.status_code == 201, decided.text
    too_much = client.post(f"{API}/grants/payouts", headers=h, json={
        "reference": "UTB-1", "amount_sek": 905001, "paid_on": "2022-10-01",
        "application": "A077.300/2022"})
    assert too_much.status_code == 422 and too_much.json()["error"]["field"] == "amount_sek"
    paid = client.post(f"{API}/grants/payouts", headers=h, json={
        "reference": "UTB-1", "amount_sek": 905000, "paid_on": "2022-10-01",
        "application": "A077.300/2022"})
    assert paid.status_code == 201
    year = client.get(f"{API}/grants/years/2022", headers=h).json()
    assert year["caps"] == {"total_cap_sek": 72_500_000, "direct_operational_cap_sek":
                            10_000_000, "provisional": False, "source_year": 2022}
    assert year["granted_sek"]["agency_development"] == 905_000
    assert year["left_sek"] == 72_500_000 - 905_000 and year["paid_sek"] == 905_000
    (app,) = year["applications"]
    assert (app["status"], app["amount_sek"], app["paid_sek"]) == ("granted", 905000, 905000)
    assert _journal(rt, "grants.record", "allowed").count("grants-nils") == 6
    assert _journal(rt, "grants.year", "allowed") == ["grants-nils"]


def test_bad_records_name_the_field_and_write_nothing(client: TestClient, rt: Runtime) -> None:
    h = u.GRANTS.headers()
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("/grants/applications", {**AGENCY_APP, "kind": "individual_case"}, "applicant_kind"),
        ("/grants/applications", {**AGENCY_APP, "year": 1999}, "year"),
        ("/grants/applications", {**AGENCY_APP, "reference": "bad ref"}, "reference"),
        ("/grants/decisions", {"reference": "A-404", "outcome": "rejected",
                               "rejection_reason": "incomplete", "decided_on": "2022-09-01",
                               "decided_by": "noa_head"}, "reference"),
        ("/grants/payouts", {"reference": "P-9", "amount_sek": 5, "paid_on": "2022-10-01",
                             "case_number": "UTV-2022-000404"}, "case_number"),
    ]
    for path, body, field in cases:
        response = client.post(API + path, json=body, headers=h)
        assert response.status_code == 422, (path, response.text)
        assert response.json()["error"]["field"] == field, (path, response.json())
    assert _count(rt, "grant_application") == 0 and _count(rt, "grant_payout") == 0
    # Not the grants officer: 404 as if nothing were there, journaled as denied.
    other = client.post(f"{API}/grants/applications", json=AGENCY_APP,
                        headers=u.COORDINATOR_STHLM.headers())
    assert other.status_code == 404
    assert _journal(rt, "grants.record", "denied") == ["coord-sthlm"]


def _store_account(rt: Runtime, database_url: str, year: int, run: str) -> None:
    """What the grant-account run does (flows/grant_account.py), as the workers' role."""
    with as_role(rt, database_url, "utvag_worker") as worker:
        assert store_grant_account(worker, year=year, run_id=run).created


def test_the_account_is_asked_for_then_downloads_as_html_csv_and_pdf(
        client: TestClient, rt: Runtime, waker: FakeRuns, database_url: str) -> None:
    h = u.GRANTS.headers()
    client.post(f"{API}/grants/applications", json=AGENCY_APP, headers=h)
    client.post(f"{API}/grants/decisions", headers=h, json={
        "reference": "A077.300/2022", "outcome": "granted", "amount_sek": 905000,
        "decided_on": "2022-09-15", "decided_by": "noa_head"})
    # Not made yet: asked for (202), its run started with the year only.
    asked = client.get(f"{API}/reports/grants/2022", headers=h)
    assert asked.status_code == 202, asked.text
    assert asked.json()["message"] == "rapporten tas fram" and asked.json()["started"]
    assert waker.reports == [("grant-account/grant-account", {"year": 2022})]
    again = client.get(f"{API}/reports/grants/2022?format=pdf", headers=h)
    assert again.status_code == 202 and again.json()["started"] is False
    assert again.json()["request_id"] == asked.json()["request_id"]
    assert len(waker.reports) == 1, "one run for the same report"
    assert _count(rt, "report_request") == 1
    _store_account(rt, database_url, 2022, asked.json()["flow_run_id"])
    html = client.get(f"{API}/reports/grants/2022", headers=h)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "Statens institutionsstyrelse" in html.text and "905\u202f000" in html.text
    assert 'filename="statliga-medel-2022.html"' in html.headers["content-disposition"]
    zipped = client.get(f"{API}/reports/grants/2022?format=csv", headers=h)
    names = zipfile.ZipFile(io.BytesIO(zipped.content)).namelist()
    assert "statliga-medel-2022-fordelning.csv" in names and len(names) == 9
    one = client.get(f"{API}/reports/grants/2022?format=csv&table=agencies", headers=h)
    assert "Statens institutionsstyrelse;905000;0" in one.content.decode("utf-8-sig")
    unknown = client.get(f"{API}/reports/grants/2022?format=csv&table=nope", headers=h)
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "table"
    pdf = client.get(f"{API}/reports/grants/2022?format=pdf", headers=h)
    assert pdf.content.startswith(b"%PDF")
    assert len(waker.reports) == 1
    assert _journal(rt, "report.grants", "allowed") == ["grants-nils"] * 7
    # Another year is its own report.
    assert client.get(f"{API}/reports/grants/2021", headers=h).status_code == 202
    assert waker.reports[-1] == ("grant-account/grant-account", {"year": 2021})


def test_a_coordinator_gets_the_own_municipality_suppressed(
        client: TestClient, rt: Runtime, waker: FakeRuns, database_url: str) -> None:
    add_cases(rt, [Spec(municipality="0180", opened=OPENED, sex="female" if i < 3 else "male")
                   for i in range(12)])
    add_cases(rt, [Spec(municipality="1480", opened=OPENED) for _ in range(30)])
    own = client.get(f"{API}/reports/followup/municipality", params=PERIOD,
                     headers=u.COORDINATOR_STHLM.headers())
    assert own.status_code == 200, own.text
    body = own.json()
    assert body["scope"].startswith("Stockholm") and body["cases"] == "12"
    sexes = next(t for t in body["tables"] if t["key"] == "arenden-sex")
    assert [r[:2] for r in sexes["rows"]] == [["Män", "x"], ["Kvinnor", "<5"],
                                              ["Totalt", "12"]]
    assert "UTV-" not in own.text and "Person " not in own.text
    # The nation: asked for, made by a worker (which sees every case), then handed out.
    asked = client.get(f"{API}/reports/followup/national", params=PERIOD,
                       headers=u.GRANTS.headers())
    assert asked.status_code == 202, asked.text
    assert waker.reports == [("followup-national/followup-national",
                              {"start": "2026-01-01", "end": "2026-12-31"})]
    with as_role(rt, database_url, "utvag_worker") as worker:
        store_followup_national(worker, start=date(2026, 1, 1), end=date(2026, 12, 31),
                                run_id=asked.json()["flow_run_id"])
    national = client.get(f"{API}/reports/followup/national", params=PERIOD,
                          headers=u.GRANTS.headers())
    assert national.status_code == 200 and national.json()["cases"] == "42"
    assert national.json()["scope"] == "Hela landet"
    nsexes = client.get(f"{API}/reports/followup/national",
                        params={**PERIOD, "format": "csv", "table": "arenden-sex"},
                        headers=u.GRANTS.headers())
    assert nsexes.status_code == 200 and "Totalt;42" in nsexes.content.decode("utf-8-sig")
    # Another period is another report: asked for again.
    other = client.get(f"{API}/reports/followup/national",
                       params={"from": "2026-01-01", "to": "2026-06-30"},
                       headers=u.GRANTS.headers())
    assert other.status_code == 202 and len(waker.reports) == 2
    csv = client.get(f"{API}/reports/followup/municipality",
                     params={**PERIOD, "format": "csv", "table": "arenden-sex"},
                     headers=u.COORDINATOR_STHLM.headers())
    assert "Kvinnor;<5" in csv.content.decode("utf-8-sig")
    # A handler, another organisation's coordinator for the nation, a backwards period.
    assert client.get(f"{API}/reports/followup/municipality", params=PERIOD,
                      headers=u.HANDLER_STHLM.headers()).status_code == 404
    assert client.get(f"{API}/reports/followup/national", params=PERIOD,
                      headers=u.COORDINATOR_GBG.headers()).status_code == 404
    backwards = client.get(f"{API}/reports/followup/municipality",
                           params={"from": "2026-12-31", "to": "2026-01-01"},
                           headers=u.COORDINATOR_STHLM.headers())
    assert backwards.status_code == 422 and backwards.json()["error"]["field"] == "to"
    nbackwards = client.get(f"{API}/reports/followup/national",
                            params={"from": "2026-12-31", "to": "2026-01-01"},
                            headers=u.GRANTS.headers())
    assert nbackwards.status_code == 422 and nbackwards.json()["error"]["field"] == "to"
    assert len(waker.reports) == 2
    assert _journal(rt, "report.followup_municipality", "denied") == ["handler-sthlm"]
    assert _journal(rt, "report.followup_national", "denied") == ["coord-gbg"]
    assert _journal(rt, "report.followup_national", "allowed") == ["grants-nils"] * 5


class _PrefectDown(FakeRuns):
    def start_report(self, deployment: str, parameters: dict[str, Any]) -> uuid.UUID:
        raise ConnectionError("prefect is not there")


def test_a_report_whose_run_cannot_be_started_is_not_recorded_as_asked_for(
        app_rt: Runtime, rt: Runtime) -> None:
    with TestClient(create_app(app_rt, TestVerifier(), _PrefectDown()),
                    raise_server_exceptions=False) as c:
        down = c.get(f"{API}/reports/grants/2022", headers=u.GRANTS.headers())
    assert down.status_code == 503 and down.headers["retry-after"] == "60"
    assert "could not be started" in down.json()["error"]["message"]
    assert _count(rt, "report_request") == 0


def test_a_request_whose_run_never_made_it_is_asked_again_later(
        client: TestClient, rt: Runtime, waker: FakeRuns, clock: FakeClock) -> None:
    h = u.GRANTS.headers()
    assert client.get(f"{API}/reports/grants/2022", headers=h).status_code == 202
    clock.advance(minutes=10)
    assert client.get(f"{API}/reports/grants/2022", headers=h).json()["started"] is False
    clock.advance(minutes=6)
    assert client.get(f"{API}/reports/grants/2022", headers=h).json()["started"] is True
    assert len(waker.reports) == 2 and _count(rt, "report_request") == 2


def test_the_grants_officer_sees_the_completions_asked_for(client: TestClient,
                                                          rt: Runtime) -> None:
    """Under row-level security (utvag_app) too: the police asked for a completion of a
    case's application; it is listed until the coordinator completes it."""
    from models.enums import WaitKind
    from models.waits import Wait
    from services import grants
    from services.waits import open_waits
    from tests import states
    from tests.factories import identity_number

    case = states.at_grant(rt, person={"identity_number": identity_number(serial=611),
                                       "name": "Ivar I"})
    grants.record_statement(rt, case.case_id, supports=True, by="police-li")
    open_waits(rt, case.case_id, [Wait.of(WaitKind.GRANT_COMPLETION)])  # as the police ask
    year = rt.now().year
    listed = client.get(f"{API}/grants/years/{year}", headers=u.GRANTS.headers()).json()
    assert [c["case_number"] for c in listed["completions"]] == [case.case_number]
    grants.complete_application(rt, case.case_id, by="coord-sthlm")
    listed = client.get(f"{API}/grants/years/{year}", headers=u.GRANTS.headers()).json()
    assert listed["completions"] == []
