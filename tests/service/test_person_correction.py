"""Correcting a person's name or identity number through the case service (GDPR art. 16):
the responsible coordinator only, journaled with the reason (encrypted), the look-up
re-keyed, a duplicate refused, and the agencies that received the old value listed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from starlette.testclient import TestClient

from services import intake
from services.runtime import Runtime
from services.views import case_view
from tests import states
from tests.factories import identity_number, referral
from tests.service import tokens as u
from tests.service.world import ANNA

API = "/api/v1"
REASON = "Skatteverket bekräftade rätt nummer den 3 december"


def _rows(rt: Runtime, sql: str, **params: Any) -> list[Any]:
    with rt.db.engine.connect() as conn:
        return list(conn.execute(text(sql), params).all())


def test_the_coordinator_corrects_name_and_number_and_learns_whom_to_tell(
        client: TestClient, rt: Runtime) -> None:
    a = states.admitted(rt, person={"identity_number": identity_number(serial=21),
                                    "name": ANNA})
    right = identity_number(serial=22)
    response = client.post(f"{API}/cases/{a.case_number}/person/correction",
                           json={"name": "Anna Andersén", "identity_number": right,
                                 "reason": REASON}, headers=u.COORDINATOR_STHLM.headers())
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["fields"] == ["identity_number", "name"]
    told = {(t["recipient"], tuple(t["fields"])) for t in body["tell"]}
    assert ("police", ("identity_number", "name")) in told
    assert ANNA not in response.text and right not in response.text
    view = case_view(rt, a.case_id, viewer="anna")
    assert (view.person.name, view.person.identity_number) == ("Anna Andersén",
                                                               right.replace("-", ""))
    assert f"personal data corrected: identity_number, name: {REASON}" in [
        e.reason for e in view.timeline]
    # The look-up is re-keyed: intake under the corrected number finds the same case.
    again = intake.open_case(rt, referral(person={"identity_number": right, "name": "x"}))
    assert (again.created, again.case_number) == (False, a.case_number)
    dump = str(_rows(rt, "SELECT * FROM case_journal")) + str(_rows(rt, "SELECT * FROM person"))
    assert REASON not in dump and "Andersén" not in dump
    assert _rows(rt, "SELECT outcome FROM access_log WHERE action = 'person.correct'") == [
        ("allowed",)]


def test_a_number_another_person_holds_is_refused_as_a_duplicate_and_nothing_changes(
        client: TestClient, rt: Runtime) -> None:
    a = states.admitted(rt, person={"identity_number": identity_number(serial=31),
                                    "name": ANNA})
    other = identity_number(serial=32)
    intake.open_case(rt, referral(person={"identity_number": other, "name": "Bo"}))
    before = _rows(rt, "SELECT identity_enc, identity_hash FROM person ORDER BY id")
    response = client.post(f"{API}/cases/{a.case_number}/person/correction",
                           json={"identity_number": other, "reason": REASON},
                           headers=u.COORDINATOR_STHLM.headers())
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "identity_number"
    assert "duplicate" in response.json()["error"]["message"]
    assert _rows(rt, "SELECT identity_enc, identity_hash FROM person ORDER BY id") == before
    assert not _rows(rt, "SELECT 1 FROM case_journal WHERE kind = 'corrected'")


def test_bad_input_names_the_field_and_others_get_404(client: TestClient, rt: Runtime) -> None:
    a = states.admitted(rt, person={"identity_number": identity_number(serial=41),
                                    "name": ANNA})
    url = f"{API}/cases/{a.case_number}/person/correction"
    bad = client.post(url, json={"identity_number": "19121212-1213", "reason": REASON},
                      headers=u.COORDINATOR_STHLM.headers())
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "identity_number"
    for user in (u.HANDLER_STHLM, u.COORDINATOR_GBG, u.POLICE_ASSIGNED):
        assert client.post(url, json={"name": "X", "reason": REASON},
                           headers=user.headers()).status_code == 404
    assert view_name(rt, a.case_id) == ANNA


def view_name(rt: Runtime, case_id: Any) -> str:
    return case_view(rt, case_id, viewer="test").person.name
