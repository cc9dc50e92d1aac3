"""`utvag person correct` and `utvag person export` as a coordinator runs them, through
the case service: the values from stdin (never arguments), the export in a new file only
its owner can read."""

from __future__ import annotations

import json
from pathlib import Path

from services.runtime import Runtime
from tests import states
from tests.factories import identity_number
from tests.service import tokens as u
from tests.service_cli import person_cli


def test_a_coordinator_corrects_the_name_and_exports_the_data_from_the_cli(
        rt: Runtime, tmp_path: Path) -> None:
    case = states.admitted(rt, person={"identity_number": identity_number(serial=81),
                                       "name": "Anna Andersson"})
    utvag = person_cli(rt, u.COORDINATOR_STHLM)
    assert utvag("person", "correct", case.case_number, "--reason", "stavfel", "--name",
                 stdin="Anna Andersén\n") == 0
    assert "corrected name" in utvag.out and "tell police" in utvag.out
    out = tmp_path / "utdrag.html"
    assert utvag("person", "export", case.case_number, "--received-on", "2026-05-30",
                 "--out", str(out), "--html") == 0
    assert out.stat().st_mode & 0o777 == 0o600
    assert "Anna Andersén" in out.read_text(encoding="utf-8")
    again = tmp_path / "utdrag.json"
    assert utvag("person", "export", case.case_number, "--received-on", "2026-05-30",
                 "--out", str(again)) == 0
    assert json.loads(again.read_text(encoding="utf-8"))["person"]["name"] == "Anna Andersén"
    assert utvag("person", "export", case.case_number, "--received-on", "2026-05-30",
                 "--out", str(again)) == 2  # never overwrites
    assert utvag.as_(u.HANDLER_STHLM)("person", "correct", case.case_number, "--reason",
                                      "x y z", "--name", stdin="Eve\n") != 0
