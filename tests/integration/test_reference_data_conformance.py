"""The counties and municipalities in the database (loaded by migration
0002_reference_data) are exactly SCB's: code, name and county, checked against the
third-party lists in tests/reference/identity-and-municipalities/ (sjbrg/swedish-geodata,
CC0; see its README)."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import text

from adapters.db import Database

REFERENCE = Path(__file__).resolve().parent.parent / "reference" / "identity-and-municipalities"


def _tsv(name: str) -> set[tuple[str, ...]]:
    with (REFERENCE / name).open(encoding="utf-8", newline="") as handle:
        return {tuple(row) for row in list(csv.reader(handle, delimiter="\t"))[1:]}


def test_the_database_holds_every_municipality_with_its_name_and_county(
        database: Database) -> None:
    expected = _tsv("kommuner.tsv")
    with database.engine.connect() as conn:
        stored = {tuple(row) for row in conn.execute(
            text("SELECT code, name, county_code FROM municipality"))}
    assert len(expected) == 290
    assert stored - expected == set(), "in the database, not in SCB's list"
    assert expected - stored == set(), "in SCB's list, not in the database"


def test_the_database_holds_every_county_with_its_name(database: Database) -> None:
    expected = _tsv("lan.tsv")
    with database.engine.connect() as conn:
        stored = {tuple(row) for row in conn.execute(text("SELECT code, name FROM county"))}
    assert len(expected) == 21
    assert stored == expected
