"""Behaviour of personnummer / samordningsnummer parsing in models.identity."""

from __future__ import annotations

import re
from datetime import date

import pytest

from models.identity import (
    IdentityNumber,
    InvalidIdentityNumber,
    luhn_check_digit,
    parse_identity_number,
)
from models.routing import is_child

TODAY = date(2025, 6, 1)


def luhn(nine_digits: str) -> str:
    """Independent Luhn implementation so the tests do not trust the code under test."""
    total = 0
    for index, char in enumerate(nine_digits):
        product = int(char) * (2 - index % 2)
        total += sum(int(d) for d in str(product))
    return str((10 - total % 10) % 10)


def twelve(yyyymmdd: str, serial3: str, *, sep: str = "") -> str:
    """A 12-digit number with a correct check digit."""
    return f"{yyyymmdd}{sep}{serial3}{luhn(yyyymmdd[2:] + serial3)}"


def ten(yymmdd: str, serial3: str, *, sep: str = "-") -> str:
    """A 10-digit number with a correct check digit."""
    return f"{yymmdd}{sep}{serial3}{luhn(yymmdd + serial3)}"


def parse(value: str, *, today: date = TODAY) -> IdentityNumber:
    return parse_identity_number(value, today=today)


def test_skatteverket_example_in_12_digit_form_with_dash_is_valid() -> None:
    result = parse("19121212-1212")
    assert result.canonical == "191212121212"
    assert result.birth_date == date(1912, 12, 12)
    assert result.is_coordination_number is False
    assert result.sex == "male"
    assert str(result) == "19121212-1212"


def test_12_digit_form_without_separator_is_valid() -> None:
    assert parse("191212121212").canonical == "191212121212"


def test_surrounding_whitespace_is_ignored() -> None:
    assert parse("  19121212-1212\n").canonical == "191212121212"


def test_10_digit_form_with_dash_resolves_to_most_recent_century() -> None:
    result = parse("121212-1212")
    assert result.canonical == "201212121212"
    assert result.birth_date == date(2012, 12, 12)


def test_10_digit_form_without_separator_behaves_like_dash() -> None:
    assert parse("1212121212").canonical == "201212121212"


def test_10_digit_form_with_plus_means_a_hundred_years_older() -> None:
    result = parse("121212+1212")
    assert result.canonical == "191212121212"
    assert str(result) == "19121212-1212"


def test_10_digit_year_after_todays_two_digit_year_is_last_century() -> None:
    assert parse(ten("500101", "123")).birth_date == date(1950, 1, 1)


def test_10_digit_date_later_this_year_than_today_is_last_century() -> None:
    assert parse(ten("251231", "123")).birth_date == date(1925, 12, 31)


def test_10_digit_birth_date_equal_to_today_stays_in_this_century() -> None:
    assert parse(ten("250601", "123")).birth_date == date(2025, 6, 1)


def test_10_digit_with_plus_goes_back_from_last_century_too() -> None:
    assert parse(ten("500101", "123", sep="+")).birth_date == date(1850, 1, 1)


def test_century_resolution_depends_on_today() -> None:
    number = ten("990101", "123")
    assert parse(number, today=date(1999, 6, 1)).birth_date == date(1999, 1, 1)
    assert parse(number, today=date(1998, 6, 1)).birth_date == date(1899, 1, 1)


def test_wrong_check_digit_is_rejected() -> None:
    with pytest.raises(InvalidIdentityNumber, match="check digit"):
        parse("19121212-1213")


def test_wrong_check_digit_in_10_digit_form_is_rejected() -> None:
    with pytest.raises(InvalidIdentityNumber, match="check digit"):
        parse("121212-1211")


def test_sex_is_female_when_ninth_digit_is_even() -> None:
    assert parse(twelve("19800101", "124")).sex == "female"
    assert parse(twelve("19800101", "243")).sex == "male"


@pytest.mark.parametrize(
    "yyyymmdd",
    ["20230230", "20230229", "19000229", "20230431", "20231301", "20230001", "20230100"],
)
def test_impossible_calendar_dates_are_rejected(yyyymmdd: str) -> None:
    with pytest.raises(InvalidIdentityNumber, match="identity_number: "):
        parse(twelve(yyyymmdd, "123"))


def test_leap_day_in_2000_is_valid() -> None:
    assert parse(twelve("20000229", "123")).birth_date == date(2000, 2, 29)


def test_leap_day_in_10_digit_form_uses_resolved_century() -> None:
    assert parse(ten("000229", "123")).birth_date == date(2000, 2, 29)
    with pytest.raises(InvalidIdentityNumber, match="calendar date"):
        parse(ten("000229", "123", sep="+"))  # resolves to 1900, not a leap year


@pytest.mark.parametrize(("day_field", "real_day"), [(61, 1), (72, 12), (91, 31)])
def test_coordination_number_day_61_to_91_is_valid(day_field: int, real_day: int) -> None:
    result = parse(twelve(f"199001{day_field}", "123"))
    assert result.is_coordination_number is True
    assert result.birth_date == date(1990, 1, real_day)
    assert result.canonical.startswith(f"199001{day_field}")


def test_coordination_number_in_10_digit_form_is_valid() -> None:
    result = parse(ten("121272", "123"))
    assert result.is_coordination_number is True
    assert result.birth_date == date(2012, 12, 12)


@pytest.mark.parametrize("day_field", ["92", "99", "00", "32", "59"])
def test_day_outside_1_to_31_and_60_to_91_is_rejected(day_field: str) -> None:
    with pytest.raises(InvalidIdentityNumber, match="calendar date"):
        parse(twelve(f"199001{day_field}", "123"))


def test_coordination_number_with_unknown_day_is_dated_the_last_day_of_its_month() -> None:
    result = parse(twelve("19900260", "123"))  # day 60: day unknown
    assert result.is_coordination_number is True
    assert result.birth_date == date(1990, 2, 28)
    assert result.birth_date_exact is False
    assert result.canonical[:8] == "19900260"


def test_coordination_number_with_unknown_month_is_dated_in_december() -> None:
    result = parse(twelve("19900072", "123"))  # month 00, day 12
    assert result.birth_date == date(1990, 12, 12)
    assert result.birth_date_exact is False


def test_coordination_number_with_only_the_year_known_is_dated_new_years_eve() -> None:
    result = parse(ten("900060", "123"))
    assert result.canonical[:8] == "19900060"
    assert result.birth_date == date(1990, 12, 31)


def test_coordination_number_with_a_day_past_the_month_end_is_accepted() -> None:
    # Skatteverket's own test samordningsnummer include 31 April and 30 February.
    result = parse(twelve("19900491", "123"))
    assert result.birth_date == date(1990, 4, 30)
    assert result.birth_date_exact is False


def test_an_exact_birth_date_is_marked_exact() -> None:
    assert parse(twelve("19900131", "123")).birth_date_exact is True
    assert parse(twelve("19900191", "123")).birth_date_exact is True


def test_unknown_birth_month_counts_as_the_youngest_age_it_allows() -> None:
    # Born 2007, month unknown: on 1 June 2025 the person may still be 17, so the age
    # rules treat them as a child (youth care invited, youth home) rather than guess 18.
    result = parse(twelve("20070061", "123"))
    assert is_child(result.birth_date, today=TODAY) is True


def test_unknown_birth_month_in_the_current_year_is_never_dated_after_today() -> None:
    assert parse(twelve("20250060", "123")).birth_date == TODAY


def test_unknown_birth_month_in_a_future_year_is_rejected() -> None:
    with pytest.raises(InvalidIdentityNumber, match="future"):
        parse(twelve("20260061", "123"))


def test_a_personnummer_with_month_00_is_rejected() -> None:
    with pytest.raises(InvalidIdentityNumber, match="month"):
        parse(twelve("19900012", "123"))


@pytest.mark.parametrize("value", [twelve("19800101", "000"), ten("800101", "000"),
                                   twelve("19800161", "000")])
def test_serial_number_000_is_rejected_although_its_check_digit_is_right(value: str) -> None:
    with pytest.raises(InvalidIdentityNumber, match="never 000"):
        parse(value)


def test_12_digits_with_plus_are_accepted_for_someone_aged_100_or_more() -> None:
    result = parse(twelve("19121212", "121", sep="+"))
    assert result.canonical == twelve("19121212", "121")
    assert parse(twelve("19250601", "123", sep="+")).birth_date == date(1925, 6, 1)


def test_12_digits_with_plus_are_rejected_when_the_year_says_under_100() -> None:
    # 18800101+ and 19800101+ share a check digit: the sign or the year is mistyped.
    with pytest.raises(InvalidIdentityNumber, match="aged 100"):
        parse(twelve("19800101", "123", sep="+"))
    with pytest.raises(InvalidIdentityNumber, match="aged 100"):
        parse(twelve("19250602", "123", sep="+"))  # turns 100 tomorrow


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "12345",
        "19121212121",
        "1912121212123",
        "19121212-12AB",
        "l9121212-1212",
        "191212 121212",
        "121212--1212",
        "121212/1212",
        "\u0661\u0669\u0661\u0662\u0661\u0662\u0661\u0662\u0661\u0662\u0661\u0662",
    ],
)
def test_wrong_lengths_letters_and_separators_are_rejected(value: str) -> None:
    with pytest.raises(InvalidIdentityNumber):
        parse(value)


def test_future_birth_date_is_rejected() -> None:
    with pytest.raises(InvalidIdentityNumber, match="future"):
        parse(twelve("20300101", "123"))


def test_birth_date_tomorrow_is_rejected() -> None:
    with pytest.raises(InvalidIdentityNumber, match="future"):
        parse(twelve("20250602", "123"))


def test_future_coordination_number_is_rejected() -> None:
    with pytest.raises(InvalidIdentityNumber, match="future"):
        parse(twelve("20300161", "123"))


@pytest.mark.parametrize(
    "value",
    [
        "19121212-1213",
        "121212-1211",
        twelve("20230230", "123"),
        twelve("20300101", "123"),
        "1912121212123",
        "19121212-12AB",
        twelve("19800101", "000"),
        twelve("19800101", "123", sep="+"),
    ],
)
def test_error_names_field_and_never_contains_the_number(value: str) -> None:
    with pytest.raises(InvalidIdentityNumber) as excinfo:
        parse_identity_number(value, today=TODAY, field="applicant.personnummer")
    message = str(excinfo.value)
    assert excinfo.value.field == "applicant.personnummer"
    assert message.startswith("applicant.personnummer: ")
    assert re.search(r"[0-9]{4}", message) is None
    assert value not in message
    assert value not in repr(excinfo.value)


def test_error_field_defaults_to_identity_number() -> None:
    with pytest.raises(InvalidIdentityNumber) as excinfo:
        parse("19121212-1213")
    assert excinfo.value.field == "identity_number"
    assert str(excinfo.value) == "identity_number: check digit does not match"


def test_invalid_identity_number_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse("nonsense")


def test_repr_does_not_leak_the_number() -> None:
    result = parse("19121212-1212")
    assert "1212" not in repr(result)
    assert "1912" not in repr(result)


def test_non_string_input_is_rejected_with_field_name() -> None:
    with pytest.raises(InvalidIdentityNumber, match="identity_number: must be a string"):
        parse_identity_number(191212121212, today=TODAY)  # type: ignore[arg-type]


def test_public_luhn_helper_agrees_with_independent_implementation() -> None:
    for nine in ["191212121", "800101123", "000229123", "999999999", "000000000"]:
        assert str(luhn_check_digit(nine)) == luhn(nine)


def test_public_luhn_helper_rejects_wrong_input() -> None:
    with pytest.raises(ValueError):
        luhn_check_digit("12345678")
