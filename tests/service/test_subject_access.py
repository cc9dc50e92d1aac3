"""The subject-access export (GDPR art. 15) through the case service: the responsible
coordinator records the request; the export holds the personal data, the history in
Swedish words, every disclosure with its legal basis, the register look-ups and every
access by organisation, as JSON and as Swedish HTML; the destination only when allowed
and asked for; journaled; nobody else gets it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from starlette.testclient import TestClient

from models.relapse import RegisterDisclosure
from services.runtime import Runtime
from tests import states
from tests.factories import identity_number
from tests.service import tokens as u
from tests.service.world import ANNA

API = "/api/v1"
BODY = {"received_on": "2026-05-30"}


def _rows(rt: Runtime, sql: str) -> list[Any]:
    with rt.db.engine.connect() as conn:
        return list(conn.execute(text(sql)).all())


def _relocated(rt: Runtime) -> Any:
    case = states.relocated(rt, person={"identity_number": identity_number(serial=51),
                                        "name": ANNA})
    with rt.uow() as session:
        session.add(RegisterDisclosure(
            at=rt.now(), actor="system", agency="police", register_name="criminal_records",
            sweep_run="run-1", fields=["identity_number"], reason="lag (1998:620) 8 §",
            case_ids=[case.case_id]))
    return case


def test_the_export_holds_everything_held_and_who_saw_it_as_json_and_html(client: TestClient,
                                                          rt: Runtime) -> None:
    case = _relocated(rt)
    coordinator = u.COORDINATOR_STHLM.headers()
    assert client.get(f"{API}/cases/{case.case_number}", headers=coordinator).status_code == 200
    response = client.post(f"{API}/cases/{case.case_number}/subject-access", json=BODY,
                           headers=coordinator)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    export = response.json()
    assert export["person"]["name"] == ANNA and export["person"]["sex"] in ("male", "female")
    (held,) = export["cases"]
    assert "Ärendet öppnades efter en hänvisning." in [h["text"] for h in held["history"]]
    assert all(not h["text"].startswith(("wait_", "agency_")) for h in held["history"])
    police = [d for d in export["disclosures"] if d["recipient"] == "police"]
    assert police and police[0]["fields"] == ["identity_number", "name"]
    assert police[0]["legal_basis"] and police[0]["recipient_name"] == "Polisen"
    assert [(d["recipient_name"], d["legal_basis"]) for d in export["register_lookups"]] == [
        ("belastningsregistret", "lag (1998:620) 8 §")]
    reads = {(r["organisation"], r["action"]) for r in export["reads"]}
    assert ("municipality:0180", "case.show") in reads
    assert all("staff_id" not in r and "subject" not in r for r in export["reads"])
    assert held["relocation"] is None and export["destination_included"] is False
    assert states.ADDRESS not in response.text
    assert _rows(rt, "SELECT count(*) FROM case_journal WHERE kind = 'subject_access'") == [(1,)]
    assert export["cases"][0]["history"][-1]["text"].startswith("Du begärde ett registerutdrag")
    logged = _rows(rt, "SELECT outcome, fields FROM access_log "
                       "WHERE action = 'person.subject_access'")
    assert logged == [("allowed", ["name", "identity_number", "birth_date", "sex",
                                   "evidence_note", "legal_basis"])]
    # The same as Swedish HTML, with the destination when asked for (the coordinator of
    # the placing municipality may read it).
    response = client.post(f"{API}/cases/{case.case_number}/subject-access",
                           json={**BODY, "include_destination": True, "format": "html"},
                           headers=coordinator)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<html lang='sv'>" in page and "Registerutdrag" in page
    assert "Utlämnade uppgifter" in page and "Polisen" in page and ANNA in page
    assert states.ADDRESS in page and "Ny kommun" in page
    assert _rows(rt, "SELECT fields FROM access_log WHERE action = 'person.subject_access' "
                     "ORDER BY id")[-1][0][-2:] == ["destination", "address"]


def test_nobody_but_the_responsible_coordinator_gets_it(client: TestClient,
                                                         rt: Runtime) -> None:
    case = states.admitted(rt, person={"identity_number": identity_number(serial=52),
                                       "name": ANNA})
    url = f"{API}/cases/{case.case_number}/subject-access"
    for user in (u.HANDLER_STHLM, u.COORDINATOR_GBG, u.POLICE_ASSIGNED, u.AUDITOR):
        response = client.post(url, json=BODY, headers=user.headers())
        assert response.status_code == 404 and ANNA not in response.text
    bad = client.post(url, json={"received_on": "igår"}, headers=u.COORDINATOR_STHLM.headers())
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "received_on"
    assert _rows(rt, "SELECT count(*) FROM case_journal WHERE kind = 'subject_access'") == [(0,)]
