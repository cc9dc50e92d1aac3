"""Published tables: what HTML, PDF, CSV and the Prefect artifact are made from.

A table holds only what may be published: a count of people enters as a cell of a
`models.suppression.Protection` (its digits, or "<5", "x", ".."), never as a bare int.
Amounts are whole kronor and are published as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from models.suppression import SYMBOLS, Protection, Shown
from services.reports.formatting import kronor, percent


class CellKind(StrEnum):
    TEXT = "text"
    COUNT = "count"  # a count of people, after suppression
    NUMBER = "number"  # a count of organisations or years: not about people
    AMOUNT = "amount"  # whole kronor
    SHARE = "share"  # a percentage of two published counts
    DAYS = "days"


@dataclass(frozen=True)
class Cell:
    kind: CellKind
    text: str  # as shown in HTML/PDF
    value: int | None = None  # the published number; None when hidden or not a number

    @property
    def csv(self) -> str:
        """Amounts and numbers without grouping (spreadsheets), the rest as shown."""
        if self.kind in (CellKind.AMOUNT, CellKind.NUMBER, CellKind.DAYS) \
                and self.value is not None:
            return str(self.value)
        return self.text

    @property
    def numeric(self) -> bool:
        return self.kind != CellKind.TEXT


def label(text: str) -> Cell:
    return Cell(CellKind.TEXT, text)


def amount(value: int) -> Cell:
    return Cell(CellKind.AMOUNT, kronor(value), value)


def absent() -> Cell:
    """A number that does not exist (no separate cap; not recorded): a dash."""
    return Cell(CellKind.AMOUNT, "–")


def number(value: int) -> Cell:
    return Cell(CellKind.NUMBER, kronor(value), value)


def days(value: float | None) -> Cell:
    if value is None:
        return Cell(CellKind.DAYS, SYMBOLS[Shown.WITHHELD])
    whole = round(value)
    return Cell(CellKind.DAYS, kronor(whole), whole)


def count(protection: Protection, key: str) -> Cell:
    value = protection.value(key)
    if value is None:
        return Cell(CellKind.COUNT, protection.symbol(key))
    return Cell(CellKind.COUNT, kronor(value), value)


def share(protection: Protection, part: str, whole: str) -> Cell:
    """A share of two published counts, "x" when either is hidden (a share of a hidden
    count would give it away). `part` must be a part of `whole` in the protection's
    relations, so that the rest is protected with it."""
    p, w = protection.value(part), protection.value(whole)
    if p is None or w is None or not w:
        return Cell(CellKind.SHARE, SYMBOLS[Shown.SECONDARY])
    return Cell(CellKind.SHARE, percent(p, w))


@dataclass(frozen=True)
class PublishedTable:
    key: str  # file name of its CSV, e.g. "fordelning"
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str | None = None
    total_last: bool = False  # the last row is a total

    def __post_init__(self) -> None:
        if any(len(row) != len(self.columns) for row in self.rows):
            raise ValueError(f"{self.key}: every row has one cell per column")

    @property
    def numeric_columns(self) -> tuple[bool, ...]:
        """Columns of numbers (right-aligned): those whose cells are all numeric."""
        return tuple(bool(self.rows) and all(row[i].numeric or not row[i].text
                                             for row in self.rows)
                     for i in range(len(self.columns)))

    def markdown(self) -> str:
        lines = [f"### {self.title}", "", "| " + " | ".join(self.columns) + " |",
                 "|" + "|".join("---:" if n else "---" for n in self.numeric_columns) + "|"]
        lines += ["| " + " | ".join(c.text for c in row) + " |" for row in self.rows]
        if self.note:
            lines += ["", self.note]
        return "\n".join(lines)


LEGEND = ("<5 = 1–4 personer (uppgiften skyddas); x = dold för att en skyddad uppgift inte "
          "ska kunna räknas fram; .. = redovisas inte.")
