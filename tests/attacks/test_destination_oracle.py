"""Finding: "The relocation destination is released to whoever types the placing
municipality's code, which is public. `after transfer` and `belongings-delivered`
answer differently for right and wrong codes and journal no refusal, so trying all 290
codes finds the destination silently."

Now no code is typed: the municipality is the one in the verified token. Social
services of any other municipality get exactly the answer a case that does not exist
gets, for the destination, the belongings and the transfer alike; nothing is recorded,
and every refusal is journaled."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from caseservice.app import create_app
from caseservice.guards import Throttle
from models.progress import PROTECTION, Ask
from services import belongings, hand_over
from services.intake import OpenedCase
from services.runtime import Runtime
from tests import states
from tests.attacks.conftest import API, rows
from tests.fakes.agencies import FakeAgencies
from tests.fakes.runs import FakeRuns
from tests.service import tokens as u
from tests.service.tokens import TestVerifier, User
from tests.service_cli import Utvag, service_client

# Social services of municipalities that are neither the placing one (0180) nor the
# destination (2584): neighbours of both, the big cities, Kiruna's region.
WRONG = ("0181", "0182", "0186", "1480", "1280", "0380", "2580", "2581", "2582", "2583")
NOT_FOUND = "error: not found (no such case, or not yours to see)\n"


def _social(code: str) -> User:
    return User(f"ss-{code}", f"municipality:{code}", ("coordinator",))


@pytest.fixture()
def unthrottled(rt: Runtime) -> TestClient:
    """The service with a failure limit no probe here reaches: the point is what each
    answer says, not the slowing down (tests/attacks/test_enumeration.py)."""
    throttle = Throttle(limit=100_000, window=timedelta(seconds=60), clock=rt.clock)
    app: FastAPI = create_app(rt, TestVerifier(), FakeRuns(), throttle=throttle)
    return service_client(app)


def _awaiting_belongings(rt: Runtime, agencies: FakeAgencies) -> OpenedCase:
    opened = states.relocated(rt, agencies)
    states.ask(rt, agencies, opened, PROTECTION)
    belongings.order_move(rt, opened.case_id)
    return opened


def _awaiting_transfer(rt: Runtime, agencies: FakeAgencies, opened: OpenedCase) -> None:
    belongings.confirm_delivered(rt, opened.case_id, viewer_municipality=states.DESTINATION,
                                 by="ss-kiruna")
    step = states.stands_at(rt, opened.case_id)
    for subject in step.subjects if isinstance(step, Ask) else ():
        states.ask(rt, agencies, opened, subject)
    hand_over.offer_transfer(rt, opened.case_id)


def _same(answer: httpx.Response, missing: httpx.Response) -> bool:
    def seen(r: httpx.Response) -> tuple[int, bytes, dict[str, str]]:
        return r.status_code, r.content, {k: v for k, v in r.headers.items() if k != "date"}

    return seen(answer) == seen(missing)


def _probe(client: TestClient, method: str, tail: str, number: str,
           body: dict[str, object] | None) -> None:
    for code in WRONG:
        headers = _social(code).headers()
        answer = client.request(method, f"{API}/cases/{number}{tail}", headers=headers,
                                json=body)
        missing = client.request(method, f"{API}/cases/UTV-2026-999999{tail}",
                                 headers=headers, json=body)
        assert answer.status_code == 404 and _same(answer, missing), (code, tail)
        assert states.DESTINATION not in answer.text and states.ADDRESS not in answer.text


def test_no_other_municipality_learns_the_destination_or_can_tell_right_from_wrong(
        rt: Runtime, agencies: FakeAgencies, unthrottled: TestClient) -> None:
    opened = _awaiting_belongings(rt, agencies)
    number = opened.case_number
    transfer = {"accept": True, "cost_payer": "receiving", "cost_from": "2027-04-01"}
    _probe(unthrottled, "GET", "/destination", number, None)
    _probe(unthrottled, "POST", "/belongings/delivered", number, None)
    assert rows(rt, "SELECT delivered_at FROM belongings_move")[0].delivered_at is None, \
        "no probe confirmed the belongings"
    _awaiting_transfer(rt, agencies, opened)
    _probe(unthrottled, "POST", "/transfer", number, transfer)
    assert rows(rt, "SELECT answered_at FROM transfer_offer")[0].answered_at is None, \
        "no probe answered the transfer"
    # The destination's own social services, before accepting: no destination either.
    early = unthrottled.get(f"{API}/cases/{number}/destination",
                            headers=u.COORDINATOR_KIRUNA.headers())
    assert early.status_code == 404 and states.ADDRESS not in early.text

    refused = rows(rt, "SELECT organisation, action FROM access_log WHERE outcome = 'denied' "
                       "AND case_id = :c", c=opened.case_id)
    assert len(refused) == 3 * len(WRONG) + 1, "every refusal journaled, with the case"
    assert {r.organisation for r in refused} == (
        {f"municipality:{c}" for c in WRONG} | {"municipality:2584"})
    assert {r.action for r in refused} == {"relocation.destination", "belongings.delivered",
                                           "transfer.answer"}


def test_a_code_typed_on_stdin_is_not_read_and_opens_nothing(
        rt: Runtime, agencies: FakeAgencies, client: TestClient) -> None:
    """The old commands read "your municipality code" from stdin; Göteborg typing
    Kiruna's code now gets what a missing case gets, and it is journaled as Göteborg."""
    opened = _awaiting_belongings(rt, agencies)
    _awaiting_transfer(rt, agencies, opened)
    gbg = Utvag(client, u.COORDINATOR_GBG)
    for command in (["during", "destination", opened.case_number],
                    ["during", "belongings-delivered", opened.case_number],
                    ["after", "transfer", opened.case_number, "--accept", "yes",
                     "--payer", "receiving", "--from", "2027-04-01"]):
        assert gbg(*command, stdin=f"{states.DESTINATION}\n") == 2
        assert (gbg.out, gbg.err) == ("", NOT_FOUND)
    assert {tuple(r) for r in rows(rt, "SELECT organisation, outcome FROM access_log "
                                       "WHERE case_id = :c", c=opened.case_id)} == {
        ("municipality:1480", "denied")}
    assert rows(rt, "SELECT answered_at FROM transfer_offer")[0].answered_at is None
