"""The demo path on the real stack: Prefect server, served deployments, simulators.

A case waits for a coordinator without holding a worker (its run is suspended),
survives a restart of the deployments process and of the Prefect server, is
answered through the typed form (as the UI does) or the CLI, gets its threat
assessment later than asked, and is admitted. Then both databases and all logs
are searched for the person's identity number and name.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName
from prefect.flow_runs import resume_flow_run
from prefect.settings import PREFECT_API_URL, temporary_settings
from sqlalchemy import text

from adapters.db import get_engine
from tasks.cases import snapshot
from tests.e2e.conftest import ROOT, eventually, utvag
from tests.factories import identity_number
from utvag_cli.stack import Stack

# Every flow run is a fresh worker process: on a loaded 2-core machine this takes longer
# than the suite's default 300 s.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]
DEMO = json.loads((ROOT / "docs/examples/referral.json").read_text(encoding="utf-8"))
SECOND_NAME = "Sigrid Elvira Lindqvist"
SECOND_ID = identity_number(serial=457)


def _case_id(number: str) -> uuid.UUID:
    with get_engine().connect() as conn:
        return conn.execute(text('SELECT id FROM "case" WHERE case_number = :n'),
                            {"n": number}).scalar_one()


def _run(stack: Stack, number: str) -> object | None:
    with temporary_settings(updates={PREFECT_API_URL: stack.api_url}), \
            get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(
            name=FlowRunFilterName(any_=[f"{number}-before"])))
    return runs[0] if runs else None


def _suspended(stack: Stack, number: str) -> object | None:
    run = _run(stack, number)
    return run if run is not None and run.state and run.state.is_paused() else None


def test_demo_case_waits_resumes_and_is_admitted_without_leaking(stack: Stack,
                                                                  tmp_path: Path) -> None:
    opened = utvag(stack, "case", "open", str(ROOT / "docs/examples/referral.json"))
    assert opened.returncode == 0, opened.stderr
    number = opened.stdout.split(":")[0].strip()
    assert "flow started" in opened.stdout
    run = eventually(lambda: _suspended(stack, number), timeout=300, what="a suspended run")
    assert run.state.state_details.run_input_keyset, "the UI offers a typed form"
    case = snapshot(_case_id(number))
    assert case.status == "waiting"
    assert [(w.kind, w.subject) for w in case.open_waits] == [
        ("coordinator_answer", "signed_conditions")]

    # A wait holds no process: restart the deployments process and the Prefect server.
    stack.stop()
    stack.start_prefect()
    stack.start_simulators()
    stack.start_deployments()
    assert _suspended(stack, number) is not None, "still waiting after restarts"

    # The UI's Resume form posts this input; the flow records the answer itself.
    with temporary_settings(updates={PREFECT_API_URL: stack.api_url}):
        resume_flow_run(run.id, run_input={"criterion": "signed_conditions", "holds": True,
                                           "recorded_by": "coordinator-anna"})
    eventually(lambda: snapshot(_case_id(number)).phase == "during", timeout=300,
               what="admission after the threat assessment arrived")

    # A second case, answered on the command line.
    referral = {**DEMO, "person": {"identity_number": SECOND_ID, "name": SECOND_NAME},
                "eligibility": {k: v for k, v in DEMO["eligibility"].items() if k != "motivated"}}
    referral["eligibility"]["signed_conditions"] = {"holds": True}
    path = tmp_path / "referral.json"
    path.write_text(json.dumps(referral), encoding="utf-8")
    second = utvag(stack, "case", "open", str(path)).stdout.split(":")[0].strip()
    eventually(lambda: _suspended(stack, second), timeout=300, what="second case waiting")
    decided = utvag(stack, "case", "decide", second, "--criterion", "motivated", "--holds",
                    "yes", "--by", "coordinator-bo", "--note", "samtal 2026-11-20")
    assert decided.returncode == 0 and "flow resumed" in decided.stdout, decided.stderr
    eventually(lambda: snapshot(_case_id(second)).phase == "during", timeout=300,
               what="second case admitted")

    shown = utvag(stack, "case", "show", second)
    assert "admitted" in shown.stdout and SECOND_NAME in shown.stdout

    again = utvag(stack, "case", "open", str(ROOT / "docs/examples/referral.json"))
    assert "already has an open case" in again.stdout

    stack.stop()
    _assert_nothing_personal_anywhere(stack, [
        DEMO["person"]["identity_number"], DEMO["person"]["name"], SECOND_ID, SECOND_NAME])


def _variants(identity: str) -> list[str]:
    digits = identity.replace("-", "").replace("+", "")
    return [digits, digits[2:], f"{digits[:8]}-{digits[8:]}", f"{digits[2:8]}-{digits[8:]}"]


def _assert_nothing_personal_anywhere(stack: Stack, personal: list[str]) -> None:
    needles: list[str] = []
    for value in personal:
        needles += _variants(value) if value[0].isdigit() else value.split()
    haystacks: dict[str, str] = {}
    prefect_db = stack.data_dir / "prefect" / "prefect.db"
    with sqlite3.connect(prefect_db) as conn:
        haystacks["prefect database"] = "\n".join(conn.iterdump())
    dump = []
    with get_engine().connect() as conn:
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
