"""Finding: "Intake answers 'this person already has an open case' with the case number,
to any municipality, unjournaled: a probe for whether someone is a defector."

Now a referral from another municipality for a person with an open case is accepted for
review: no case number, no municipality, no word of the existing case; the probe is
journaled as denied and the existing case's coordinators are told in its journal."""

from __future__ import annotations

import json
from pathlib import Path

from services.runtime import Runtime
from tests.attacks.conftest import rows
from tests.factories import TOLVAN, TOLVAN_NAME, open_case, referral
from tests.service import tokens as u
from tests.service_cli import Utvag


def test_a_referral_from_another_municipality_reveals_no_existing_case(
        rt: Runtime, utvag: Utvag, tmp_path: Path) -> None:
    existing = open_case(rt)  # Tolvan, placed by Stockholm
    probe = tmp_path / "probe.json"
    probe.write_text(json.dumps(referral(placing_municipality="1480")), encoding="utf-8")
    gbg = utvag.as_(u.COORDINATOR_GBG)
    assert gbg("case", "open", str(probe)) == 0
    assert gbg.out == ("referral accepted for review; no case opened (the coordinators "
                       "concerned are told)\n")
    for hint in (existing.case_number, "UTV-", "0180", "Stockholm", "already", TOLVAN,
                 TOLVAN_NAME):
        assert hint not in gbg.out + gbg.err
    assert [r.case_number for r in rows(rt, 'SELECT case_number FROM "case"')] == [
        existing.case_number], "no second case"
    assert gbg.waker.started == []

    journaled = rows(rt, "SELECT staff_id, organisation, action, outcome, case_id "
                         "FROM access_log WHERE action = 'case.open' AND outcome = 'denied'")
    assert [(r.staff_id, r.organisation, r.case_id) for r in journaled] == [
        (u.COORDINATOR_GBG.staff_id, "municipality:1480", existing.case_id)]
    told = rows(rt, "SELECT reason FROM case_journal WHERE case_id = :c AND kind = 'note' "
                    "AND data->>'intake_probe' = 'true'", c=existing.case_id)
    assert len(told) == 1 and "municipality:1480" in told[0].reason

    # The placing municipality itself is told, as before: the case is its own.
    (tmp_path / "own.json").write_text(json.dumps(referral()), encoding="utf-8")
    assert utvag("case", "open", str(tmp_path / "own.json")) == 0
    assert utvag.out == (f"{existing.case_number}: this person already has an open case; "
                         "no new case opened\n")


def test_a_referral_for_another_municipality_than_ones_own_is_refused(
        rt: Runtime, utvag: Utvag, tmp_path: Path) -> None:
    """Nor can a Göteborg coordinator file the referral as Stockholm's to be told."""
    open_case(rt)
    probe = tmp_path / "probe.json"
    probe.write_text(json.dumps(referral(placing_municipality="0180")), encoding="utf-8")
    gbg = utvag.as_(u.COORDINATOR_GBG)
    assert gbg("case", "open", str(probe)) == 2
    assert gbg.err == "error: placing_municipality: your own municipality only\n"
    assert "UTV-" not in gbg.out + gbg.err
