"""PostgreSQL restarted in the middle of a sweep: the batches that lose their
connection are retried and the sweep completes, with every case checked exactly when its
flags are written. Runs on its OWN embedded PostgreSQL (pgserver), restarted with its
pg_ctl: the shared server at 5432 is never touched."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from adapters.db import dispose_engines, migrate
from adapters.settings import get_settings
from flows.register_sweep import register_sweep
from simulators.server import RunningSimulator
from tests.sweep_support import admitted_case, count

CASES = 16


@pytest.fixture
def own_postgres() -> Iterator[tuple[Any, str]]:
    import pgserver

    pgdata = Path(f"/tmp/utvag-restart-{uuid.uuid4().hex[:8]}")  # short: socket path limit
    server = pgserver.get_server(pgdata, cleanup_mode="delete")
    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as admin:
        admin.execute('CREATE DATABASE "sweep"')
    uri = server.get_uri("sweep")
    sa_url = "postgresql+psycopg://" + uri.split("://", 1)[1]
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "UTVAG_AGENCY_RETRY_DELAYS")}
    os.environ["DATABASE_URL"] = sa_url
    os.environ["UTVAG_AGENCY_RETRY_DELAYS"] = "[0.5, 1, 2, 3, 4, 5]"
    get_settings.cache_clear()
    migrate(sa_url)
    try:
        yield server, uri
    finally:
        dispose_engines()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_settings.cache_clear()
        server.cleanup()


def _restart(server: Any) -> None:
    from pgserver._commands import pg_ctl

    pg_ctl(["-w", "-m", "fast", "restart"], pgdata=server.pgdata, user=server.system_user,
           timeout=60)


def _checked(uri: str) -> int:
    with psycopg.connect(uri) as conn:
        row = conn.execute("SELECT count(*) FROM register_check").fetchone()
    return int(row[0]) if row else 0


def test_a_postgres_restart_mid_sweep_completes_on_retry_without_a_false_check(
        own_postgres: tuple[Any, str], prefect_harness: None,
        simulators: tuple[RunningSimulator, RunningSimulator],
        register_simulators: tuple[RunningSimulator, RunningSimulator]) -> None:
    server, uri = own_postgres
    people = [admitted_case(200 + i)[2] for i in range(CASES)]
    for running, kind in zip(register_simulators, ("BR", "MR"), strict=True):
        with httpx.Client(base_url=running.base_url, timeout=5) as admin:
            admin.post("/_admin/reset").raise_for_status()
            admin.delete("/_admin/entries").raise_for_status()
            admin.post("/_admin/entries", json={"entries": [
                {"identity_number": p, "entry_id": f"{kind}-{i}", "date": "2026-05-01"}
                for i, p in enumerate(people)]}).raise_for_status()
            admin.put("/_admin/faults", json={"latency_ms": 250}).raise_for_status()
    restarted = threading.Event()

    def restart_when_under_way() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _checked(uri) == 0:
            time.sleep(0.05)
        _restart(server)
        restarted.set()

    restarter = threading.Thread(target=restart_when_under_way)
    restarter.start()
    summary = register_sweep(batch_size=2, in_flight=2)
    restarted_before_the_end = restarted.is_set()
    restarter.join(timeout=90)

    assert restarted_before_the_end
    assert summary["checked"] == CASES and summary["not_checked"] == 0
    assert summary["flags"] == {"conviction": CASES, "suspicion": CASES}
    assert count("SELECT count(*) FROM relapse_flag") == 2 * CASES
    assert count("SELECT count(*) FROM case_journal WHERE kind = 'relapse_flagged'") == 2 * CASES
    # No case is marked checked in a register without the flag its entry there gives.
    assert count("""SELECT count(*) FROM register_check r
                    CROSS JOIN LATERAL unnest(r.case_ids) AS u(id)
                    LEFT JOIN relapse_flag f ON f.case_id = u.id AND f.register = r.register
                    WHERE f.id IS NULL""") == 0
    # And none without its disclosure journaled first.
    assert count("""SELECT count(*) FROM register_check r
                    CROSS JOIN LATERAL unnest(r.case_ids) AS u(id)
                    WHERE NOT EXISTS (SELECT 1 FROM register_disclosure d
                                      WHERE d.register = r.register
                                        AND d.case_ids @> ARRAY[u.id]
                                        AND d.at <= r.checked_at)""") == 0
