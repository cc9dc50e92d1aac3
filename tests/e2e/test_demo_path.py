"""The demo path on the real stack: the provider, Prefect with auth, deployments, a
worker, simulators and the case service.

Stockholm's coordinator, signed in on the provider's login form, opens a case with
`utvag case open` (the service opens it and starts its flow run). The case waits for a
coordinator without holding a worker (its run is suspended), survives a restart of the
whole stack (provider, Prefect server, worker, service), is answered on the command line
as the person logged in (the service records the answer and resumes the run), gets
its threat assessment later than asked (the police simulator answers when told to,
the collect sweep fetches it and wakes the case), and is admitted. A second case,
opened at the same time, goes the same way beside it. Then both databases and all
logs are searched for the persons' identity numbers and names.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName
from prefect.client.schemas.objects import FlowRun
from prefect.settings import temporary_settings
from sqlalchemy import text

from models.enums import WaitKind
from services import snapshot
from services.runtime import Runtime
from tests.e2e.conftest import (
    ROOT,
    answer_now,
    collect_answers,
    eventually,
    person,
    prefect_settings,
    start,
    utvag,
)
from tests.factories import identity_number
from tests.processes import descendants
from utvag_cli.stack import Stack

# Every flow run is a fresh worker process (~8 s of CPU on this 2-core machine).
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]
DEMO = json.loads((ROOT / "docs/examples/referral.json").read_text(encoding="utf-8"))
SECOND_NAME = "Sigrid Elvira Lindqvist"
SECOND_ID = identity_number(serial=457)
COORDINATOR = "stockholm.samordnare"  # the demo provider's coordinator of 0180


def _case_id(rt: Runtime, number: str) -> uuid.UUID:
    with rt.db.engine.connect() as conn:
        found: uuid.UUID = conn.execute(text('SELECT id FROM "case" WHERE case_number = :n'),
                                        {"n": number}).scalar_one()
        return found


def _run(stack: Stack, number: str) -> FlowRun | None:
    with temporary_settings(updates=prefect_settings(stack)), \
            get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(
            name=FlowRunFilterName(any_=[f"{number}-before"])), limit=2)
    assert len(runs) <= 1, f"{number}: one run per case"
    return runs[0] if runs else None


def _suspended(stack: Stack, number: str) -> FlowRun | None:
    run = _run(stack, number)
    return run if run is not None and run.state and run.state.is_paused() else None


def _open(stack: Stack, path: Path, coordinator: dict[str, str]) -> str:
    opened = utvag(stack, "case", "open", str(path), env=coordinator)
    assert opened.returncode == 0, opened.stderr
    assert "case opened; its flow starts" in opened.stdout
    return opened.stdout.split(":")[0].strip()


def _waits(rt: Runtime, number: str) -> list[tuple[str, str]]:
    case = snapshot.load(rt, _case_id(rt, number))
    return [(str(w.kind), w.subject) for w in case.waits]


def _phase(rt: Runtime, number: str) -> str:
    return snapshot.load(rt, _case_id(rt, number)).phase


def _waits_for_agencies(rt: Runtime, stack: Stack, number: str) -> bool:
    kinds = {kind for kind, _ in _waits(rt, number)}
    return kinds == {WaitKind.AGENCY_ANSWER.value} and _suspended(stack, number) is not None


def test_demo_case_waits_resumes_and_is_admitted_without_leaking(
    stack: Stack, stack_rt: Runtime, tmp_path: Path,
) -> None:
    rt = stack_rt
    anna = person(stack, COORDINATOR, tmp_path)
    # Two cases at once: the demo referral (misses signed_conditions) and a second
    # person whose `motivated` a coordinator must answer.
    number = _open(stack, ROOT / "docs/examples/referral.json", anna)
    referral = {**DEMO, "person": {"identity_number": SECOND_ID, "name": SECOND_NAME},
                "eligibility": {k: v for k, v in DEMO["eligibility"].items() if k != "motivated"}}
    referral["eligibility"]["signed_conditions"] = {"holds": True}
    path = tmp_path / "referral.json"
    path.write_text(json.dumps(referral), encoding="utf-8")
    second = _open(stack, path, anna)

    eventually(lambda: _suspended(stack, number), timeout=240, what="a suspended run")
    case = snapshot.load(rt, _case_id(rt, number))
    assert case.status == "waiting"
    assert _waits(rt, number) == [("coordinator_answer", "signed_conditions")]
    eventually(lambda: _suspended(stack, second), timeout=240, what="second case waiting")
    assert _waits(rt, second) == [("coordinator_answer", "motivated")]

    # A wait holds no process: once the suspended runs' processes have ended, the worker
    # has none left; restart everything (provider, Prefect server, worker, simulators,
    # service).
    worker = next(p for p in stack.processes if "worker" in p.args)  # type: ignore[operator]
    eventually(lambda: not descendants(worker.pid), timeout=120,
               what="the suspended runs' processes to end")
    stack.stop()
    start(stack)
    for case_number in (number, second):
        assert _suspended(stack, case_number) is not None, (
            f"{case_number} still waiting after the restart: {_run(stack, case_number)}")

    # The coordinator answers on the command line as the person logged in (the token
    # from before the restart still holds): the service records the answer and resumes
    # the run. Nobody else can be named as the one who answered.
    by = utvag(stack, "case", "decide", number, "--criterion", "signed_conditions",
               "--holds", "yes", "--by", "coordinator-bo", env=anna)
    assert by.returncode == 2 and "--by is no longer accepted" in by.stderr, by.stderr
    decided = utvag(stack, "case", "decide", number, "--criterion", "signed_conditions",
                    "--holds", "yes", env=anna)
    assert decided.returncode == 0 and decided.stdout.startswith(f"{number}: "), decided.stderr
    decided = utvag(stack, "case", "decide", second, "--criterion", "motivated", "--holds",
                    "yes", "--note", "samtal 2026-11-20", env=anna)
    assert decided.returncode == 0 and decided.stdout.startswith(f"{second}: "), decided.stderr

    # Both now wait for the agencies, whose answers are not in yet: not admitted.
    for case_number in (number, second):
        eventually(lambda n=case_number: _waits_for_agencies(rt, stack, n),  # type: ignore[misc]
                   timeout=240, what=f"{case_number} waiting for the agencies")
        assert snapshot.load(rt, _case_id(rt, case_number)).phase == "before"

    # The threat assessment arrives later than asked: the simulators answer now, the
    # collect sweep fetches the answers and wakes the cases.
    assert answer_now(stack, number) >= 1 and answer_now(stack, second) >= 1
    collect_answers(stack)
    for case_number in (number, second):
        eventually(lambda n=case_number: _phase(rt, n) == "during",  # type: ignore[misc]
                   timeout=240, what=f"admission of {case_number} after its threat assessment")

    shown = utvag(stack, "case", "show", second, env=anna)
    assert "admitted" in shown.stdout and SECOND_NAME in shown.stdout, shown.stderr
    motivated = [line for line in shown.stdout.splitlines() if "criterion motivated" in line]
    assert len(motivated) == 1 and COORDINATOR in motivated[0], "recorded as the login"

    again = utvag(stack, "case", "open", str(ROOT / "docs/examples/referral.json"), env=anna)
    assert "already has an open case" in again.stdout, again.stderr

    stack.stop()
    _assert_nothing_personal_anywhere(stack, rt, [
        DEMO["person"]["identity_number"], DEMO["person"]["name"], SECOND_ID, SECOND_NAME])


def _variants(identity: str) -> list[str]:
    digits = identity.replace("-", "").replace("+", "")
    return [digits, digits[2:], f"{digits[:8]}-{digits[8:]}", f"{digits[2:8]}-{digits[8:]}"]


def _assert_nothing_personal_anywhere(stack: Stack, rt: Runtime, personal: list[str]) -> None:
    needles: list[str] = []
    for value in personal:
        needles += _variants(value) if value[0].isdigit() else value.split()
    haystacks: dict[str, str] = {}
    prefect_db = stack.data_dir / "prefect" / "prefect.db"
    with sqlite3.connect(prefect_db) as conn:
        haystacks["prefect database"] = "\n".join(conn.iterdump())
    dump = []
    with rt.db.engine.connect() as conn:
        tables = conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()
        for table in tables:
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
            dump += [repr(tuple(row)) for row in rows]
    haystacks["application database"] = "\n".join(dump)
    for log in (stack.data_dir / "logs").glob("*.log"):
        haystacks[f"log {log.name}"] = log.read_text(encoding="utf-8", errors="replace")
    assert "prefect database" in haystacks and len(haystacks) >= 5
    leaks = [(where, needle) for where, hay in haystacks.items() for needle in needles
             if needle in hay]
    assert leaks == []
