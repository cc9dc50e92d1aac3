"""Import earlier years' grant applications and decisions from CSV, so that the annual
account and its trend cover the years before Utväg. Columns: `docs/grant-import.md`.

All or nothing: every row is checked first, each bad row is reported with its line
number (the header is line 1) and the field, and nothing is written when any row is
bad. Idempotent by the application's reference (unique in the database): a row whose
reference was imported before with the same values is left alone; with other values it
is refused. Imported decisions are history and are not checked against the caps.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from pydantic import ValidationError
from sqlmodel import Session, col, select

from models.grant_model import USE_CATEGORIES, GrantApplication
from models.tables import Municipality
from services.reports.grant_import_write import CheckedRow, RowRefused, write_rows
from services.reports.records import ApplicationIn, DecisionIn
from services.runtime import Runtime

REQUIRED = ("reference", "year", "kind", "applicant_kind", "outcome")
OPTIONAL = ("applicant", "municipality_code", "received_on", "amount_applied_sek",
            "amount_sek", "rejection_reason", "decided_on", "decided_by", "paid_sek",
            "paid_on", "uses", "purpose")
GROUPING = str.maketrans("", "", " \u00a0\u2009\u202f")  # "58 053 534" as the police write


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"


@dataclass(frozen=True)
class ImportResult:
    imported: int
    unchanged: int
    errors: tuple[RowError, ...]

    @property
    def written(self) -> bool:
        return not self.errors and self.imported > 0


class _Bad(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, fields); blank lines skipped."""
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    for record in reader:
        if any(field.strip() for field in record):
            yield start, record
        start = reader.line_num + 1


def _amount(raw: str, field: str) -> int | None:
    if not raw:
        return None
    digits = raw.translate(GROUPING)
    if not digits.isdigit():
        raise _Bad(field, f"{raw!r} is not whole kronor (digits, spaces between thousands)")
    return int(digits)


def _date(raw: str, field: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise _Bad(field, f"{raw!r} is not a date (YYYY-MM-DD)") from None


def _uses(raw: str) -> dict[str, int]:
    uses: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in raw.split("|"))):  # not "," or ";"
        category, sep, amount = item.partition("=")
        if not sep or category.strip() not in USE_CATEGORIES:
            raise _Bad("uses", f"{item!r}: write category=amount, categories: "
                               f"{', '.join(USE_CATEGORIES)}")
        value = _amount(amount.strip(), "uses")
        if not value:
            raise _Bad("uses", f"{item!r}: a positive amount")
        uses[category.strip()] = value
    return uses


def _validation(exc: ValidationError) -> _Bad:
    first = exc.errors()[0]
    if first["loc"]:
        return _Bad(str(first["loc"][0]), first["msg"])
    message = str(first["msg"]).removeprefix("Value error, ")
    field, _, rest = message.partition(": ")
    return _Bad(field, rest)


def _parse(line: int, row: dict[str, str], names: dict[str, str]) -> CheckedRow:
    get = row.get
    try:
        application = ApplicationIn(
            reference=get("reference", ""), year=get("year", ""), kind=get("kind", ""),
            applicant_kind=get("applicant_kind", ""), applicant=get("applicant") or None,
            municipality_code=get("municipality_code") or None,
            received_on=_date(get("received_on", ""), "received_on"),
            amount_applied_sek=_amount(get("amount_applied_sek", ""), "amount_applied_sek"),
            purpose=get("purpose") or None)
    except ValidationError as exc:
        raise _validation(exc) from None
    code = application.municipality_code
    if code and code not in names:
        raise _Bad("municipality_code", "no municipality has this code")
    if code and application.applicant_kind == "municipality" and application.applicant \
            and application.applicant != names[code]:
        raise _Bad("applicant", f"{code} is {names[code]}, not {application.applicant}")
    outcome = get("outcome", "")
    decided = ("amount_sek", "rejection_reason", "decided_on", "decided_by", "paid_sek",
               "paid_on", "uses")
    decision = None
    if outcome == "pending":
        filled = [f for f in decided if get(f)]
        if filled:
            raise _Bad(filled[0], "empty while the outcome is pending")
    else:
        try:
            decision = DecisionIn(
                outcome=outcome, amount_sek=_amount(get("amount_sek", ""), "amount_sek"),
                rejection_reason=get("rejection_reason") or None,
                decided_on=_date(get("decided_on", ""), "decided_on"),
                decided_by=get("decided_by", ""))
        except ValidationError as exc:
            raise _validation(exc) from None
        if decision.decided_on.year != application.year:
            raise _Bad("decided_on", f"not in {application.year}, the row's year")
    uses = _uses(get("uses", ""))
    paid_sek, paid_on = _amount(get("paid_sek", ""), "paid_sek"), _date(get("paid_on", ""),
                                                                         "paid_on")
    granted = decision.amount_sek if decision else None
    if (paid_sek is None) != (paid_on is None):
        raise _Bad("paid_on", "paid_sek and paid_on go together")
    if paid_sek is not None and (granted is None or not 0 < paid_sek <= granted):
        raise _Bad("paid_sek", "a payout is positive and at most the granted amount")
    if uses and (granted is None or application.kind != "individual_case"):
        raise _Bad("uses", "only for a granted individual-case application")
    if sum(uses.values()) > (granted or 0):
        raise _Bad("uses", f"{sum(uses.values())} kr is more than the {granted} kr granted")
    canonical = json.dumps({k: row.get(k, "").translate(GROUPING) if "sek" in k else
                            row.get(k, "") for k in (*REQUIRED, *OPTIONAL)}, sort_keys=True)
    return CheckedRow(line, application, decision, uses,
                (paid_sek, paid_on) if paid_sek is not None and paid_on is not None else None,
                hashlib.sha256(canonical.encode()).hexdigest())


def _read(text: str, municipalities: dict[str, str]) -> tuple[list[CheckedRow], list[RowError]]:
    records = _records(text)
    header_line, header = next(records, (1, []))
    columns = [h.strip() for h in header]
    unknown = [n for n in columns if n not in (*REQUIRED, *OPTIONAL)]
    missing = [n for n in REQUIRED if n not in columns]
    if unknown or missing:
        problem = (f"unknown column {unknown[0]!r}" if unknown
                   else f"missing column {missing[0]!r}")
        return [], [RowError(header_line, "header", problem)]
    rows: list[CheckedRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for line, fields in records:
        if len(fields) != len(columns):
            errors.append(RowError(line, "row", f"{len(fields)} fields, the header has "
                                                f"{len(columns)}"))
            continue
        try:
            row = _parse(line, {n: f.strip() for n, f in zip(columns, fields, strict=True)},
                         municipalities)
        except _Bad as bad:
            errors.append(RowError(line, bad.field, str(bad)))
            continue
        ref = row.application.reference
        if ref in seen:
            errors.append(RowError(line, "reference", f"{ref} is also on line {seen[ref]}"))
            continue
        seen[ref] = line
        rows.append(row)
    return rows, errors


def import_csv(session: Session, data: bytes | str, *, by: str, now: datetime) -> ImportResult:
    """Check every row, then write them all in bulk in a savepoint of the caller's
    transaction (rolled back if the database refuses one)."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.lstrip("\ufeff")
    except UnicodeDecodeError:
        return ImportResult(0, 0, (RowError(1, "file", "not UTF-8 text"),))
    names = dict(session.exec(select(Municipality.code, Municipality.name)).all())
    rows, errors = _read(text, names)
    stored = dict(session.exec(select(GrantApplication.reference, GrantApplication.import_digest)
                               .where(col(GrantApplication.reference).in_(
                                   [r.application.reference for r in rows]))).all())
    fresh: list[CheckedRow] = []
    for row in rows:
        ref = row.application.reference
        if ref not in stored:
            fresh.append(row)
        elif stored[ref] != row.digest:
            errors.append(RowError(row.line, "reference",
                                   f"{ref} was imported or recorded before with other values"))
    if errors:
        return ImportResult(0, 0, tuple(sorted(errors, key=lambda e: e.line)))
    savepoint = session.begin_nested()
    try:
        write_rows(session, fresh, names=names, by=by, now=now)
    except RowRefused as exc:
        savepoint.rollback()
        return ImportResult(0, 0, (RowError(exc.line, exc.field, str(exc)),))
    savepoint.commit()
    return ImportResult(len(fresh), len(rows) - len(fresh), ())


def import_grants(rt: Runtime, data: bytes | str, *, by: str) -> ImportResult:
    """`import_csv` in a transaction of its own, stamped with the runtime's clock."""
    with rt.uow() as session:
        return import_csv(session, data, by=by, now=rt.now())
