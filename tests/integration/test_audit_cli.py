"""`utvag case break-glass`, `utvag case list` and `utvag audit ...` as people run them,
through the case service: an emergency opening lets a person outside the case in for
a bounded time, and the auditor sees it, and every read, until it is reviewed."""

from __future__ import annotations

from services.runtime import Runtime
from tests.factories import TOLVAN_NAME, open_case
from tests.fakes.clock import FakeClock
from tests.service import tokens as u
from tests.service_cli import person_cli


def test_break_glass_opens_a_case_for_hours_and_the_auditor_reviews_it(
        rt: Runtime, clock: FakeClock) -> None:
    number = open_case(rt).case_number
    gbg = person_cli(rt, u.COORDINATOR_GBG)
    assert gbg("case", "show", number) == 2
    assert gbg("case", "break-glass", number, "--reason", "akut hot, polisen ringde") == 0
    assert gbg.out.startswith(f"{number}: opened in an emergency until ")
    assert gbg("case", "show", number) == 0 and TOLVAN_NAME in gbg.out

    auditor = gbg.as_(u.AUDITOR)
    assert auditor("audit", "break-glass") == 0
    [line] = auditor.out.splitlines()
    assert f"{number}  coord-gbg (municipality:1480)" in line
    assert "reason: akut hot, polisen ringde" in line
    assert auditor("audit", "log", "--case", number) == 0
    outcomes = [entry.split()[1] for entry in auditor.out.splitlines()]
    assert outcomes.count("break_glass") >= 1 and "denied" in outcomes
    assert TOLVAN_NAME not in auditor.out, "the log says who read what, not the data"
    opening = line.split()[0].lstrip("#")
    assert auditor("audit", "review", opening) == 0
    assert auditor("audit", "break-glass") == 0
    assert auditor.out == "no break-glass openings waiting for review\n"

    clock.advance(hours=rt.settings.break_glass_hours + 1)
    assert gbg("case", "show", number) == 2, "the opening has run out"
    assert gbg("audit", "log") == 2, "not an auditor"


def test_case_list_shows_ones_own_cases_without_personal_data(rt: Runtime) -> None:
    mine = open_case(rt).case_number
    sthlm = person_cli(rt, u.COORDINATOR_STHLM)
    assert sthlm("case", "list") == 0
    assert sthlm.out.startswith(f"{mine}  before / open  (responsible)")
    assert TOLVAN_NAME not in sthlm.out
    gbg = sthlm.as_(u.COORDINATOR_GBG)
    assert gbg("case", "list") == 0 and gbg.out == "no cases\n"
