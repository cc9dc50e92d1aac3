"""`utvag status`: waiting (with what for), overdue, blocked (with the reason)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters import repo
from adapters.db import unit_of_work
from models.enums import CaseStatus, WaitKind
from models.journal import Kind
from tasks.intake import open_case
from tasks.status import operator_status
from tasks.waits import open_wait_in
from tests.factories import identity_number, referral
from utvag_cli.main import main

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def _case(serial: int) -> str:
    person = {"identity_number": identity_number(serial=serial), "name": "Status Person"}
    return open_case(referral(person=person), now=NOW).case_number


def test_status_lists_waits_overdue_and_blocked_with_reasons(db: str, capsys) -> None:  # type: ignore[no-untyped-def]
    waiting, late, blocked = _case(101), _case(102), _case(103)
    with unit_of_work() as session:
        for number, at in ((waiting, datetime.now(UTC)), (late, NOW - timedelta(days=40))):
            case = repo.find_case(session, number)
            open_wait_in(session, case, kind=WaitKind.COORDINATOR_ANSWER,
                         subject="signed_conditions", at=at)
        case = repo.find_case(session, blocked)
        repo.transition(session, case, kind=Kind.BLOCKED, actor="utvag", at=NOW,
                        status=CaseStatus.BLOCKED, reason="police: 422 rejected")
    status = operator_status()
    assert [w.case_number for w in status.waiting] == [late, waiting]
    assert [w.case_number for w in status.overdue] == [late]
    assert status.blocked == [(blocked, "police: 422 rejected")]
    assert status.counts == {"waiting": 2, "blocked": 1}

    assert main(["status"]) == 0
    shown = capsys.readouterr().out
    assert f"OVERDUE {late}  waits for coordinator_answer: signed_conditions" in shown
    assert f"{blocked}  police: 422 rejected" in shown
    assert "Status Person" not in shown
