"""Two municipalities on the whole local system as `make run` starts it: the OpenID
Connect provider, Prefect with auth, the simulators, the deployments and a worker
(utvag_worker), and the case service (`utvag serve`, utvag_app) as its own process.

Stockholm's coordinator signs in on the provider's real login form and opens a case
through the service, which starts its flow run on Prefect with the credential it holds.
Göteborg's coordinator, signed in the same way, finds nothing of it: not in the case
list, and the same 404 for it as for a case number that does not exist, for a read and
for a decision; the auditor finds those attempts journaled as denied. (That the
receiving municipality sees the case only from its acceptance of the transfer is shown
at the service and database level: tests/service, tests/integration/test_rls.py; here it
would take the case through every phase.)

On the e2e tests' one stack (tests/e2e/conftest.py: on free ports, the session's
database, its own Prefect home), started with `utvag_cli.stack`, the Python API `utvag
run` uses.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName
from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

from adapters.oidc_client import TokenSet
from services import belongings, hand_over
from services.runtime import runtime
from tests import states
from tests.conftest import make_settings
from tests.e2e.conftest import eventually
from tests.factories import identity_number, referral
from tests.fakes.agencies import FakeAgencies
from tests.oidc_login import token_for
from utvag_cli.stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
# Agencies answer "an hour later", and the schedules are hourly: nothing runs here
# beyond what the test starts.
HOUR = 3600


@pytest.fixture()
def system(stack: Stack) -> Stack:
    """The e2e tests' one stack (tests/e2e/conftest.py): the whole local system."""
    return stack


def _api(stack: Stack, tokens: TokenSet) -> httpx.Client:
    return httpx.Client(base_url=f"{stack.service_url}/api/v1", timeout=30,
                        headers={"Authorization": f"Bearer {tokens.access_token}"})


def _runs(stack: Stack, name: str) -> list[Any]:
    with temporary_settings(updates={PREFECT_API_URL: stack.api_url,
                                     PREFECT_API_AUTH_STRING: stack.auth_string}), \
            get_client(sync_client=True) as client:
        return list(client.read_flow_runs(flow_run_filter=FlowRunFilter(
            name=FlowRunFilterName(any_=[name]))))


def test_another_municipality_finds_nothing_of_a_coordinators_case(system: Stack) -> None:
    assert system.provider is not None
    started = datetime.now(UTC)
    stockholm = token_for(system.provider, "stockholm.samordnare")
    goteborg = token_for(system.provider, "goteborg.samordnare")
    auditor = token_for(system.provider, "revisor")
    name = f"E2e Person {uuid.uuid4().hex[:6]}"
    person = {"identity_number": identity_number(born=date(1991, 7, 23)), "name": name}

    with _api(system, stockholm) as api:
        opened = api.post("/cases", json=referral(person=person))
        assert opened.status_code == 201, opened.text
        number = opened.json()["case_number"]
        assert number in [c["case_number"] for c in api.get("/cases").json()]
        shown = api.get(f"/cases/{number}")
        assert shown.status_code == 200
        assert shown.json()["person"]["name"] == name
        entries = shown.json()["timeline"]
        assert {"stockholm.samordnare"} <= {e["actor"] for e in entries}

    # The service starts the case's run on Prefect (after answering), through its auth.
    eventually(lambda: _runs(system, f"{number}-before"), timeout=60,
               what="the flow run the service starts")
    no_auth = httpx.post(f"{system.api_url}/flow_runs/filter", json={}, timeout=10)
    assert no_auth.status_code == 401

    unknown = number[:-6] + "999999"
    with _api(system, goteborg) as api:
        assert number not in [c["case_number"] for c in api.get("/cases").json()]
        theirs, none = api.get(f"/cases/{number}"), api.get(f"/cases/{unknown}")
        assert (theirs.status_code, theirs.json()) == (404, none.json())
        decide = api.post(f"/cases/{number}/criteria",
                          json={"criterion": "signed_conditions", "holds": False})
        assert (decide.status_code, decide.json()) == (404, none.json())
        assert name not in theirs.text + decide.text

    # Journaled as denied. (Under row-level security the service, bound to Göteborg,
    # cannot see the case at all: the entry names no case, as for the unknown number.)
    with _api(system, auditor) as api:
        log = api.get("/audit/access-log", params={"outcome": "denied"})
        assert log.status_code == 200
        denied = [e["action"] for e in log.json()
                  if (e["staff_id"], e["organisation"]) == ("goteborg.samordnare",
                                                            "municipality:1480")
                  and datetime.fromisoformat(e["at"]) >= started]
        assert sorted(denied) == ["case.decide", "case.show", "case.show"]

    with _api(system, stockholm) as api:
        assert api.get(f"/cases/{number}").status_code == 200, "Stockholm still sees it"


def test_the_receiving_municipality_sees_the_case_from_its_acceptance(
        system: Stack, database_url: str) -> None:
    """Stockholm relocates a person to Göteborg. Göteborg's coordinator, signed in on the
    provider, finds nothing personal of the case until Göteborg confirms the belongings
    and accepts the transfer through the running service; from then on she sees it.
    The case reaches the offer through the use cases (on the stack's own database and
    key), not through every phase's runs."""
    assert system.provider is not None
    rt = runtime(make_settings(database_url, data_dir=system.data_dir, encryption_key=None))
    agencies = FakeAgencies()
    name = f"E2e Flytt {uuid.uuid4().hex[:6]}"
    opened = states.relocated(rt, agencies, destination="1480", person={
        "identity_number": identity_number(born=date(1990, 3, 14)), "name": name})
    goteborg = token_for(system.provider, "goteborg.samordnare")
    case = f"/cases/{opened.case_number}"
    with _api(system, goteborg) as api:
        before = api.get(case)
        assert before.status_code == 404 and name not in before.text
        # It is listed (Göteborg must confirm the belongings), with nothing personal.
        assert name not in api.get("/cases").text
        states.ask(rt, agencies, opened, states.PROTECTION)
        belongings.order_move(rt, opened.case_id)
        delivered = api.post(f"{case}/belongings/delivered")
        assert delivered.status_code == 200, delivered.text
        step = states.stands_at(rt, opened.case_id)
        for subject in step.subjects if isinstance(step, states.Ask) else ():
            states.ask(rt, agencies, opened, subject)
        hand_over.offer_transfer(rt, opened.case_id)
        offered = api.get(case)
        assert name not in offered.text, "nothing personal before the acceptance"
        answered = api.post(f"{case}/transfer", json={
            "accept": True, "cost_payer": "receiving", "cost_from": "2027-01-01"})
        assert answered.status_code == 200, answered.text
        after = api.get(case)
        assert after.status_code == 200, after.text
        # The case is Göteborg's to see now; the relocated person's protected identity
        # stays masked for a coordinator who is not an assigned handler of the case.
        assert after.json()["person"]["name"] == "(skyddad identitet)"
        assert after.json()["transfer"]["answered_by"] == "goteborg.samordnare"
