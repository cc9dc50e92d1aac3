"""Behaviour of the packaged Swedish county and municipality reference data."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from models.reference.loader import (
    County,
    Municipality,
    load_counties,
    load_municipalities,
    municipality_codes,
)

REFERENCE = Path(__file__).resolve().parent.parent / "reference" / "identity-and-municipalities"


def _tsv(name: str) -> list[list[str]]:
    with (REFERENCE / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter="\t"))[1:]


def test_packaged_municipalities_are_scbs_list_row_for_row() -> None:
    expected = {Municipality(code=c, name=n, county_code=cc) for c, n, cc in _tsv("kommuner.tsv")}
    assert set(load_municipalities()) == expected


def test_packaged_counties_are_scbs_list_row_for_row() -> None:
    assert set(load_counties()) == {County(code=c, name=n) for c, n in _tsv("lan.tsv")}


def test_there_are_exactly_290_municipalities() -> None:
    assert len(load_municipalities()) == 290


def test_there_are_exactly_21_counties() -> None:
    assert len(load_counties()) == 21


def test_municipality_codes_are_unique_four_digit_strings() -> None:
    codes = [m.code for m in load_municipalities()]
    assert len(set(codes)) == len(codes)
    assert all(len(code) == 4 and code.isascii() and code.isdigit() for code in codes)


def test_municipality_names_are_unique_and_non_empty() -> None:
    names = [m.name for m in load_municipalities()]
    assert len(set(names)) == len(names)
    assert all(name and name == name.strip() for name in names)


def test_county_codes_are_unique_two_digit_strings() -> None:
    codes = [c.code for c in load_counties()]
    assert len(set(codes)) == len(codes)
    assert all(len(code) == 2 and code.isascii() and code.isdigit() for code in codes)


def test_every_municipality_belongs_to_an_existing_county_matching_its_code_prefix() -> None:
    county_codes = {c.code for c in load_counties()}
    for municipality in load_municipalities():
        assert municipality.county_code in county_codes
        assert municipality.code[:2] == municipality.county_code


def test_every_county_has_at_least_one_municipality() -> None:
    used = {m.county_code for m in load_municipalities()}
    assert used == {c.code for c in load_counties()}


@pytest.mark.parametrize(
    ("code", "name", "county_code"),
    [
        ("0180", "Stockholm", "01"),
        ("1480", "Göteborg", "14"),
        ("1280", "Malmö", "12"),
        ("0380", "Uppsala", "03"),
        ("2480", "Umeå", "24"),
        ("0980", "Gotland", "09"),
        ("0114", "Upplands Väsby", "01"),
        ("2023", "Malung-Sälen", "20"),
        ("0331", "Heby", "03"),
        ("0643", "Habo", "06"),
    ],
)
def test_known_municipalities_are_present(code: str, name: str, county_code: str) -> None:
    assert Municipality(code=code, name=name, county_code=county_code) in load_municipalities()


def test_known_counties_are_present() -> None:
    counties = load_counties()
    assert County(code="01", name="Stockholms län") in counties
    assert County(code="14", name="Västra Götalands län") in counties
    assert County(code="25", name="Norrbottens län") in counties


@pytest.mark.parametrize(
    ("county_code", "expected"),
    [("01", 26), ("12", 33), ("14", 49), ("09", 1), ("25", 14), ("23", 8)],
)
def test_per_county_municipality_counts(county_code: str, expected: int) -> None:
    counts = Counter(m.county_code for m in load_municipalities())
    assert counts[county_code] == expected


def test_municipality_codes_match_loaded_municipalities() -> None:
    codes = municipality_codes()
    assert isinstance(codes, frozenset)
    assert codes == {m.code for m in load_municipalities()}
    assert "0180" in codes
    assert "0100" not in codes


def test_municipality_codes_is_cached() -> None:
    assert municipality_codes() is municipality_codes()


def test_loaders_return_fresh_lists_that_callers_may_mutate() -> None:
    first = load_municipalities()
    first.clear()
    assert len(load_municipalities()) == 290
    counties = load_counties()
    counties.clear()
    assert len(load_counties()) == 21


def test_records_are_immutable() -> None:
    municipality = load_municipalities()[0]
    with pytest.raises(AttributeError):
        municipality.name = "Elsewhere"  # type: ignore[misc]
