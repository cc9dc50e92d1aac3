"""Intake on PostgreSQL: numbering, the journal, encryption at rest, one open case per
person, bad referrals write nothing; and `utvag case open` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from adapters.repositories import journal
from models.referral import ReferralError
from services.runtime import Runtime
from tests.factories import TOLVAN, TOLVAN_NAME, identity_number, open_case, referral
from tests.fakes.clock import FakeClock
from tests.service import tokens as u
from tests.service_cli import person_cli


def _count(rt: Runtime, table: str) -> int:
    with rt.db.engine.connect() as conn:
        return int(conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one())


def test_opening_a_case_numbers_it_and_journals_the_referral(rt: Runtime) -> None:
    opened = open_case(rt)
    assert opened.created
    assert opened.case_number == "UTV-2026-000001"
    with rt.uow() as session:
        kinds = [e.kind for e in journal.entries(session, opened.case_id)]
    assert kinds[0] == "opened"
    assert kinds.count("consent") == 2


def test_identity_and_name_are_encrypted_at_rest(rt: Runtime) -> None:
    open_case(rt)
    with rt.db.engine.connect() as conn:
        row = conn.execute(text("SELECT identity_enc, name_enc, identity_hash FROM person")).one()
    blob = b"".join(bytes(v) if isinstance(v, bytes | memoryview) else v.encode() for v in row)
    assert TOLVAN.replace("-", "").encode() not in blob
    assert TOLVAN_NAME.encode() not in blob


def test_a_person_with_an_open_case_gets_that_case_back(rt: Runtime) -> None:
    first = open_case(rt)
    # same person in the 10-digit form (+: 100 years or older)
    again = open_case(rt, person={"identity_number": "121212+1212", "name": "T T"})
    assert not again.created
    assert again.case_id == first.case_id
    assert _count(rt, "case") == 1 and _count(rt, "person") == 1


def test_case_numbers_count_up_within_the_year(rt: Runtime, clock: FakeClock) -> None:
    numbers = [open_case(rt, person={"identity_number": identity_number(serial=s),
                                     "name": "N N"}).case_number
               for s in (101, 102, 103)]
    assert numbers == ["UTV-2026-000001", "UTV-2026-000002", "UTV-2026-000003"]
    clock.advance(days=365)
    later = open_case(rt, person={"identity_number": identity_number(serial=104),
                                  "name": "N N"})
    assert later.case_number == "UTV-2027-000001"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"placing_municipality": "0999"}, "placing_municipality"),
        ({"milieu": "mafia"}, "milieu"),
        ({"person": {"identity_number": "19121212-1213", "name": "X"}}, "person.identity_number"),
        ({"person": {"identity_number": "19130229-1212", "name": "X"}}, "person.identity_number"),
        ({"person": {"identity_number": TOLVAN, "name": " "}}, "person.name"),
        ({"recorded_by": ""}, "recorded_by"),
        ({"eligibility": {"is_nice": {"holds": True}}}, "eligibility"),
    ],
)
def test_bad_referral_names_the_field_and_writes_nothing(
    rt: Runtime, change: dict[str, object], field: str
) -> None:
    with pytest.raises(ReferralError) as excinfo:
        open_case(rt, **change)
    assert field in str(excinfo.value)
    assert TOLVAN not in str(excinfo.value)
    assert _count(rt, "case") == 0 and _count(rt, "person") == 0
    assert _count(rt, "case_journal") == 0


def test_the_journal_refuses_edits(rt: Runtime) -> None:
    open_case(rt)
    with pytest.raises(Exception, match="append-only"), rt.db.engine.begin() as conn:
        conn.execute(text("UPDATE case_journal SET reason = 'x'"))


def test_case_open_on_the_command_line_opens_once_and_starts_the_flow(
        rt: Runtime, tmp_path: Path) -> None:
    path = tmp_path / "referral.json"
    path.write_text(json.dumps(referral()), encoding="utf-8")
    utvag = person_cli(rt, u.COORDINATOR_STHLM)
    assert utvag("case", "open", str(path)) == 0
    assert utvag.out == "UTV-2026-000001: case opened; its flow starts\n"
    assert len(utvag.waker.started) == 1
    assert utvag("case", "open", str(path)) == 0
    assert utvag.out == ("UTV-2026-000001: this person already has an open case; "
                         "no new case opened\n")
    assert len(utvag.waker.started) == 1 and _count(rt, "case") == 1


def test_case_open_refuses_a_bad_referral_naming_the_field(rt: Runtime, tmp_path: Path) -> None:
    path = tmp_path / "referral.json"
    path.write_text(json.dumps(referral(milieu="mafia")), encoding="utf-8")
    utvag = person_cli(rt, u.COORDINATOR_STHLM)
    assert utvag("case", "open", str(path)) == 2
    assert utvag.err.startswith("error: milieu: ") and TOLVAN not in utvag.err
    assert _count(rt, "case") == 0
    assert utvag("case", "open", str(tmp_path / "missing.json")) == 2
    assert utvag.err.startswith("error: referral: cannot read")
