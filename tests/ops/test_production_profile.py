"""The production profile on real PostgreSQL: deploy, two workers, bursts of cases
opened by a coordinator through the case service (which starts each case's run).

Half of each burst misses a coordinator criterion (the case waits for a
coordinator), half is complete (the case asks both agencies, and waits for
the police, who answer an hour later). Every case must reach its first wait,
none twice, none lost; then again with one worker SIGKILLed mid-burst.

Nothing waits for time to pass by itself: the kill moment is chosen with worker-1
frozen (SIGSTOP: it claims nothing new while its runs are looked at), and every wait
polls often with a bound.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from typing import NamedTuple

import httpx
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from prefect.deployments import run_deployment
from sqlalchemy import text

from flows.recover import new_case_runs
from services.runtime import Runtime
from tests.factories import TOLVAN_NAME, identity_number, referral
from tests.ops.conftest import Receiver
from tests.processes import descendants
from utvag_cli.stack import Stack

# The acceptance run is UTVAG_BURST_CASES=100. Every flow run is a fresh
# Python process (~8 s of CPU to import Prefect on this 2-core machine), so the
# default is smaller to keep `make test` to a few minutes.
BURST = int(os.environ.get("UTVAG_BURST_CASES", "20"))
WAIT = 300 + 15 * BURST
pytestmark = [pytest.mark.ops, pytest.mark.e2e, pytest.mark.timeout(2 * WAIT + 120)]


def _referral(i: int) -> dict[str, object]:
    eligibility = dict(referral()["eligibility"])
    if i % 2 == 0:
        del eligibility["signed_conditions"]  # waits for a coordinator
    person = {"identity_number": identity_number(born=date(1970, 1, 1) + timedelta(days=i),
                                                 serial=321),
              "name": f"Burst Person {i}"}
    return referral(person=person, eligibility=eligibility)


class Opened(NamedTuple):
    case_id: uuid.UUID
    case_number: str


def _open(rt: Runtime, coordinator: httpx.Client, i: int) -> Opened:
    """The coordinator opens the i-th referral through the service, which starts the
    case's run after answering."""
    opened = coordinator.post("/cases", json=_referral(i))
    assert opened.status_code == 201, opened.text
    number = opened.json()["case_number"]
    with rt.db.engine.connect() as conn:
        case_id = conn.execute(text('SELECT id FROM "case" WHERE case_number = :n'),
                               {"n": number}).scalar_one()
    return Opened(case_id, number)


def _send_burst(rt: Runtime, coordinator: httpx.Client, first: int,
                count: int) -> dict[uuid.UUID, bool]:
    """Open `count` cases (their runs started by the service); case id → asks agencies."""
    return {_open(rt, coordinator, i).case_id: i % 2 == 1 for i in range(first, first + count)}


def _statuses(rt: Runtime, cases: dict[uuid.UUID, bool]) -> Counter[str]:
    with rt.db.engine.connect() as conn:
        rows = conn.execute(text('SELECT status FROM "case" WHERE id = ANY(:ids)'),
                            {"ids": list(cases)}).scalars().all()
    return Counter(rows)


def _wait_all_waiting(rt: Runtime, cases: dict[uuid.UUID, bool], *, timeout: float,
                      recover: bool = False) -> float:
    """Seconds until every case waits. With `recover`, recover-stalled-cases is also
    started every 20 s (as the schedule of a machine that lost a worker would; the
    deployed schedule is every minute)."""
    start = last_recovery = time.monotonic()
    while time.monotonic() - start < timeout:
        if _statuses(rt, cases).get("waiting", 0) == len(cases):
            return time.monotonic() - start
        if recover and time.monotonic() - last_recovery >= 20:
            run_deployment("recover-stalled-cases/recover-stalled-cases", timeout=0)
            last_recovery = time.monotonic()
        time.sleep(0.5)
    raise AssertionError(f"not every case reached its first wait: {_statuses(rt, cases)}")


def _journal_counts(rt: Runtime,
                    cases: dict[uuid.UUID, bool]) -> dict[uuid.UUID, Counter[str]]:
    counts: dict[uuid.UUID, Counter[str]] = {case_id: Counter() for case_id in cases}
    with rt.db.engine.connect() as conn:
        for case_id, kind, n in conn.execute(text(
                "SELECT case_id, kind, count(*) FROM case_journal WHERE case_id = ANY(:ids) "
                "GROUP BY case_id, kind"), {"ids": list(cases)}):
            counts[case_id][kind] = n
    return counts


def _agency_posts(stack: Stack) -> Counter[str]:
    """POSTs per idempotency key, both simulators."""
    posts: Counter[str] = Counter()
    for port in stack.ports.simulators.values():
        summary = httpx.get(f"http://127.0.0.1:{port}/_admin/requests", timeout=10).json()
        posts.update(summary["by_idempotency_key"])
    return posts


def _runs_per_case() -> Counter[str]:
    """new-case flow runs per case id, in any state (a killed Pending run counts)."""
    return Counter(str(run.parameters["case_id"]) for run in new_case_runs())


def _assert_each_once(rt: Runtime, stack: Stack, cases: dict[uuid.UUID, bool], *,
                      resent_ok: bool = False) -> None:
    """Each case opened once, each wait opened once, each agency asked once under one
    key. With `resent_ok`, a run killed between its POST and recording
    the answer may POST again under the same key (the agency returns the original)."""
    journal = _journal_counts(rt, cases)
    with rt.db.engine.connect() as conn:
        waits = dict(conn.execute(text(
            "SELECT case_id, count(*) FROM case_wait WHERE case_id = ANY(:ids) GROUP BY case_id"),
            {"ids": list(cases)}).all())
    posts = _agency_posts(stack)
    for case_id, asks_agencies in cases.items():
        kinds = journal[case_id]
        assert kinds["opened"] == 1
        assert kinds["wait_opened"] == waits.get(case_id, 0) >= 1, "each wait opened once"
        if asks_agencies:
            # The police answer later; social services may decide at once or later.
            assert (kinds["agency_request"], kinds["disclosure"]) == (2, 2), (case_id, kinds)
            for agency in ("police", "social_services"):
                sent = [n for key, n in posts.items() if key.startswith(f"{case_id}:{agency}:")]
                assert len(sent) == 1 and (sent[0] == 1 or resent_ok), (case_id, agency, sent)
        else:
            assert kinds["agency_request"] == 0, (case_id, kinds)
            assert not [key for key in posts if key.startswith(str(case_id))]
    with rt.db.engine.connect() as conn:
        requests = conn.execute(text(
            "SELECT count(*), count(DISTINCT idempotency_key) FROM agency_request "
            "WHERE case_id = ANY(:ids)"), {"ids": list(cases)}).one()
    assert tuple(requests) == (2 * sum(cases.values()),) * 2


def test_deploy_registers_the_registry_on_the_work_pool(prod_stack: Stack,
                                                        prefect_client_env: None) -> None:
    from deployments.registry import registry

    with get_client(sync_client=True) as client:
        deployments = {d.name: d for d in client.read_deployments()}
        pool = client.read_work_pool("utvag")
    specs = registry()
    assert set(deployments) == {spec.name for spec in specs}
    assert pool.type == "process"
    for spec in specs:
        deployment = deployments[spec.name]
        assert deployment.work_pool_name == spec.work_pool
        assert set(spec.tags) <= set(deployment.tags)
        schema = deployment.parameter_openapi_schema
        assert schema["properties"] == spec.parameter_schema["properties"]
        assert schema.get("required") == spec.parameter_schema.get("required")
        assert bool(deployment.schedules) == (spec.interval is not None or spec.cron is not None)
    assert deployments["new-case"].parameter_openapi_schema["properties"]["case_id"][
        "format"] == "uuid"


def test_the_api_refuses_a_client_without_the_auth_string(prod_stack: Stack) -> None:
    assert httpx.get(f"{prod_stack.api_url}/health", timeout=10).status_code == 200
    refused = httpx.post(f"{prod_stack.api_url}/deployments/filter", json={}, timeout=10)
    assert refused.status_code == 401


def _eventually(check: Callable[[], object], *, timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def test_an_overdue_wait_and_a_failed_run_reach_the_operator(
    prod_stack: Stack, prod_rt: Runtime, receiver: Receiver, coordinator: httpx.Client,
    prefect_client_env: None,
) -> None:
    rt = prod_rt
    waiting = _open(rt, coordinator, 5_000)  # waits for a coordinator
    failing = _open(rt, coordinator, 5_001)  # asks the agencies
    # The police refuse this case's request (told at once: its run, started after the
    # service answered, takes seconds to reach a worker and ask).
    police = prod_stack.ports.simulators["police"]
    httpx.put(f"http://127.0.0.1:{police}/_admin/scenarios/{failing.case_number}",
              json={"reject_status": 422}, timeout=10).raise_for_status()
    _eventually(lambda: _statuses(rt, {waiting.case_id: False}).get("waiting"), timeout=WAIT,
                what="the case waiting")
    with rt.db.engine.begin() as conn:
        conn.execute(text("UPDATE case_wait SET deadline = now() - interval '1 day' "
                          "WHERE case_id = :id"), {"id": waiting.case_id})
    run_deployment("flag-overdue-waits/flag-overdue-waits", timeout=0)

    def notified(number: str, what: str) -> bool:
        return any(number in str(n.get("subject")) and what in str(n.get("subject"))
                   for n in receiver.received)

    try:
        _eventually(lambda: notified(waiting.case_number, "past its deadline"), timeout=WAIT,
                    what="the overdue notification")
        _eventually(lambda: notified(failing.case_number, "Failed"), timeout=WAIT,
                    what="the failed-run notification")
    except AssertionError as missing:
        raise AssertionError(f"{missing}; {_diagnosis(prod_stack, receiver)}") from None
    assert not any(TOLVAN_NAME.split()[0] in str(n) or "Burst Person" in str(n)
                   for n in receiver.received), "nothing personal in notifications"

    shown = subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "utvag_cli.main", "status"], env=prod_stack.env,
        capture_output=True, text=True, timeout=120, check=True).stdout
    # Operators see who a case waits for (a person, an agency), never the criterion.
    assert f"OVERDUE {waiting.case_number}  waits for a person  since " in shown
    blocked = shown.split("\nblocked: ", 1)[1]
    assert f"\n  {failing.case_number}  police: " in blocked, shown


def _diagnosis(stack: Stack, receiver: Receiver) -> str:
    """What the operator's channel got and what the server says, for a failure message."""
    subjects = [str(n.get("subject")) for n in receiver.received]
    with get_client(sync_client=True) as client:
        runs = [(run.name, run.state_name) for run in client.read_flow_runs(limit=50)]
    log = (stack.data_dir / "logs" / "prefect-server.log").read_text(errors="replace")
    noteworthy = [line for line in log.splitlines()
                  if any(word in line for word in ("rror", "utomation", "otification", "rigger"))]
    return f"received={subjects} runs={runs} server log: {noteworthy[-30:]}"


def test_a_burst_reaches_first_waits_once_each_on_two_workers(
    prod_stack: Stack, prod_rt: Runtime, coordinator: httpx.Client, prefect_client_env: None,
) -> None:
    cases = _send_burst(prod_rt, coordinator, 0, BURST)
    took = _wait_all_waiting(prod_rt, cases, timeout=WAIT)
    print(f"\nburst of {BURST}: every case waiting after {took:.0f}s")  # noqa: T201
    _assert_each_once(prod_rt, prod_stack, cases)
    runs = _runs_per_case()
    assert all(runs[str(case_id)] == 1 for case_id in cases), "one run per case"


def test_a_burst_survives_a_worker_killed_mid_burst(
    prod_stack: Stack, prod_rt: Runtime, coordinator: httpx.Client, prefect_client_env: None,
) -> None:
    rt = prod_rt
    worker = next(p for p in prod_stack.processes if "worker-1" in p.args)  # type: ignore[operator]
    cases = _send_burst(rt, coordinator, 10_000, BURST)
    victims = _kill_mid_burst(rt, worker.pid, cases)
    worker.wait(timeout=10)
    # Runs killed before their case reached its wait: nothing moves those cases
    # but recover-stalled-cases.
    killed = {uuid.UUID(case_id) for case_id in _runs_on(worker.pid, victims)}
    died = {case_id for case_id in killed
            if _statuses(rt, {case_id: False}).get("waiting") is None}
    assert died, f"no case was mid-run on worker-1 when it was killed ({len(victims)} pids)"
    took = _wait_all_waiting(rt, cases, timeout=WAIT, recover=True)
    runs = _runs_per_case()
    restarted = [case_id for case_id in cases if runs[str(case_id)] > 1]
    print(f"\nburst of {BURST} with worker-1 and {len(victims) - 1} flow-run processes "  # noqa: T201
          f"killed ({len(died)} cases mid-run): every case waiting after {took:.0f}s; "
          f"{len(restarted)} restarted")
    _assert_each_once(rt, prod_stack, cases, resent_ok=True)
    assert died <= set(restarted), "every run that died with the worker was started again"


def _kill_mid_burst(rt: Runtime, worker_pid: int, cases: dict[uuid.UUID, bool]) -> list[int]:
    """SIGKILL worker-1 and every flow-run process it started, mid-burst: with a run
    whose case has not reached its wait yet (a run whose case already waits may still be
    alive for a moment, suspending), and none of its runs still Pending (a Pending run
    that dies is given five minutes before it counts as dead, a Running one ~90 s).

    Once the burst is under way, worker-1 is frozen (SIGSTOP: it claims no new run, so
    none turns up Pending while its runs are looked at) until that moment comes; it is
    let go again and retried if its runs all reached their waits first."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if _statuses(rt, cases).get("waiting", 0) < BURST // 5 or not _runs_on(worker_pid):
            time.sleep(0.25)
            continue
        os.kill(worker_pid, signal.SIGSTOP)
        frozen_until = time.monotonic() + 60
        while time.monotonic() < frozen_until:
            running, pending = _runs_on(worker_pid), _runs_on(worker_pid, pending=True)
            if not pending and _not_waiting(rt, running):
                # The machine dies: the worker and the flow runs it started, at once.
                victims = [worker_pid, *descendants(worker_pid)]
                for pid in victims:
                    os.kill(pid, signal.SIGKILL)
                return victims
            if not running and not pending:
                break
            time.sleep(0.2)
        os.kill(worker_pid, signal.SIGCONT)
        time.sleep(0.5)
    raise AssertionError("worker-1 never had a run mid-way to be killed")


def _not_waiting(rt: Runtime, case_ids: set[str]) -> set[str]:
    """Of these cases, those not (yet) waiting."""
    if not case_ids:
        return set()
    with rt.db.engine.connect() as conn:
        rows = conn.execute(text('SELECT id::text FROM "case" WHERE id = ANY(:ids) '
                                 "AND status <> 'waiting'"),
                            {"ids": [uuid.UUID(c) for c in case_ids]}).scalars().all()
    return set(rows)


def _runs_on(worker_pid: int, pids: list[int] | None = None, *,
             pending: bool | None = None) -> set[str]:
    """Case ids of new-case runs not yet final whose process is among `pids` (default:
    the worker's descendants now); only the Pending ones with `pending=True`, only the
    Running ones with `pending=False`, both by default when `pids` is given, Running
    only when it is not (what the kill moment looks at)."""
    among = set(descendants(worker_pid) if pids is None else pids)
    if pending is None:
        states = [StateType.PENDING, StateType.RUNNING] if pids is not None else [
            StateType.RUNNING]
    else:
        states = [StateType.PENDING] if pending else [StateType.RUNNING]
    live = FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=states)))
    return {str(run.parameters["case_id"]) for run in new_case_runs(live)
            if run.infrastructure_pid and run.infrastructure_pid.isdigit()
            and int(run.infrastructure_pid) in among}


