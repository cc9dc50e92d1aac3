"""A legal hold through the case service: the responsible coordinator sets it with a
reason (journaled, encrypted) and lifts it; anyone else gets 404; a reason is required.
A held case is not culled; once lifted, it is."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from starlette.testclient import TestClient

from models.enums import Outcome
from services import culling
from services.closure import close_with_outcome
from services.runtime import Runtime
from services.views import case_view
from tests import states
from tests.factories import identity_number
from tests.fakes.clock import FakeClock
from tests.fakes.history import RecordingHistory
from tests.service import tokens as u
from tests.service.world import ANNA

API = "/api/v1"
REASON = "överklagat till förvaltningsrätten, mål 1234-26"
LIFTED = "domen har vunnit laga kraft"


def _dump(rt: Runtime) -> str:
    with rt.db.engine.connect() as conn:
        return str([conn.execute(text(f"SELECT * FROM {t}")).all()
                    for t in ("case_journal", "retention_hold")])


def test_the_coordinator_holds_a_case_from_culling_and_lifts_the_hold(
        client: TestClient, rt: Runtime, clock: FakeClock) -> None:
    case = states.admitted(rt, person={"identity_number": identity_number(serial=51),
                                       "name": ANNA})
    url = f"{API}/cases/{case.case_number}/legal-hold"
    done = client.post(url, json={"reason": REASON}, headers=u.COORDINATOR_STHLM.headers())
    assert done.status_code == 200, done.text
    assert done.json()["summary"].startswith("legal hold set")
    again = client.post(url, json={"reason": REASON}, headers=u.COORDINATOR_STHLM.headers())
    assert again.status_code == 422 and again.json()["error"]["field"] == "case"
    view = case_view(rt, case.case_id, viewer="test")
    assert view.legal_hold
    assert any(e.reason.endswith(f": {REASON}") for e in view.timeline)
    assert REASON not in _dump(rt), "the reason is stored encrypted only"

    close_with_outcome(rt, case.case_id, outcome=Outcome.COMPLETED, by=states.COORDINATOR)
    clock.advance(days=365 * 5 + 30)
    history = RecordingHistory()
    assert culling.cull(rt, history) == culling.CullReport(0, 0, 1, 0, 0)
    assert _rows_held(rt) == [(case.case_id,)]

    # Lifted: the case, past its period, is culled on the next run (the lifting is no
    # entry that starts the period again).
    lifted = client.post(f"{url}/lift", json={"reason": LIFTED},
                         headers=u.COORDINATOR_STHLM.headers())
    assert lifted.status_code == 200, lifted.text
    assert not _rows_held(rt)
    assert client.post(f"{url}/lift", json={"reason": LIFTED},
                       headers=u.COORDINATOR_STHLM.headers()).json()["error"]["field"] == "case"
    assert culling.cull(rt, history).persons == 1
    assert history.deleted == [case.case_number]
    # A culled case cannot be held any more: nothing of it is kept.
    culled = client.post(url, json={"reason": REASON}, headers=u.COORDINATOR_STHLM.headers())
    assert culled.status_code == 422 and culled.json()["error"]["field"] == "case"


def test_a_reason_is_required_and_others_get_404(client: TestClient, rt: Runtime) -> None:
    case = states.admitted(rt, person={"identity_number": identity_number(serial=52),
                                       "name": ANNA})
    url = f"{API}/cases/{case.case_number}/legal-hold"
    for body in ({}, {"reason": "   "}, {"reason": "x" * 1001}):
        bad = client.post(url, json=body, headers=u.COORDINATOR_STHLM.headers())
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "reason", body
    for user in (u.HANDLER_STHLM, u.COORDINATOR_GBG, u.POLICE_ASSIGNED, u.AUDITOR):
        for path in (url, f"{url}/lift"):
            assert client.post(path, json={"reason": REASON},
                               headers=user.headers()).status_code == 404
    assert not case_view(rt, case.case_id, viewer="test").legal_hold
    assert not _rows_held(rt)


def _rows_held(rt: Runtime) -> list[Any]:
    with rt.db.engine.connect() as conn:
        return list(conn.execute(text("SELECT case_id FROM retention_hold")).all())
