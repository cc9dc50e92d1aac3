"""Break-glass: someone outside a case opens it in an emergency with a reason; it is
journaled, told to the case's coordinators, lasts a bounded time and is listed for the
auditor until reviewed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from starlette.testclient import TestClient

from services.runtime import Runtime
from tests import states
from tests.factories import identity_number
from tests.fakes.clock import FakeClock
from tests.service import tokens as u
from tests.service.world import ANNA

API = "/api/v1"
REASON = "akut hot mot personen, ringer från jouren i Göteborg"


def outcomes(rt: Runtime, staff_id: str) -> list[Any]:
    with rt.db.engine.connect() as conn:
        return [r[0] for r in conn.execute(text(
            "SELECT outcome FROM access_log WHERE staff_id = :s AND action = 'case.show' "
            "ORDER BY id"), {"s": staff_id})]


def test_break_glass_opens_a_case_for_a_bounded_time_and_is_reviewed(
        client: TestClient, rt: Runtime, clock: FakeClock) -> None:
    a = states.admitted(rt, person={"identity_number": identity_number(serial=31),
                                    "name": ANNA})
    case = f"{API}/cases/{a.case_number}"
    gbg = u.COORDINATOR_GBG.headers()
    assert client.get(case, headers=gbg).status_code == 404
    short = client.post(f"{case}/break-glass", headers=gbg, json={"reason": "x"})
    assert short.status_code == 422 and short.json()["error"]["field"] == "reason"
    opened = client.post(f"{case}/break-glass", headers=gbg, json={"reason": REASON})
    assert opened.status_code == 201, opened.text
    assert client.get(case, headers=gbg).json()["person"]["name"] == ANNA
    # Not the destination, not a decision: break-glass opens the case view only.
    assert client.post(f"{case}/needs", headers=gbg,
                       json={"needs": ["housing"]}).status_code == 404
    # The coordinators see it in the case's timeline.
    timeline = client.get(case, headers=u.COORDINATOR_STHLM.headers()).json()["timeline"]
    assert any("break-glass" in e["reason"] and e["actor"] == "coord-gbg" for e in timeline)
    # The auditor lists it (with its reason) until reviewed.
    listed = client.get(f"{API}/audit/break-glass", headers=u.AUDITOR.headers()).json()
    assert [(o["case_number"], o["staff_id"], o["reason"]) for o in listed] == [
        (a.case_number, "coord-gbg", REASON)]
    # Four hours later it is closed again.
    clock.advance(hours=4, seconds=1)
    assert client.get(case, headers=gbg).status_code == 404
    assert outcomes(rt, "coord-gbg") == ["denied", "break_glass", "denied"]
    review = client.post(f"{API}/audit/break-glass/{listed[0]['id']}/review",
                         headers=u.AUDITOR.headers())
    assert review.status_code == 204
    assert client.get(f"{API}/audit/break-glass", headers=u.AUDITOR.headers()).json() == []
    log = client.get(f"{API}/audit/access-log", headers=u.AUDITOR.headers(),
                     params={"case": a.case_number, "outcome": "break_glass"}).json()
    assert [e["staff_id"] for e in log] == ["coord-gbg"]
    # Nobody but the auditor reads the audit lists.
    assert client.get(f"{API}/audit/break-glass",
                      headers=u.COORDINATOR_STHLM.headers()).status_code == 404
