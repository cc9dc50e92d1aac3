"""Load Swedish county (län) and municipality (kommun) reference data.

The data ships as CSV inside the package (SCB's län- and kommunkoder as in
force since 2020) so that validation works offline and every environment sees
the same codes. Files are read through :mod:`importlib.resources` so the
loader works from a source checkout, an installed wheel or a zip alike.
Parsed results are cached: the files never change while the process runs.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = [
    "County",
    "Municipality",
    "load_counties",
    "load_municipalities",
    "municipality_codes",
]

_PACKAGE = "models.reference"


@dataclass(frozen=True)
class County:
    """A Swedish county (län), identified by its two-digit SCB code."""

    code: str
    name: str


@dataclass(frozen=True)
class Municipality:
    """A Swedish municipality (kommun); the first two code digits are its county's code."""

    code: str
    name: str
    county_code: str


def load_counties() -> list[County]:
    """All 21 counties in file order (by code).

    Returns a fresh list each call so callers may sort or filter it without
    disturbing the cached copy.
    """
    return list(_counties())


def load_municipalities() -> list[Municipality]:
    """All 290 municipalities in file order (by code); a fresh list each call."""
    return list(_municipalities())


@cache
def municipality_codes() -> frozenset[str]:
    """The set of valid four-digit municipality codes, for fast membership checks."""
    return frozenset(municipality.code for municipality in _municipalities())


@cache
def _counties() -> tuple[County, ...]:
    return tuple(
        County(code=row["code"], name=row["name"])
        for row in _read_rows("counties.csv", expected_header=("code", "name"))
    )


@cache
def _municipalities() -> tuple[Municipality, ...]:
    return tuple(
        Municipality(code=row["code"], name=row["name"], county_code=row["county_code"])
        for row in _read_rows("municipalities.csv", expected_header=("code", "name", "county_code"))
    )


def _read_rows(filename: str, *, expected_header: tuple[str, ...]) -> list[dict[str, str]]:
    """Read a packaged CSV, failing loudly if its header drifted from what we parse."""
    text = resources.files(_PACKAGE).joinpath(filename).read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != expected_header:
        raise ValueError(f"{filename}: unexpected header {reader.fieldnames!r}")
    return list(reader)
