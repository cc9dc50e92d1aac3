"""`utvag run` / `make run`: the whole local system, and a demo case waiting for its
coordinator.

In order: the database (embedded PostgreSQL unless DATABASE_URL) and its migrations,
marked as a demo; the OpenID Connect provider with the demo users; Prefect with auth;
the agency simulators (test/demo mode); the deployments and a worker (utvag_worker);
the case service (utvag_app) on 127.0.0.1:8000. Then the demo case, and what to do
next. Ctrl-C (or SIGTERM) stops everything it started.
"""

from __future__ import annotations

import json
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

from adapters.oidc_provider import DEMO_PASSWORD, embedded_for
from adapters.prefect_auth import auth_file, ensure_auth_string
from adapters.settings import Settings, get_settings
from services import installation
from services.runtime import Runtime, runtime
from utvag_cli.demo_users import DemoUser, demo_users, user_lines
from utvag_cli.output import err, out
from utvag_cli.stack import Ports, Stack

DEMO_REFERRAL = Path(__file__).resolve().parent.parent / "docs" / "examples" / "referral.json"
# What the demo case's run waits for first (the before phase asks its coordinator).
FIRST_WAIT = "signed_conditions"


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def run_demo(*, prefect_port: int, answer_delay: float) -> int:
    # SIGTERM (a supervisor, `kill`) stops the stack like Ctrl-C, not leaving it orphaned.
    signal.signal(signal.SIGTERM, _interrupt)
    settings = get_settings()
    stack = demo_stack(settings, prefect_port=prefect_port, answer_delay=answer_delay)
    try:
        out("preparing the database (embedded PostgreSQL unless DATABASE_URL is set)...")
        stack.prepare(settings)
        rt = runtime(settings)
        try:
            installation.mark_demo(rt)
        except installation.NotADemo as exc:
            err(f"error: {exc}")
            return 2
        provider = embedded_for(settings, console_redirects=[f"{stack.service_url}/auth/callback"],
                                console_post_logout=[f"{stack.service_url}/"])
        if provider is not None:
            out(f"starting the demo OpenID Connect provider at {settings.oidc_issuer}...")
            stack.start_provider(provider)
        out("starting Prefect (with auth), the agency simulators, the deployments and a "
            "worker...")
        stack.start_prefect()
        stack.start_simulators()
        stack.start_deployments()
        out(f"starting the case service at {stack.service_url}...")
        stack.start_service()
        with temporary_settings(updates={PREFECT_API_URL: stack.api_url,
                                         PREFECT_API_AUTH_STRING: stack.auth_string}):
            demo = open_demo(stack, rt)
        _print_guide(stack, settings, demo, users=demo_users() if provider else None)
        while stack.running:
            time.sleep(1)
        out("a process of the stack exited; stopping the rest (logs: "
            f"{stack.data_dir / 'logs'})")
        return 1
    except KeyboardInterrupt:
        out("\nstopping...")
        return 0
    finally:
        stack.stop()


def demo_stack(settings: Settings, *, prefect_port: int, answer_delay: float) -> Stack:
    """The stack `utvag run` starts: Prefect's API behind the credential kept in
    `<data dir>/prefect-auth` (made on the first run, 0600, reused after); the case
    service on the configured port."""
    data_dir = settings.data_dir.resolve()
    return Stack(data_dir=data_dir,
                 ports=Ports(prefect=prefect_port, service=settings.service_port),
                 answer_delay=answer_delay,
                 auth_string=ensure_auth_string(auth_file(data_dir)))


@dataclass(frozen=True)
class DemoCase:
    case_number: str
    created: bool
    coordinator: DemoUser


def open_demo(stack: Stack, rt: Runtime) -> DemoCase:
    """Open the demo referral (or find it again) as the demo coordinator of its placing
    municipality, by the use case the case service calls for a coordinator's referral:
    that person is recorded as having opened it and is assigned as its coordinator, so
    they see it once they sign in. Start its run unless one holds it. Local: an
    operator's seed of a database marked as a demo (`utvag run` only)."""
    from flows.resume import start_case_run
    from models.principal import Role
    from services import views, waits
    from services.access import caseload
    from services.access.intake import open_referral
    from utvag_cli.demo_registers import load_demo_entries
    from utvag_cli.demo_users import coordinator_of

    referral = json.loads(DEMO_REFERRAL.read_text(encoding="utf-8"))
    load_demo_entries(identity_number=referral["person"]["identity_number"],
                      ports=stack.ports.simulators)
    coordinator = coordinator_of(referral["placing_municipality"], demo_users())
    principal = coordinator.principal()
    referred = open_referral(rt, principal, referral)
    if referred.case_number is None:  # the person has a case elsewhere: not in a demo DB
        raise installation.NotADemo("the demo person has an open case in another "
                                    "municipality: not a demo database")
    case_id, number = views.case_id_of(rt, referred.case_number)
    # A demo database of an earlier version may lack the assignment (no-op otherwise).
    caseload.assign(rt, principal, case_id, staff_id=principal.staff_id,
                    organisation=principal.organisation, role=Role.COORDINATOR)
    created = referred.status == "opened"
    if created or waits.holding_run(rt, case_id) is None:
        start_case_run(rt, case_id)
    return DemoCase(number, created, coordinator)


def _print_guide(stack: Stack, settings: Settings, demo: DemoCase, *,
                 users: list[DemoUser] | None) -> None:
    number, who = demo.case_number, demo.coordinator
    logs = stack.data_dir / "logs"
    out("")
    out("Utväg is running on this machine (127.0.0.1 only). Ctrl-C stops all of it.")
    out(f"  the console     {stack.service_url}/   (the case service; its API: "
        f"{stack.service_url}/api/v1)")
    out(f"  sign-in         {settings.oidc_issuer}   (OpenID Connect"
        f"{', the demo provider' if users else ''})")
    out(f"  Prefect UI      {stack.ui_url}   (operators only: the UI asks for the "
        f"credential in {auth_file(stack.data_dir)})")
    out(f"  logs            {logs}")
    if users:
        out("")
        out(f"Demo users (password: {DEMO_PASSWORD}; oidc/users.json):")
        for line in user_lines(users):
            out(f"  {line}")
    out("")
    out(f"Demo case {number}: placed by {who.organisation}, its coordinator is "
        f"{who.username}. " + (
            f"Its run will wait for the coordinator's answer to the criterion {FIRST_WAIT}."
            if demo.created else
            "Found again from an earlier run: `utvag case list` says where it stands."))
    out("Next, in another terminal:")
    if stack.service_url != settings.service_url.rstrip("/"):
        out(f"  export UTVAG_SERVICE_URL={stack.service_url}")
    for command, what in (
            ("login --device", f"sign in as {who.username} (a link and a code; "
                               "`utvag login` opens a browser here instead)"),
            ("case list", "your cases and what each waits for"),
            (f"case show {number}", "the case and its timeline (the read is journaled)"),
            (f"case decide {number} --criterion {FIRST_WAIT} --holds yes",
             "answer; the service resumes the run"),
            (f"demo advance {number}", "operators, demo only: one demo answer per call, "
                                       "through every phase")):
        out(f"  .venv/bin/utvag {command}   # {what}")
    out("  Another municipality's coordinator sees nothing of it (README.md, the tour):")
    out("  UTVAG_TOKEN_FILE=~/.config/utvag/goteborg.json .venv/bin/utvag login --device  "
        "(as goteborg.samordnare)")
