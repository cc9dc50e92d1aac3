"""`utvag status`: waiting (for a person or an agency), overdue, blocked (with the
reason); case numbers and counts only."""

from __future__ import annotations

import io
import uuid

from models.enums import Criterion
from models.waits import AgencySubject, Wait
from services import cases, waits
from services.runtime import Runtime
from services.status import operator_status
from tests.factories import identity_number, open_case
from tests.fakes.clock import FakeClock
from tests.fakes.runs import FakeRuns
from utvag_cli.main import main


def _case(rt: Runtime, serial: int) -> tuple[str, uuid.UUID]:
    person = {"identity_number": identity_number(serial=serial), "name": "Status Person"}
    opened = open_case(rt, person=person)
    return opened.case_number, opened.case_id


def test_status_lists_waits_overdue_and_blocked_with_reasons(rt: Runtime,
                                                              clock: FakeClock) -> None:
    (late, late_id), (waiting, waiting_id), (blocked, blocked_id) = (
        _case(rt, 101), _case(rt, 102), _case(rt, 103))
    waits.open_waits(rt, late_id, [Wait.criterion(Criterion.SIGNED_CONDITIONS)])
    clock.advance(days=20)  # past the late wait's 14 days
    waits.open_waits(rt, waiting_id, [
        Wait.answer(AgencySubject("health_care", "meeting_invitation"))])
    cases.block(rt, blocked_id, reason="police: 422 rejected")

    status = operator_status(rt)
    assert [w.case_number for w in status.waiting] == [late, waiting]
    assert [w.case_number for w in status.overdue] == [late]
    assert [w.waits_for for w in status.waiting] == ["person", "agency"]
    assert status.blocked == [(blocked, "police: 422 rejected")]
    assert status.counts == {"waiting": 2, "blocked": 1}

    shown = io.StringIO()
    assert main(["status"], runtime=rt, runs=FakeRuns(), stdout=shown) == 0
    text = shown.getvalue()
    assert f"OVERDUE {late}  waits for a person  since 2026-11-02 09:00" in text
    assert f"  {waiting}  waits for an agency  since 2026-11-22 09:00" in text
    assert "waiting: 2 wait(s), 1 overdue" in text
    assert f"{blocked}  police: 422 rejected  (fix, then `utvag case run {blocked}`)" in text
    # Nothing personal, and nothing that tells a category (health care, a criterion).
    for word in ("Status Person", "health_care", "signed_conditions", "coordinator_answer"):
        assert word not in text
