"""PostgreSQL restarted in the middle of a sweep: the batch that loses its connection is
retried (Prefect's task retry), the retry skips the (case, register) pairs already
checked, and the sweep completes with every case checked exactly when its flags are
written. Runs on its OWN embedded PostgreSQL (pgserver), restarted with its pg_ctl and
handed to the sweep as the runtime's database: the shared server is never touched."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from prefect import flow

from adapters.db import Database, migrate
from flows.register_sweep import sweep
from models.crypto import Cipher
from services.runtime import Runtime
from tests.conftest import TEST_KEY, make_settings, sqlalchemy_url
from tests.fakes.agencies import FakeSocialServices
from tests.fakes.clock import FakeClock
from tests.fakes.registers import FakeRegisters, Lookup
from tests.sweep_support import admitted_case, count

CASES = 16
# One request per case, so a batch of 16 is four pages (5, 5, 5, 1 cases) in flight
# together, each written in its own transaction.
REQUEST_SIZE = 1


@pytest.fixture
def own_postgres() -> Iterator[Any]:
    from pgserver.postgres_server import get_server

    pgdata = Path(f"/tmp/utvag-restart-{uuid.uuid4().hex[:8]}")  # short: socket path limit
    server = get_server(pgdata, cleanup_mode="delete")
    try:
        with psycopg.connect(server.get_uri("postgres"), autocommit=True) as admin:
            admin.execute('CREATE DATABASE "sweep"')
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def own_rt(own_postgres: Any) -> Iterator[Runtime]:
    url = sqlalchemy_url(own_postgres.get_uri("sweep"))
    migrate(url)
    database = Database(url)
    try:
        yield Runtime(settings=make_settings(url, sweep_request_size=REQUEST_SIZE),
                      db=database, clock=FakeClock(),
                      # Its own cipher: persons' keys are looked up in this database.
                      cipher=Cipher(TEST_KEY.encode()))
    finally:
        database.dispose()


def _stop(server: Any) -> None:
    """The first half of a restart: every connection dropped, none accepted."""
    from pgserver._commands import pg_ctl  # type: ignore[attr-defined]

    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user,
           timeout=60)


def test_a_postgres_restart_mid_sweep_completes_on_retry_without_a_false_check(
        own_postgres: Any, own_rt: Runtime, prefect_harness: None) -> None:
    rt = own_rt
    people = [admitted_case(rt, 200 + i).person for i in range(CASES)]
    ids = _case_ids(rt)
    registers = FakeRegisters()
    for register, kind in zip(registers.both(), ("BR", "MR"), strict=True):
        for i, person in enumerate(people):
            register.add(person, f"{kind}-{i}", date(2026, 5, 1))
    checked_before: set[tuple[str, str]] = set()
    restarted: list[threading.Thread] = []

    async def restart_before_the_last_page_is_written(call: Lookup) -> None:
        if call.subject_refs != (ids[-1],) or restarted:
            return
        # Once an earlier page is written, the server goes down: the last page's
        # answers arrive while it is down (and starting again), so the write fails.
        checked_before.update(await asyncio.to_thread(_checked_when_some_are, rt))
        await asyncio.to_thread(_stop, own_postgres)
        restarted.append(threading.Thread(target=own_postgres.ensure_postgres_running))
        restarted[0].start()

    registers.suspicions.during_lookup = restart_before_the_last_page_is_written

    def open_once_the_server_is_back(settings: Any, *, in_flight: int) -> Any:
        # The batch's retry opens the registers again before it reads anything: it
        # goes on once the server is back. The restart is the test's, its length the
        # machine's (on a loaded one it outlasted the task's retry delays, 23 s in all);
        # what is tested is that the retry, whenever it comes, completes correctly.
        if restarted:
            restarted[0].join(timeout=120)
        return registers.open(settings, in_flight=in_flight)

    social = FakeSocialServices()

    @flow(name="register-sweep-under-test", persist_result=False)
    def sweep_run() -> dict[str, Any]:
        return sweep(rt=rt, open_registers=open_once_the_server_is_back, social=social,
                     batch_size=CASES, in_flight=2)

    summary = sweep_run()

    assert restarted, "the server was restarted during the sweep"
    restarted[0].join(timeout=60)
    assert summary["checked"] == CASES and summary["not_checked"] == 0
    assert summary["flags"] == {"conviction": CASES, "suspicion": CASES}
    assert count(rt, "SELECT count(*) FROM relapse_flag") == 2 * CASES
    assert count(rt, "SELECT count(*) FROM case_journal WHERE kind = 'relapse_flagged'") == \
        2 * CASES
    assert len(social.notified) == 2 * CASES
    # The batch was retried and sent again what was not written before the restart,
    # and nothing that was.
    for register in registers.both():
        sent = Counter(register.subjects_looked_up())
        assert set(sent) == set(ids)
        assert sent[ids[-1]] == 2
        assert {ref for ref, n in sent.items() if n == 1} >= {
            case_id for case_id, name in checked_before if name == register.register}
    assert checked_before
    # Each (case, register) checked once in the run, never without its flag ...
    assert count(rt, """SELECT count(*) FROM (
                          SELECT u.id, r.register FROM register_check r
                          CROSS JOIN LATERAL unnest(r.case_ids) AS u(id)
                          GROUP BY u.id, r.register HAVING count(*) > 1) AS twice""") == 0
    assert count(rt, """SELECT count(*) FROM register_check r
                        CROSS JOIN LATERAL unnest(r.case_ids) AS u(id)
                        LEFT JOIN relapse_flag f ON f.case_id = u.id
                                                AND f.register = r.register
                        WHERE f.id IS NULL""") == 0
    # ... and never without its disclosure journaled first.
    assert count(rt, """SELECT count(*) FROM register_check r
                        CROSS JOIN LATERAL unnest(r.case_ids) AS u(id)
                        WHERE NOT EXISTS (SELECT 1 FROM register_disclosure d
                                          WHERE d.register = r.register
                                            AND d.case_ids @> ARRAY[u.id]
                                            AND d.at <= r.checked_at)""") == 0


def _checked_when_some_are(rt: Runtime) -> set[tuple[str, str]]:
    """The (case id, register) pairs checked so far, once there are some (polled)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with rt.uow() as session:
            pairs = {(str(case_id), register) for case_id, register in session.execute(sa.text(
                "SELECT unnest(case_ids), register FROM register_check")).all()}
        if pairs:
            return pairs
        time.sleep(0.02)
    raise AssertionError("no page was written within 30 s")


def _case_ids(rt: Runtime) -> list[str]:
    """Every case id as text, in the sweep's (id) order."""
    with rt.uow() as session:
        return list(session.execute(sa.text('SELECT id::text FROM "case" ORDER BY id'))
                    .scalars())
