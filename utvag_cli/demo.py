"""`utvag run` / `make run`: the local stack and a demo case waiting in the UI."""

from __future__ import annotations

import json
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

from prefect.settings import PREFECT_API_URL, temporary_settings

from adapters.oidc_provider import embedded_for
from adapters.settings import get_settings
from flows.resume import start_case_run
from tasks.intake import open_case
from tasks.waits import waiting_run
from utvag_cli.output import out
from utvag_cli.stack import Ports, Stack

DEMO_REFERRAL = Path(__file__).resolve().parent.parent / "docs" / "examples" / "referral.json"


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def run_demo(*, prefect_port: int, answer_delay: float) -> int:
    # SIGTERM (a supervisor, `kill`) stops the stack like Ctrl-C, not leaving it orphaned.
    signal.signal(signal.SIGTERM, _interrupt)
    settings = get_settings()
    stack = Stack(data_dir=settings.data_dir.resolve(), ports=Ports(prefect=prefect_port),
                  answer_delay=answer_delay)
    provider = embedded_for(settings)
    try:
        if provider is not None:
            out(f"starting the demo OpenID Connect provider at {settings.oidc_issuer}...")
            provider.start()
        out("preparing the database (embedded PostgreSQL unless DATABASE_URL is set)...")
        stack.prepare(settings)
        out("starting the Prefect server and UI, the agency simulators, the deployments...")
        stack.start_prefect()
        stack.start_simulators()
        stack.start_deployments()
        with temporary_settings(updates={PREFECT_API_URL: stack.api_url}):
            _open_demo(stack)
        out("Ctrl-C stops everything this started.")
        while all(p.poll() is None for p in stack.processes):
            time.sleep(1)
        out("a process of the stack exited; stopping the rest")
        return 1
    except KeyboardInterrupt:
        out("\nstopping...")
        return 0
    finally:
        stack.stop()
        if provider is not None:
            provider.stop()


def _open_demo(stack: Stack) -> None:
    from utvag_cli.demo_registers import load_demo_entries

    referral = json.loads(DEMO_REFERRAL.read_text(encoding="utf-8"))
    load_demo_entries(identity_number=referral["person"]["identity_number"],
                      ports=stack.ports.simulators)
    opened = open_case(referral, now=datetime.now(UTC))
    if opened.created or waiting_run(opened.case_id) is None:
        start_case_run(opened.case_id)
    state = "opened" if opened.created else "already open (reused)"
    out("")
    out(f"demo case {opened.case_number}: {state}")
    out(f"  watch it:   {stack.ui_url}/runs  (flow run '{opened.case_number}-before')")
    out("  it waits for a coordinator: answer in the UI (Resume) or with")
    out(f"    utvag case decide {opened.case_number} --criterion signed_conditions "
        "--holds yes --by coordinator-anna")
    out(f"  then:       utvag case show {opened.case_number}")
    out(f"  every phase: repeat `utvag demo advance {opened.case_number}` (demo answers to "
        "each decision; agencies answer by themselves)")
    out("  once admitted: utvag sweep  (the register sweep flags a demo suspicion; "
        "then utvag case assess)")
    out(f"  logs:       {stack.data_dir / 'logs'}")
