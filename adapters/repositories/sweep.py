"""The register sweep's reads and writes, built from the shared conditions of
`repositories.cases` (`ongoing()`, `consent_given_expr()`), never written out again.

The bulk reads (ids of a batch, a page of cases, the pairs a run already checked) run on
the raw psycopg connection with statements compiled ONCE here, at import: SQLAlchemy's
result rows cost ~8 µs of CPU per case, more than the query. They are compiled with their
constants inline and only the cursor and run as `%(name)s` placeholders, as the
hand-written SQL had them: a prepared statement's generic plan sees `kind = $1`, not
`kind = 'admitted'`, and then cannot use the partial index `ix_case_journal_admitted`.
A statement without a cursor is a second statement (a conditional `.where()`), not
`(:after IS NULL OR id > :after)`, which defeats the primary key's index.

What a page's requests answered is written in ONE transaction by the caller: the flags
(`INSERT ... ON CONFLICT DO NOTHING`: an entry flags a case once, whatever the runs,
retries or races), their journal entries, and one `register_check` row per answered
request naming exactly its cases.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlmodel import Session

from adapters.db import table
from adapters.repositories.cases import CASE, consent_given_expr, ongoing
from models.journal import Kind
from models.relapse import Finding, RegisterCheck, RelapseFlag
from models.tables import JournalEntry, Person

PERSON = table(Person)
JOURNAL = table(JournalEntry)
CHECK = table(RegisterCheck)
FLAG = table(RelapseFlag)
POLICE = "police"  # the registers' owner: the consent that gates a look-up


class SweepCase(NamedTuple):
    """One row of a page, in the column order of `_load`."""

    id: str  # the case id as text: it is the subject_ref and goes into id arrays as is
    phase: str
    status: str
    identity_enc: bytes
    admitted_on: date
    consent: bool


class _Placeholder(sa.ColumnElement[Any]):
    """A psycopg placeholder, `%(name)s`, in a statement compiled with literal constants."""

    inherit_cache = False  # compiled once, by hand; never through the statement cache

    def __init__(self, name: str, type_: sa.types.TypeEngine[Any]) -> None:
        self.name = name
        self.type = type_


@compiles(_Placeholder)
def _render_placeholder(element: _Placeholder, compiler: SQLCompiler, **_: Any) -> str:
    return f"%({element.name})s"


def _psycopg(stmt: sa.Select[Any]) -> str:
    return str(stmt.compile(dialect=postgresql.psycopg.dialect(),  # type: ignore[no-untyped-call]
                            compile_kwargs={"literal_binds": True}))


AFTER = _Placeholder("after", sa.Uuid())
UPTO = _Placeholder("upto", sa.Uuid())


def _ids(*, after: bool) -> sa.Select[Any]:
    stmt = sa.select(sa.cast(CASE.c.id, sa.Text)).where(ongoing())
    if after:
        stmt = stmt.where(CASE.c.id > AFTER)
    return stmt.order_by(CASE.c.id).limit(_Placeholder("n", sa.Integer()))


def _load(*, after: bool) -> sa.Select[Any]:
    # Person by a correlated sub-select, not a join: joined, the planner hashes the whole
    # person table for every page (a parallel seq scan, O(all cases) per page).
    identity = sa.select(PERSON.c.identity_enc).where(PERSON.c.id == CASE.c.person_id)
    admitted_at = sa.select(sa.func.min(JOURNAL.c.at)).where(
        JOURNAL.c.case_id == CASE.c.id, JOURNAL.c.kind == Kind.ADMITTED.value)
    admitted_on = sa.cast(sa.func.timezone("UTC", sa.func.coalesce(
        admitted_at.scalar_subquery(), CASE.c.opened_at)), sa.Date)
    stmt = sa.select(sa.cast(CASE.c.id, sa.Text), CASE.c.phase, CASE.c.status,
                     identity.scalar_subquery(), admitted_on,
                     consent_given_expr(POLICE)).where(ongoing(), CASE.c.id <= UPTO)
    if after:
        stmt = stmt.where(CASE.c.id > AFTER)
    return stmt.order_by(CASE.c.id)


def _unnest_checks() -> sa.TableValuedAlias:
    """`unnest(register_check.case_ids) AS u(id)`: one row per case a check names."""
    return sa.func.unnest(CHECK.c.case_ids).table_valued(
        sa.column("id", sa.Uuid())).render_derived(name="u")


def _done(*, after: bool) -> sa.Select[Any]:
    u = _unnest_checks()
    stmt = (sa.select(CHECK.c.register, sa.cast(u.c.id, sa.Text))
            .select_from(CHECK).join(u, sa.true())
            .where(CHECK.c.sweep_run == _Placeholder("run", sa.String()), u.c.id <= UPTO))
    if after:
        stmt = stmt.where(u.c.id > AFTER)
    return stmt


_IDS = {after: _psycopg(_ids(after=after)) for after in (False, True)}
_LOAD = {after: _psycopg(_load(after=after)) for after in (False, True)}
_DONE = {after: _psycopg(_done(after=after)) for after in (False, True)}


def ongoing_ids(conn: Any, *, after: str | None, n: int) -> list[str]:
    """The ids (as text) of the next `n` ongoing cases after case id `after`, in id
    order: ~0.1 µs of PostgreSQL per case."""
    with conn.cursor(binary=True) as cursor:
        cursor.execute(_IDS[after is not None], {"after": after, "n": n}, prepare=True)
        return [row[0] for row in cursor.fetchall()]


def load_page(conn: Any, *, after: str | None, upto: str) -> list[SweepCase]:
    """The ongoing cases with ids in `(after, upto]`, as plain binary rows."""
    with conn.cursor(binary=True) as cursor:
        cursor.execute(_LOAD[after is not None], {"after": after, "upto": upto},
                       prepare=True)
        return [SweepCase(*row) for row in cursor.fetchall()]


def checked_pairs(conn: Any, *, run: str, after: str | None,
                  upto: str) -> set[tuple[str, str]]:
    """The (case id, register) pairs run `run` has checked among ids `(after, upto]`."""
    with conn.cursor(binary=True) as cursor:
        cursor.execute(_DONE[after is not None], {"after": after, "upto": upto, "run": run})
        return {(case_id, register) for register, case_id in cursor.fetchall()}


def uuid_array(ids: Sequence[str]) -> str:
    """A uuid[] literal: one string parameter, instead of psycopg adapting every element
    (ids are read from PostgreSQL as text, so they are well-formed)."""
    return "{" + ",".join(ids) + "}"


_JOURNAL_DISCLOSURES = sa.text("""
INSERT INTO register_disclosure (at, actor, agency, register, sweep_run, fields, reason,
                                 case_ids)
SELECT :at, :actor, :agency, d.register, :run, ARRAY['identity_number'], :reason,
       CAST(d.ids AS uuid[])
FROM unnest(CAST(:registers AS text[]), CAST(:ids AS text[])) AS d(register, ids)
""")


def journal_disclosures(session: Session, requests: Sequence[tuple[str, Sequence[str]]], *,
                        at: datetime, actor: str, run: str, reason: str) -> None:
    """One `register_disclosure` row per (register, case ids) request: one statement."""
    session.execute(_JOURNAL_DISCLOSURES, {
        "at": at, "actor": actor, "agency": POLICE, "run": run, "reason": reason,
        "registers": [register for register, _ in requests],
        "ids": [uuid_array(ids) for _, ids in requests]})


def insert_flags(session: Session, flags: Sequence[Finding], *, at: datetime,
                 run: str) -> Sequence[sa.Row[Any]]:
    """The flags not flagged before (any run): (id, case_id, register, entry_kind,
    entry_date) of each new one."""
    if not flags:
        return []
    return session.execute(
        insert(FLAG).on_conflict_do_nothing(constraint="uq_relapse_flag_entry")
        .returning(FLAG.c.id, FLAG.c.case_id, FLAG.c.register, FLAG.c.entry_kind,
                   FLAG.c.entry_date),
        [{"case_id": f.case_id, "register": f.register, "entry_id": f.entry_id,
          "entry_kind": f.kind, "entry_date": f.entry_date, "found_at": at, "sweep_run": run}
         for f in flags]).all()


def journal_rows(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Journal entries in one statement (`case_journal` columns)."""
    if rows:
        session.execute(insert(JOURNAL).values(list(rows)))


_MARK_CHECKED = sa.text("""
INSERT INTO register_check (sweep_run, register, checked_at, case_ids)
VALUES (:run, :register, :at, CAST(:ids AS uuid[]))
""")


def mark_checked(session: Session, checks: Sequence[tuple[str, Sequence[str]]], *,
                 at: datetime, run: str) -> None:
    """One `register_check` row per answered (register, case ids) request."""
    if checks:
        session.execute(_MARK_CHECKED, [
            {"run": run, "register": register, "at": at, "ids": uuid_array(ids)}
            for register, ids in checks])
