"""`utvag run` / `make run`: the local stack and a demo case waiting in the UI."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

from adapters.oidc_provider import embedded_for
from adapters.prefect_auth import auth_file, ensure_auth_string
from adapters.settings import Settings, get_settings
from flows.resume import start_case_run
from services import installation, intake, waits
from services.runtime import Runtime, runtime
from utvag_cli.output import err, out
from utvag_cli.stack import Ports, Stack

DEMO_REFERRAL = Path(__file__).resolve().parent.parent / "docs" / "examples" / "referral.json"


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def run_demo(*, prefect_port: int, answer_delay: float) -> int:
    # SIGTERM (a supervisor, `kill`) stops the stack like Ctrl-C, not leaving it orphaned.
    signal.signal(signal.SIGTERM, _interrupt)
    settings = get_settings()
    stack = demo_stack(settings, prefect_port=prefect_port, answer_delay=answer_delay)
    provider = embedded_for(settings)
    try:
        if provider is not None:
            out(f"starting the demo OpenID Connect provider at {settings.oidc_issuer}...")
            provider.start()
        out("preparing the database (embedded PostgreSQL unless DATABASE_URL is set)...")
        stack.prepare(settings)
        rt = runtime(settings)
        try:
            installation.mark_demo(rt)
        except installation.NotADemo as exc:
            err(f"error: {exc}")
            return 2
        out("starting the Prefect server and UI, the agency simulators, the deployments...")
        stack.start_prefect()
        stack.start_simulators()
        stack.start_deployments()
        with temporary_settings(updates={PREFECT_API_URL: stack.api_url,
                                         PREFECT_API_AUTH_STRING: stack.auth_string}):
            _open_demo(stack, rt)
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


def demo_stack(settings: Settings, *, prefect_port: int, answer_delay: float) -> Stack:
    """The stack `utvag run` starts: Prefect's API behind the credential kept in
    `<data dir>/prefect-auth` (made on the first run, 0600, reused after)."""
    data_dir = settings.data_dir.resolve()
    return Stack(data_dir=data_dir, ports=Ports(prefect=prefect_port),
                 answer_delay=answer_delay,
                 auth_string=ensure_auth_string(auth_file(data_dir)))


def _open_demo(stack: Stack, rt: Runtime) -> None:
    from utvag_cli.demo_registers import load_demo_entries

    referral = json.loads(DEMO_REFERRAL.read_text(encoding="utf-8"))
    load_demo_entries(identity_number=referral["person"]["identity_number"],
                      ports=stack.ports.simulators)
    opened = intake.open_case(rt, referral)
    if opened.created or waits.holding_run(rt, opened.case_id) is None:
        start_case_run(rt, opened.case_id)
    state = "opened" if opened.created else "already open (reused)"
    out("")
    out(f"demo case {opened.case_number}: {state}")
    out(f"  watch it:   {stack.ui_url}/runs  (flow run '{opened.case_number}-before')")
    out(f"  Prefect UI credential: {auth_file(stack.data_dir)} (the UI asks for it)")
    out("  it waits for a coordinator (answers go through Utväg, never the UI), e.g.")
    out(f"    utvag case decide {opened.case_number} --criterion signed_conditions "
        "--holds yes --by coordinator-anna")
    out(f"  then:       utvag case show {opened.case_number}")
    out(f"  every phase: repeat `utvag demo advance {opened.case_number}` (demo answers to "
        "each decision; agencies answer by themselves)")
    out("  once admitted: utvag sweep  (the register sweep flags a demo suspicion; "
        "then utvag case assess)")
    out(f"  logs:       {stack.data_dir / 'logs'}")
