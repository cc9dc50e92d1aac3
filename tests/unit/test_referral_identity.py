"""What a referral derives from the identity number it carries (birth date and sex)."""

from __future__ import annotations

from datetime import date

import pytest

from models.referral import ReferralError, parse_referral
from tests.factories import referral

TODAY = date(2026, 12, 4)


def _with_number(number: str) -> dict[str, object]:
    return referral(person={"identity_number": number, "name": "Test Person"})


def test_a_samordningsnummer_with_unknown_month_opens_with_the_latest_date_it_allows() -> None:
    # Skatteverket's test samordningsnummer 19150072-2390: month 00, day 12.
    _, canonical, birth_date, sex = parse_referral(_with_number("150072+2390"), today=TODAY)
    assert canonical == "191500722390"
    assert birth_date == date(1915, 12, 12)
    assert sex == "male"


def test_a_referral_with_serial_000_is_refused_naming_the_field() -> None:
    with pytest.raises(ReferralError) as refused:
        parse_referral(_with_number("640823-0008"), today=TODAY)
    assert refused.value.errors == ["person.identity_number: the serial number "
                                    "(födelsenummer) is never 000"]
