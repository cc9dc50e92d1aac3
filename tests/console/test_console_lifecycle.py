"""Console forms of the case's life over time: the establishment in the new town (which
lets the case's run offer the transfer) and a coordinator's new transfer offer after a
decline, each from the wait it answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from starlette.testclient import TestClient

from models.progress import Act, Action
from services.runtime import Runtime
from services.transfer import answer_transfer, offer_transfer
from tests import states
from tests.console.support import page_client, signed_in
from tests.fakes.agencies import FakeAgencies
from tests.service import tokens as u


@pytest.fixture()
def client(rt: Runtime) -> Iterator[TestClient]:
    yield from page_client(rt)


_as = signed_in


def test_establishment_then_a_new_offer_after_a_decline_from_the_console(
        client: TestClient, rt: Runtime) -> None:
    case = states.settling(rt, FakeAgencies())
    csrf = _as(client, rt, u.COORDINATOR_STHLM)
    page = client.get(f"/console/cases/{case.case_number}").text
    assert "Registrera etableringen" in page
    base = f"/console/cases/{case.case_number}/answer"
    refused = client.post(f"{base}/establishment", data={"csrf": csrf, "key": "x"})
    assert refused.status_code == 422
    done = client.post(f"{base}/establishment", data={
        "csrf": csrf, "stable_housing": "yes", "occupation": "yes", "support_needed": "yes"},
        follow_redirects=False)
    assert done.status_code == 303
    assert "Etableringen är registrerad" in client.get(done.headers["location"]).text
    assert states.stands_at(rt, case.case_id) == Act(Action.OFFER_TRANSFER)
    offer_transfer(rt, case.case_id)
    answer_transfer(rt, case.case_id, accept=False, cost_payer="placing",
                    cost_from=date(2027, 1, 1), viewer_municipality=states.DESTINATION,
                    by="ss-kiruna")
    states.stands_at(rt, case.case_id)  # the run opens the wait for a new offer
    assert "Erbjud överflyttning" in client.get(f"/console/cases/{case.case_number}").text
    offered = client.post(f"{base}/transfer-offer", data={
        "csrf": csrf, "reason": "ny enhet i mottagande kommun"}, follow_redirects=False)
    assert offered.status_code == 303
    assert "Överflyttningen är erbjuden" in client.get(offered.headers["location"]).text
