from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from adapters.db import get_engine, unit_of_work
from adapters.repo import journal_entries
from models.referral import ReferralError
from tasks.intake import open_case
from tests.factories import TOLVAN, TOLVAN_NAME, identity_number, referral

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def _count(table: str) -> int:
    with get_engine().connect() as conn:
        return int(conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one())


def test_opening_a_case_numbers_it_and_journals_the_referral(db: str) -> None:
    opened = open_case(referral(), now=NOW)
    assert opened.created
    assert opened.case_number == "UTV-2026-000001"
    with unit_of_work() as session:
        kinds = [e.kind for e in journal_entries(session, opened.case_id)]
    assert kinds[0] == "opened"
    assert kinds.count("consent") == 2


def test_identity_and_name_are_encrypted_at_rest(db: str) -> None:
    open_case(referral(), now=NOW)
    with get_engine().connect() as conn:
        row = conn.execute(text("SELECT identity_enc, name_enc, identity_hash FROM person")).one()
    blob = b"".join(bytes(v) if isinstance(v, bytes | memoryview) else v.encode() for v in row)
    assert TOLVAN.replace("-", "").encode() not in blob
    assert TOLVAN_NAME.encode() not in blob


def test_a_person_with_an_open_case_gets_that_case_back(db: str) -> None:
    first = open_case(referral(), now=NOW)
    # same person in the 10-digit form (+: 100 years or older)
    again = open_case(referral(person={"identity_number": "121212+1212", "name": "T T"}),
                      now=NOW)
    assert not again.created
    assert again.case_id == first.case_id
    assert _count("case") == 1 and _count("person") == 1


def test_case_numbers_count_up_within_the_year(db: str) -> None:
    numbers = [open_case(referral(person={"identity_number": identity_number(serial=s),
                                          "name": "N N"}), now=NOW).case_number
               for s in (101, 102, 103)]
    assert numbers == ["UTV-2026-000001", "UTV-2026-000002", "UTV-2026-000003"]


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
    db: str, change: dict[str, object], field: str
) -> None:
    with pytest.raises(ReferralError) as excinfo:
        open_case(referral(**change), now=NOW)
    assert field in str(excinfo.value)
    assert TOLVAN not in str(excinfo.value)
    assert _count("case") == 0 and _count("person") == 0 and _count("case_journal") == 0


def test_the_journal_refuses_edits(db: str) -> None:
    open_case(referral(), now=NOW)
    with pytest.raises(Exception, match="append-only"), get_engine().begin() as conn:
        conn.execute(text("UPDATE case_journal SET reason = 'x'"))
