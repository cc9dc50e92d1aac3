"""docs/walkthrough-after.md, command by command: `utvag` of each person against the case
service (in-process, role utvag_app, a recording waker), and what the walkthrough says
each sees. Where the service wakes the case's run, the run's next step is done here as
the run would do it (`tasks.case.ACTIONS`), after checking that it is that step. If this
test changes, the walkthrough changes with it."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from models.progress import Act, Action
from services.runtime import Runtime
from tasks.case import ACTIONS
from tests.factories import identity_number
from tests.fakes.clock import FakeClock
from tests.fakes.runs import FakeRuns
from tests.service import tokens as u
from tests.service_cli import Utvag, service_app, service_client
from tests.states import settling, stands_at

STOCKHOLM, GOTEBORG = "0180", "1480"
NOT_FOUND = 2  # the exit code of a refusal
FROM = "2027-01-01"  # Göteborg responsible and paying from here


def _run_does(rt: Runtime, utvag: Utvag, case_id: uuid.UUID, action: Action) -> None:
    """The service woke the case's run; its next step is `action`, done as the run does."""
    assert utvag.waker.woken == [case_id]
    utvag.waker.woken.clear()
    assert stands_at(rt, case_id) == Act(action)
    ACTIONS[action](rt, case_id)


def test_a_transfer_moves_responsibility_and_an_assessment_changes_the_plan(
        rt: Runtime, app_rt: Runtime, clock: FakeClock) -> None:
    # Before the walkthrough: Stockholm placed the person, relocated them to Göteborg,
    # the plan (v1) approved; the case waits for the establishment in the new town.
    opened = settling(rt, destination=GOTEBORG, person={
        "identity_number": identity_number(serial=404), "name": "Anna Andersson"})
    number, case_id = opened.case_number, opened.case_id
    waker = FakeRuns()
    stockholm = Utvag(service_client(service_app(app_rt, waker)), u.COORDINATOR_STHLM,
                      waker=waker)
    goteborg = stockholm.as_(u.COORDINATOR_GBG)
    kiruna = stockholm.as_(u.COORDINATOR_KIRUNA)

    # 1. Stockholm: the case waits for the establishment.
    assert stockholm("case", "list") == 0
    assert f"{number}  during / waiting  (responsible)  waits for establishment" in stockholm.out

    # 2. Stockholm records it; the run offers the transfer to Göteborg.
    assert stockholm("after", "establishment", number, "--stable-housing", "yes",
                     "--occupation", "yes", "--support-needed", "yes") == 0
    assert stockholm.out == f"{number}: establishment recorded: the transfer will be offered\n"
    _run_does(rt, stockholm, case_id, Action.OFFER_TRANSFER)

    # 3. Göteborg sees the offer in its list, not yet the case.
    assert goteborg("case", "list") == 0
    assert f"{number}  during / waiting  (destination)  waits for transfer" in goteborg.out
    assert goteborg("case", "show", number) == NOT_FOUND
    assert "not found" in goteborg.err

    # 4. Göteborg accepts: responsible and paying from 2027-01-01.
    assert goteborg("after", "transfer", number, "--accept", "yes", "--payer", "receiving",
                    "--from", FROM) == 0
    assert goteborg.out == f"{number}: transfer accepted: responsible from {FROM}\n"
    assert goteborg("case", "show", number) == 0
    assert "person:       (skyddad identitet)" in goteborg.out  # protected since the move
    assert (f"transfer:     accepted by {u.COORDINATOR_GBG.staff_id}; costs: the receiving "
            f"municipality from {FROM}") in goteborg.out
    assert goteborg("after", "responsibility", number) == 0
    assert goteborg.out.startswith(f"{number}: responsible {STOCKHOLM}, stay {GOTEBORG}, "
                                   f"costs {STOCKHOLM}")
    _run_does(rt, stockholm, case_id, Action.ESTABLISH)

    # 5. On 2027-01-01 the case is Göteborg's: Stockholm no longer sees it.
    clock.advance(days=(date.fromisoformat(FROM) - clock.now().date()).days)
    assert goteborg("after", "responsibility", number) == 0
    assert goteborg.out.splitlines()[0] == (f"{number}: responsible {GOTEBORG}, "
                                           f"stay {GOTEBORG}, costs {GOTEBORG}")
    assert f"residence {STOCKHOLM}" in goteborg.out and f"residence {GOTEBORG}" in goteborg.out
    assert goteborg("case", "list") == 0
    assert goteborg.out == f"{number}  after / open  (responsible)\n"
    assert stockholm("case", "show", number) == NOT_FOUND
    assert "not found" in stockholm.err
    assert stockholm("case", "list") == 0 and stockholm.out == "no cases\n"
    assert kiruna("case", "show", number) == NOT_FOUND and "not found" in kiruna.err

    # 6. Göteborg reports a relapse (lost contact) and assesses it: adjust the plan.
    on = (clock.now().date() - timedelta(days=2)).isoformat()
    assert goteborg("plan", "relapse-report", number, "--kind", "lost_contact",
                    "--on", on) == 0
    flag = goteborg.out.rsplit("flag ", 1)[1].strip()
    assert goteborg.out == f"{number}: relapse reported (lost_contact): flag {flag}\n"
    assert goteborg("case", "assess", number, "--flag", flag, "--decision",
                    "adjust_plan") == 0
    assert goteborg.out == f"{number}: relapse flag {flag} assessed: adjust_plan\n"

    # 7. The plan's version 2 is a draft; the case waits for its approval.
    assert goteborg("plan", "versions", number) == 0
    v1, v2 = goteborg.out.splitlines()
    assert v1 == "v1  approved  1 interventions  15000 kr  first plan"
    revision = f"relapse flag {flag} assessed: adjust the plan"
    assert v2 == f"v2  draft     1 interventions  - kr  {revision}"
    assert goteborg("case", "list") == 0
    assert goteborg.out.startswith(f"{number}  after / open  (responsible)  waits for action_plan")

    # 8. Göteborg adds an intervention and approves: version 2 approved, v1 as it was.
    assert goteborg("during", "intervention", number, "--kind", "contact_person",
                    "--start", FROM, "--end", "2027-06-30", "--cost", "8000") == 0
    assert goteborg.out == f"{number}: intervention contact_person added (8000 kr)\n"
    assert goteborg("during", "approve-plan", number) == 0
    assert goteborg.out == f"{number}: action plan approved (23000 kr)\n"
    assert goteborg("plan", "versions", number) == 0
    assert goteborg.out.splitlines()[0] == v1
    assert goteborg.out.splitlines()[1] == (
        f"v2  approved  2 interventions  23000 kr  {revision}")
    assert goteborg("case", "list") == 0
    assert goteborg.out == f"{number}  after / open  (responsible)\n"

