"""The console's forms for the plan and the people (docs/plan-and-people.md), without a
browser: a proposed closure is confirmed only by a second person, from its wait."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from models.relapse import AssessmentDecision
from models.tables import Case
from services import relapse, relapse_outcomes
from services.relapse_outcomes import ReportedRelapse
from services.runtime import Runtime
from tests import states
from tests.console.support import page_client, signed_in
from tests.factories import identity_number
from tests.fakes.agencies import FakeAgencies
from tests.service import tokens as u


@pytest.fixture()
def client(rt: Runtime) -> Iterator[TestClient]:
    yield from page_client(rt)


_as = signed_in


def test_a_proposed_closure_is_confirmed_by_a_second_person_from_the_console(
        client: TestClient, rt: Runtime) -> None:
    case = states.admitted(rt, FakeAgencies(), person={
        "identity_number": identity_number(serial=521), "name": "Åsa Å"})
    flag = relapse_outcomes.report_relapse(rt, case.case_id, kind=ReportedRelapse.LOST_CONTACT,
                                           on=rt.now().date(), by=u.COORDINATOR_STHLM.staff_id)
    relapse.record_assessment(rt, case.case_number, flag_id=flag,
                              decision=AssessmentDecision.END_SUPPORT,
                              by=u.COORDINATOR_STHLM.staff_id)
    url = f"/console/cases/{case.case_number}"
    csrf = _as(client, rt, u.COORDINATOR_STHLM)
    assert "Bekräftelse av avslut" in client.get(url).text
    refused = client.post(f"{url}/answer/closure-confirmation",
                          data={"csrf": csrf, "key": "closure_confirmation-closure",
                                "confirm": "yes"})
    assert refused.status_code == 422, "the proposer cannot confirm"

    csrf = _as(client, rt, u.COORDINATOR_GBG)  # another municipality: not theirs
    assert client.post(f"{url}/answer/closure-confirmation",
                       data={"csrf": csrf, "confirm": "yes"}).status_code == 404

    from tests.service.tokens import User

    second = User("coord-sthlm-2", "municipality:0180", ("coordinator",))
    csrf = _as(client, rt, second)
    done = client.post(f"{url}/answer/closure-confirmation",
                       data={"csrf": csrf, "confirm": "yes"}, follow_redirects=False)
    assert done.status_code == 303
    with rt.uow() as session:
        closed = session.get_one(Case, case.case_id)
    assert (closed.status, closed.outcome) == ("closed", "relapsed")
