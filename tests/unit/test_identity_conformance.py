"""Every row of the third-party identity-number vectors, as a test of `models.identity`.

The files are in `tests/reference/identity-and-municipalities/` (copied from the shared
reference folder so that a fresh clone has them; provenance and licences in its
README). Each row says `valid` or `invalid`; a valid row must also come out in the
canonical 12-digit form, with the century the file's FORMAT rules give: a 12-digit
number keeps its own; a 10-digit one gets the most recent century that does not put the
birth after today, and `+` moves it back another hundred years.

Format decisions that differ from the file (the README calls a disagreement on an
`FMT:` row "a format decision, not a validation bug") are listed in
`FORMAT_DECISIONS` with the reason; everything else follows the file.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from models.identity import InvalidIdentityNumber, parse_identity_number

REFERENCE = Path(__file__).resolve().parent.parent / "reference" / "identity-and-municipalities"
# The day the vectors were gathered; the README keeps every row clear of the `+`/`-`
# (age 100) boundary and the century boundary for decades around it.
TODAY = date(2026, 12, 4)

# 12 digits with `+` are accepted only when the person is 100 or older on `today`: with
# the century written out the `+` says nothing new, unless it contradicts the year. A
# contradiction means the year or the sign was mistyped, and the check digit cannot tell
# which (it covers only the last two digits of the year): 18780702+2392 and
# 19780702+2392 have the same check digit. The number is refused rather than guessed.
FORMAT_DECISIONS = {
    "19780702+2392": "'+' marks someone aged 100 or more, but the year says otherwise",
}


@dataclass(frozen=True)
class Vector:
    number: str
    valid: bool
    why: str

    @property
    def format(self) -> str:
        return self.why.split(";")[0].strip()


def _vectors(name: str) -> list[Vector]:
    with (REFERENCE / name).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows, name
    assert {row["expect"] for row in rows} <= {"valid", "invalid"}
    return [Vector(row["number"], row["expect"] == "valid", row["why"]) for row in rows]


def _params(vectors: list[Vector]) -> list[object]:
    return [pytest.param(v, id=f"{v.number}-{'valid' if v.valid else 'invalid'}")
            for v in vectors]


def _expected_canonical(number: str) -> str:
    digits = number.replace("-", "").replace("+", "")
    if len(digits) == 12:
        return digits
    two_digit_year = int(digits[:2])
    century = 1900 if two_digit_year > TODAY.year % 100 else 2000
    if "+" in number:
        century -= 100
    return f"{century // 100}{digits}"


MAIN = _vectors("personnummer_vectors.tsv")
EXTRA = _vectors("personnummer_vectors_extra.tsv")
DISPUTED = _vectors("personnummer_vectors_disputed.tsv")


def test_the_files_hold_the_rows_their_readme_promises() -> None:
    assert (len(MAIN), sum(v.valid for v in MAIN)) == (118, 67)
    assert (len(EXTRA), sum(v.valid for v in EXTRA)) == (20, 0)
    assert (len(DISPUTED), sum(v.valid for v in DISPUTED)) == (16, 16)
    assert set(FORMAT_DECISIONS) <= {v.number for v in MAIN if v.format.startswith("FMT:")}


@pytest.mark.parametrize("vector", _params(MAIN + EXTRA))
def test_a_vector_gets_the_verdict_and_form_the_file_gives(vector: Vector) -> None:
    if vector.number in FORMAT_DECISIONS:
        with pytest.raises(InvalidIdentityNumber):
            parse_identity_number(vector.number, today=TODAY)
    elif vector.valid:
        parsed = parse_identity_number(vector.number, today=TODAY)
        assert parsed.canonical == _expected_canonical(vector.number)
        assert parsed.birth_date_exact is True
    else:
        with pytest.raises(InvalidIdentityNumber):
            parse_identity_number(vector.number, today=TODAY)


@pytest.mark.parametrize("vector", _params(DISPUTED))
def test_a_samordningsnummer_skatteverket_issues_is_accepted(vector: Vector) -> None:
    """Unknown month (00) or day (60), or a day past the month's end: Skatteverket's own
    test samordningsnummer have these, so a person holding one must be registrable."""
    parsed = parse_identity_number(vector.number, today=TODAY)
    assert parsed.canonical == _expected_canonical(vector.number)
    assert parsed.is_coordination_number is True
    assert parsed.birth_date_exact is False
