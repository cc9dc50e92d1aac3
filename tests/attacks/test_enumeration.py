"""Finding: "Case numbers are sequential: a loop over `utvag case show
UTV-2026-000001…` prints every municipality's names, identity numbers, threat levels and
exclusion zones."

Now another municipality's case answers exactly as a case that does not exist (404),
each attempt is journaled as denied, and the loop is slowed down (429) after
`service_failure_limit` failures in the window, by address and by token subject."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.testclient import TestClient

from services.runtime import Runtime
from tests.attacks.conftest import API, rows
from tests.factories import identity_number, open_case
from tests.fakes.clock import FakeClock
from tests.service import tokens as u
from tests.service_cli import Utvag, service_client

NAMES = ("Anna Andersson", "Bo Bergström", "Cecilia Carlsson")
NOT_FOUND = "error: not found (no such case, or not yours to see)\n"


def _stockholm_cases(rt: Runtime) -> list[str]:
    return [open_case(rt, person={"identity_number": identity_number(serial=300 + i),
                                  "name": name}).case_number
            for i, name in enumerate(NAMES)]


def test_a_loop_over_case_numbers_shows_nothing_journals_each_try_and_is_slowed_down(
        rt: Runtime, app: FastAPI, utvag: Utvag, clock: FakeClock) -> None:
    theirs = _stockholm_cases(rt)
    limit = rt.settings.service_failure_limit
    prober = utvag.as_(u.COORDINATOR_GBG)
    seen: list[tuple[int, str, str]] = []
    for n in range(1, limit + 3):
        code = prober("case", "show", f"UTV-2026-{n:06d}")
        seen.append((code, prober.out, prober.err))
    found, slowed = seen[:limit], seen[limit:]
    assert set(found) == {(2, "", NOT_FOUND)}, "theirs and nobody's answer alike"
    for code, out, err in slowed:
        assert (code, out) == (1, "")
        assert err.startswith("error: too many failed requests; try again in ")
    everything = "".join(out + err for _, out, err in seen)
    assert not any(name in everything for name in NAMES)

    denied = rows(rt, "SELECT a.staff_id, a.organisation, a.outcome, c.case_number "
                      "FROM access_log a LEFT JOIN \"case\" c ON c.id = a.case_id "
                      "WHERE a.action = 'case.show' ORDER BY a.id")
    assert len(denied) == limit, "every try that reached the policy is journaled"
    assert {(r.staff_id, r.organisation, r.outcome) for r in denied} == {
        (u.COORDINATOR_GBG.staff_id, "municipality:1480", "denied")}
    assert [r.case_number for r in denied if r.case_number] == theirs

    # The owner, from another address, is not held up by the prober.
    owner = Utvag(service_client(app, address="10.9.9.9"), u.COORDINATOR_STHLM)
    assert owner("case", "show", theirs[0]) == 0 and NAMES[0] in owner.out
    # The prober's token is slowed down from another address too; the window passes.
    moved = Utvag(service_client(app, address="10.7.7.7"), u.COORDINATOR_GBG)
    assert moved("case", "show", theirs[0]) == 1 and "too many failed" in moved.err
    clock.advance(seconds=rt.settings.service_failure_window_seconds + 1)
    assert prober("case", "show", theirs[0]) == 2 and prober.err == NOT_FOUND


def test_the_answer_for_another_municipality_s_case_is_byte_for_byte_a_missing_one(
        rt: Runtime, client: TestClient) -> None:
    theirs = _stockholm_cases(rt)[0]
    gbg = u.COORDINATOR_GBG.headers()
    paths = ["", "/destination", "/disclosed", "/belongings/work-order"]
    for path in paths:
        other = client.get(f"{API}/cases/{theirs}{path}", headers=gbg)
        missing = client.get(f"{API}/cases/UTV-2026-999999{path}", headers=gbg)
        assert (other.status_code, other.content) == (missing.status_code, missing.content)
        assert other.status_code == 404
        assert {k: v for k, v in other.headers.items() if k != "date"} == \
               {k: v for k, v in missing.headers.items() if k != "date"}

