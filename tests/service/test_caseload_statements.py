"""The case list costs the same number of SQL statements whatever the number of cases
(the benchmark, docs/benchmarks-service.md, found ~4 statements per case before): its
relations and waits are read for all of a person's cases at once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from starlette.testclient import TestClient

from adapters.repositories import cases, waits
from models.enums import Criterion, WaitKind
from models.principal import Principal, Role
from models.waits import Wait
from services.access import caseload
from services.runtime import Runtime
from tests.factories import identity_number, open_case
from tests.service import tokens as u

API = "/api/v1"
SERIAL = iter(range(1, 999))
COORDINATOR = Principal(subject=u.COORDINATOR_STHLM.subject, staff_id="coord-sthlm",
                        name="C", organisation="municipality:0180",
                        roles=frozenset({Role.COORDINATOR}))


@contextmanager
def counting(engine: sa.Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def grow_to(rt: Runtime, n: int, have: list[str]) -> None:
    """Stockholm's cases, each with a police contact assigned (two kinds of caseload),
    waiting for the coordinator (overdue every other one) and for a police statement."""
    while len(have) < n:
        opened = open_case(rt, person={"identity_number": identity_number(serial=next(SERIAL)),
                                       "name": "Test Testsson"})
        caseload.assign(rt, COORDINATOR, opened.case_id, staff_id=u.POLICE_ASSIGNED.staff_id,
                        organisation=u.POLICE_ASSIGNED.organisation, role=Role.POLICE_CONTACT)
        at = rt.now()
        with rt.uow() as session:
            case = cases.lock_case(session, opened.case_id)
            waits.open_wait(session, case, Wait.criterion(Criterion.MOTIVATED), at=at,
                            deadline=at + timedelta(days=-1 if len(have) % 2 else 5))
            waits.open_wait(session, case, Wait.of(WaitKind.GRANT_STATEMENT), at=at,
                            deadline=at + timedelta(days=10))
        have.append(opened.case_number)


def listed(client: TestClient, app_rt: Runtime, user: u.User) -> tuple[int, list[Any]]:
    with counting(app_rt.db.engine) as statements:
        response = client.get(f"{API}/cases", headers=user.headers())
    assert response.status_code == 200, response.text
    return len(statements), response.json()


def test_the_case_list_costs_as_many_statements_for_30_cases_as_for_3(
        client: TestClient, rt: Runtime, app_rt: Runtime) -> None:
    numbers: list[str] = []
    counts: dict[int, dict[str, int]] = {}
    for n in (3, 30):
        grow_to(rt, n, numbers)
        counts[n] = {}
        for user, relation in ((u.COORDINATOR_STHLM, "placing"),
                               (u.POLICE_ASSIGNED, "police")):
            listed(client, app_rt, user)  # warm: the first request's connections, tokens
            cost, lines = listed(client, app_rt, user)
            assert sorted(line["case_number"] for line in lines) == sorted(numbers)
            assert {tuple(line["relations"]) for line in lines} == {(relation,)}
            # The owners see all a case waits for, the police what they answer.
            seen = {"placing": ["coordinator_answer", "grant_statement"],
                    "police": ["grant_statement"]}[relation]
            assert all(sorted(w["kind"] for w in line["waits"]) == seen for line in lines)
            assert sum(w["overdue"] for line in lines for w in line["waits"]) == (
                len(numbers) // 2 if relation == "placing" else 0)
            counts[n][relation] = cost
    assert counts[3] == counts[30], counts
    assert counts[30]["placing"] < 30, counts
