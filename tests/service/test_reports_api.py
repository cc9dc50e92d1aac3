"""The reports through the case service: the grants officer records an application that
does not come from a case, decides it against the year's caps and pays it; downloads
the annual account; coordinators get their own municipality's follow-up statistics
(suppressed, no case number or name), the grants officer the national ones; every read
journaled; under the service's row-level-security role a report over every case is
refused rather than made from what the role sees."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from starlette.testclient import TestClient

from caseservice.app import create_app
from services.runtime import Runtime
from tests.fakes.runs import FakeRuns
from tests.followup_support import Spec, add_cases
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


def test_the_account_downloads_as_html_csv_and_pdf(client: TestClient, rt: Runtime) -> None:
    h = u.GRANTS.headers()
    client.post(f"{API}/grants/applications", json=AGENCY_APP, headers=h)
    client.post(f"{API}/grants/decisions", headers=h, json={
        "reference": "A077.300/2022", "outcome": "granted", "amount_sek": 905000,
        "decided_on": "2022-09-15", "decided_by": "noa_head"})
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
    assert _journal(rt, "report.grants", "allowed") == ["grants-nils"] * 5


def test_a_coordinator_gets_the_own_municipality_suppressed(client: TestClient,
                                                            rt: Runtime) -> None:
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
    national = client.get(f"{API}/reports/followup/national", params=PERIOD,
                          headers=u.GRANTS.headers())
    assert national.json()["cases"] == "42"
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
    assert _journal(rt, "report.followup_municipality", "denied") == ["handler-sthlm"]
    assert _journal(rt, "report.followup_national", "denied") == ["coord-gbg"]
    assert _journal(rt, "report.followup_national", "allowed") == ["grants-nils"]


def test_as_the_services_role_a_report_over_every_case_is_refused_not_wrong(
        rt: Runtime, database_url: str, cipher: Any) -> None:
    from adapters.db import Database
    from tests.conftest import make_settings

    add_cases(rt, [Spec(municipality="0180", opened=OPENED) for _ in range(6)])
    add_cases(rt, [Spec(municipality="1480", opened=OPENED) for _ in range(6)])
    as_app = Runtime(settings=make_settings(database_url, database_role="utvag_app"),
                     db=Database(database_url, pool_size=2, role="utvag_app"),
                     clock=rt.clock, cipher=cipher)
    with TestClient(create_app(as_app, TestVerifier(), FakeRuns())) as c:
        own = c.get(f"{API}/reports/followup/municipality", params=PERIOD,
                    headers=u.COORDINATOR_STHLM.headers())
        assert own.status_code == 200 and own.json()["cases"] == "6", own.text
        for path in ("/reports/followup/national", "/reports/grants/2022"):
            refused = c.get(API + path, params=PERIOD, headers=u.GRANTS.headers())
            assert refused.status_code == 503, (path, refused.text)
            assert "every case" in refused.json()["error"]["message"]
