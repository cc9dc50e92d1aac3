"""`utvag deploy`, `utvag worker`, `utvag status`: running Utväg on a Prefect server."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import timedelta

from deployments import DEFAULT_WORK_POOL
from utvag_cli.answering import cli_of
from utvag_cli.output import out
from utvag_cli.usage import UsageError


def cmd_init(args: argparse.Namespace) -> int:
    """An operator's task: the key file (unless the key is in the environment) and the
    schema, on the configured database."""
    from models.crypto import KeyRefused
    from services.keys import prepare_database

    rt = cli_of(args).rt
    settings = rt.settings
    try:
        if prepare_database(settings, rt.db.url, now=rt.now()):
            out(f"key file created: {settings.resolved_key_file} (0600; keep it out of "
                "backups that leave the machine)")
    except KeyRefused as exc:
        raise UsageError(str(exc)) from None
    out("database migrated; roles utvag_app (case service) and utvag_worker (workers) "
        "granted, row-level security on (docs/database-roles.md)")
    for role in args.login or ():
        _allow_login(args, rt.db.url, role)
    return 0


def _allow_login(args: argparse.Namespace, url: str, role: str) -> None:
    """`--login ROLE`: the role's password from a no-echo prompt, or a line on stdin
    (never an argument: shell history, process list)."""
    from adapters.db import allow_login

    stdin = cli_of(args).stdin
    password = (getpass.getpass(f"password for {role} (not shown): ") if stdin.isatty()
                else stdin.readline().rstrip("\r\n"))
    try:
        allow_login(url, role, password)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    out(f"{role} may log in (password stored as a SCRAM verifier)")


def cmd_deploy(args: argparse.Namespace) -> int:
    from adapters.settings import apply_prefect_defaults
    from deployments.deploy import deploy_all
    from deployments.registry import registry

    apply_prefect_defaults()
    specs = registry(collect_every=timedelta(seconds=args.collect_every),
                     overdue_every=timedelta(seconds=args.overdue_every),
                     recover_every=timedelta(seconds=args.recover_every),
                     stall_after=timedelta(seconds=args.stall_after))
    deployed = deploy_all(specs, pool_limit=args.pool_limit)
    for spec in specs:
        every = f", every {spec.interval}" if spec.interval else ""
        out(f"deployed {spec.flow.name}/{spec.name} on pool {spec.work_pool}{every} "
            f"({deployed[spec.name]})")
    _automations(args)
    return 0


def _automations(args: argparse.Namespace) -> None:
    from deployments.automations import create_automations, named_block, webhook_block

    if args.notify_webhook:
        block = webhook_block(args.notify_webhook)
    elif args.notify_block:
        block = named_block(args.notify_block)
    else:
        out("no --notify-block / --notify-webhook: automations not created")
        return
    for name in create_automations(block):
        out(f"automation: {name}")


def cmd_worker(args: argparse.Namespace) -> int:
    """Become a Prefect process worker on the pool (exec: signals reach it directly)."""
    from adapters.settings import apply_prefect_defaults

    _ = cli_of(args).rt.cipher  # refuses to start with a key the database does not know
    apply_prefect_defaults()
    # Prefect's process worker, holding to the pool's locked job template (never a
    # command, environment or directory chosen by a flow run): `deployments.worker`.
    argv = [sys.executable, "-m", "deployments.worker", "--pool", args.pool,
            "--limit", str(args.limit)]
    if args.name:
        argv += ["--name", args.name]
    sys.stdout.flush()
    os.execv(sys.executable, argv)  # noqa: S606 - our own interpreter, fixed arguments


PARTY = {"person": "a person", "agency": "an agency"}


def cmd_status(args: argparse.Namespace) -> int:
    """Cases waiting (for a person or an agency), overdue, blocked (and why): case numbers
    and counts only, as `services.status` gives them (operators see no category)."""
    from services.status import operator_status

    status = operator_status(cli_of(args).rt)
    counts = ", ".join(f"{n} {name}" for name, n in sorted(status.counts.items())) or "no cases"
    out(f"cases: {counts}")
    out(f"waiting: {len(status.waiting)} wait(s), {len(status.overdue)} overdue")
    for w in status.waiting:
        flag = "OVERDUE " if w.overdue else ""
        out(f"  {flag}{w.case_number}  waits for {PARTY.get(w.waits_for, w.waits_for)}  since "
            f"{w.since:%Y-%m-%d %H:%M}  deadline {w.deadline:%Y-%m-%d}")
    out(f"blocked: {len(status.blocked)}")
    for number, reason in status.blocked:
        out(f"  {number}  {reason}  (fix, then `utvag case run {number}`)")
    return 0


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("init", help="create the key file and migrate the database")
    p.add_argument("--login", action="append", choices=["utvag_app", "utvag_worker"],
                   help="let this role log in (production); its password is read from "
                        "stdin, one line per --login, or a no-echo prompt")
    p.set_defaults(handler=cmd_init)
    p = sub.add_parser("deploy", help="register every deployment on the Prefect server")
    p.add_argument("--collect-every", type=int, default=30, help="seconds")
    p.add_argument("--overdue-every", type=int, default=3600, help="seconds")
    p.add_argument("--recover-every", type=int, default=60, help="seconds")
    p.add_argument("--stall-after", type=int, default=120,
                   help="seconds a case may sit unchanged (not waiting) before a new run")
    p.add_argument("--notify-block", default=None,
                   help="notification block for the automations, as BLOCK_TYPE/NAME")
    p.add_argument("--notify-webhook", default=None,
                   help="or a webhook URL: creates a custom webhook block utvag-operators")
    p.add_argument("--pool-limit", type=int, default=None,
                   help="runs at once on the work pool across all workers")
    p.set_defaults(handler=cmd_deploy)
    p = sub.add_parser("worker", help="start a process worker on the work pool")
    p.add_argument("--pool", default=DEFAULT_WORK_POOL)
    p.add_argument("--limit", type=int, default=4, help="flow runs at once on this worker")
    p.add_argument("--name", default=None)
    p.set_defaults(handler=cmd_worker)
    p = sub.add_parser("status", help="cases waiting, overdue, blocked, with reasons")
    p.set_defaults(handler=cmd_status)
