"""Swedish identity numbers: personnummer and samordningsnummer.

Case files are keyed on a person's identity number, and the same person reaches
us from agencies that write the number in different shapes (10 or 12 digits,
with or without a separator). Everything downstream therefore works on one
canonical, validated form, produced here and nowhere else.

The number is personal data. Nothing in this module may put it into an
exception message or a ``repr``, because those end up in logs and tracebacks.
The module is pure (no I/O, no clock): the caller passes ``today`` so that
century resolution and the "not born in the future" rule are deterministic and
testable.

What is accepted (conformance: ``tests/unit/test_identity_conformance.py`` runs every
row of the third-party vectors in ``tests/reference/identity-and-municipalities/``):

- ``YYMMDD-NNNC``, ``YYMMDDNNNC`` (read as ``-``), ``YYMMDD+NNNC`` (aged 100 or more),
  ``YYYYMMDDNNNC`` and ``YYYYMMDD-NNNC``.
- ``YYYYMMDD+NNNC`` only for someone aged 100 or more on ``today``. With the century
  written out the ``+`` adds nothing, unless it contradicts the year: then the year or
  the sign was mistyped, and the check digit cannot tell which (it covers only the last
  two digits of the year), so the number is refused rather than guessed.
- Serial (födelsenummer) ``000`` is refused: it is never issued (SCB: 001-999), although
  its check digit can be right.
- A samordningsnummer (day + 60) as Skatteverket issues it: month ``00`` when the birth
  month is unknown, day ``60`` when the day is unknown, and a day past the end of its
  month (Skatteverket's own test samordningsnummer have all three). A personnummer must
  be a real calendar date.

For such a samordningsnummer the birth date is not known exactly: ``birth_date`` is
then the latest date the number allows and not after ``today`` (31 December for an
unknown month, the month's last day for an unknown or impossible day), and
``birth_date_exact`` is False. The latest date gives the youngest possible age, so the
age rules (a child is routed to youth care and a youth home) err on the side of a child.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

__all__ = [
    "IdentityNumber",
    "InvalidIdentityNumber",
    "luhn_check_digit",
    "parse_identity_number",
]

DEFAULT_FIELD = "identity_number"

# [0-9] rather than \d: \d also matches non-ASCII digits such as Arabic-Indic ones.
_TEN_DIGIT = re.compile(r"([0-9]{6})([-+]?)([0-9]{4})")
_TWELVE_DIGIT = re.compile(r"([0-9]{8})([-+]?)([0-9]{4})")

# Samordningsnummer carry the day of birth plus this offset (day 60: day unknown).
_COORDINATION_DAY_OFFSET = 60
_CENTENARIAN_AGE = 100


class InvalidIdentityNumber(ValueError):
    """Raised with a message that names the field and why, never echoing the full number.

    ``field`` lets API layers map the error back to the offending input field
    without parsing the message; ``reason`` is the same text without the field
    prefix, for callers that build their own messages.
    """

    field: str
    reason: str

    def __init__(self, reason: str, *, field: str = DEFAULT_FIELD) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True, repr=False)
class IdentityNumber:
    """A validated identity number in canonical form.

    Only :func:`parse_identity_number` should build these, so holding one means
    the number passed every check. ``repr`` is redacted on purpose: a dataclass
    repr would otherwise leak the number into logs and tracebacks. Use ``str()``
    (or ``canonical``) where the number is really wanted.
    """

    canonical: str
    """Always 12 digits, no separator: ``YYYYMMDDNNNC`` (coordination day kept as issued)."""
    birth_date: date
    """Exact when ``birth_date_exact``; otherwise the latest date the number allows, not
    after the ``today`` it was parsed on (see the module docstring)."""
    is_coordination_number: bool
    sex: Literal["male", "female"]
    birth_date_exact: bool

    def __str__(self) -> str:
        """The form Skatteverket prints: ``YYYYMMDD-NNNC``."""
        return f"{self.canonical[:8]}-{self.canonical[8:]}"

    def __repr__(self) -> str:
        kind = "coordination" if self.is_coordination_number else "personal"
        return f"IdentityNumber(<redacted {kind} identity number>)"


def luhn_check_digit(digits: str) -> int:
    """Return the Luhn (mod 10) check digit for the nine digits ``YYMMDDNNN``.

    Weights alternate 2, 1, 2, 1, ... from the left; the digits of each product
    are summed. Exposed so simulators and fixtures can mint valid test numbers
    without re-implementing the rule.
    """
    if len(digits) != 9 or not digits.isascii() or not digits.isdigit():
        raise ValueError("luhn_check_digit needs exactly nine ASCII digits")
    total = 0
    for index, char in enumerate(digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def parse_identity_number(value: str, *, today: date, field: str = DEFAULT_FIELD) -> IdentityNumber:
    """Validate ``value`` and return its canonical form.

    Accepted shapes (after stripping surrounding whitespace) are listed in the module
    docstring. For 10-digit forms the century is the most recent one that does not put
    the birth date after ``today``; ``+`` (used for people aged 100 or more) moves it
    back another hundred years.

    Raises :class:`InvalidIdentityNumber` naming ``field``; the message never
    contains the number.
    """
    if not isinstance(value, str):
        raise InvalidIdentityNumber("must be a string", field=field)
    text = value.strip()
    if not text:
        raise InvalidIdentityNumber("must not be empty", field=field)

    if match := _TWELVE_DIGIT.fullmatch(text):
        date_part, separator, serial = match.groups()
        year = int(date_part[:4])
        month = int(date_part[4:6])
        day_field = int(date_part[6:8])
        claims_centenarian = separator == "+"
    elif match := _TEN_DIGIT.fullmatch(text):
        short_date, separator, serial = match.groups()
        month = int(short_date[2:4])
        day_field = int(short_date[4:6])
        year = _resolve_century(
            two_digit_year=int(short_date[:2]),
            month=month,
            day=_real_day(day_field),
            centenarian=separator == "+",
            today=today,
        )
        claims_centenarian = False  # the `+` chose the century; nothing left to check
    else:
        raise InvalidIdentityNumber(
            "must be 10 digits (YYMMDD-NNNC) or 12 digits (YYYYMMDD-NNNC)", field=field
        )

    ten_digits = f"{year % 100:02d}{month:02d}{day_field:02d}{serial}"
    if luhn_check_digit(ten_digits[:9]) != int(ten_digits[9]):
        raise InvalidIdentityNumber("check digit does not match", field=field)
    if serial[:3] == "000":
        raise InvalidIdentityNumber("the serial number (födelsenummer) is never 000",
                                    field=field)

    is_coordination = day_field >= _COORDINATION_DAY_OFFSET
    earliest, latest, exact = _birth_dates(year=year, month=month, day_field=day_field,
                                           field=field)
    if earliest > today:
        raise InvalidIdentityNumber("birth date is in the future", field=field)
    if claims_centenarian and _age(earliest, today=today) < _CENTENARIAN_AGE:
        raise InvalidIdentityNumber(
            "'+' marks someone aged 100 or more, but the birth year says otherwise", field=field
        )

    return IdentityNumber(
        canonical=f"{year:04d}{month:02d}{day_field:02d}{serial}",
        birth_date=min(latest, today),
        is_coordination_number=is_coordination,
        sex="male" if int(serial[2]) % 2 == 1 else "female",
        birth_date_exact=exact,
    )


def _real_day(day_field: int) -> int:
    """Undo the samordningsnummer offset (0: day unknown); ordinary days pass through."""
    if day_field >= _COORDINATION_DAY_OFFSET:
        return day_field - _COORDINATION_DAY_OFFSET
    return day_field


def _resolve_century(
    *, two_digit_year: int, month: int, day: int, centenarian: bool, today: date
) -> int:
    """Pick the four-digit year for a 10-digit number.

    Compares (year, month, day) as tuples rather than dates, because the date
    may turn out invalid in the chosen year (Feb 29) and that is reported by
    the date check afterwards, not here. An unknown month or day (0) compares as
    the earliest date the number allows.
    """
    year = today.year - today.year % 100 + two_digit_year
    if (year, month, day) > (today.year, today.month, today.day):
        year -= 100
    if centenarian:
        year -= 100
    return year


def _birth_dates(*, year: int, month: int, day_field: int,
                 field: str) -> tuple[date, date, bool]:
    """The earliest and the latest birth date the number allows, and whether the number
    names one real date; calendar errors become field-named errors."""
    coordination = day_field >= _COORDINATION_DAY_OFFSET
    day = _real_day(day_field)
    if not (1 <= month <= 12 or (coordination and month == 0)):
        raise InvalidIdentityNumber("month is not a valid month", field=field)
    if year < 1 or not (0 <= day <= 31 if coordination else 1 <= day <= 31):
        raise InvalidIdentityNumber("birth date is not a real calendar date", field=field)
    first_month, last_month = (1, 12) if month == 0 else (month, month)
    earliest_day = max(day, 1)
    latest_day = day or 31
    real_day = month != 0 and 1 <= day <= _month_length(year, month)
    if not coordination and not real_day:
        raise InvalidIdentityNumber("birth date is not a real calendar date", field=field)
    return (
        date(year, first_month, min(earliest_day, _month_length(year, first_month))),
        date(year, last_month, min(latest_day, _month_length(year, last_month))),
        real_day,
    )


def _month_length(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _age(born: date, *, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
