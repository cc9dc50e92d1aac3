"""The `utvag` command.

    utvag run                 the whole local stack with a demo case (make run)
    utvag serve               serve the deployments of deployments/registry.py
    utvag deploy              register them on the Prefect server (work pool, automations)
    utvag worker              start a process worker on the work pool
    utvag status              cases waiting, overdue, blocked, with reasons
    utvag init                create the key file and migrate the database
    utvag case open FILE      open a case from a referral (JSON)
    utvag case show CASE      the case and its timeline (personal data: local use)
    utvag case decide CASE    answer an eligibility criterion the case waits for
    utvag case consent CASE   record (or withdraw) consent for an agency
    utvag case assess CASE    social services' assessment of a relapse flag
    utvag sweep               run the register sweep now (progress bar)
    utvag during needs CASE   record the needs assessment before the collaboration meeting
    utvag during ...          action plan, providers, state grant, relocation, belongings
                              (see --help; destination and address never as arguments)
    utvag after close CASE    close with an outcome; `after indicators`, `after reopen`
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from typing import TextIO

from adapters.repo import CaseNotFound
from adapters.settings import get_settings
from utvag_cli import after, cases, demo_advance, during, ops
from utvag_cli.output import err
from utvag_cli.usage import UsageError


def cmd_init(_: argparse.Namespace) -> int:
    from adapters.db import migrate
    from adapters.vault import ensure_key_file
    from utvag_cli.output import out

    settings = get_settings()
    if settings.encryption_key is None and ensure_key_file(settings.resolved_key_file):
        out(f"key file created: {settings.resolved_key_file} (0600; keep it out of backups "
            "that leave the machine)")
    migrate()
    out("database migrated")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from adapters.logs import configure_logging
    from deployments.registry import registry, serve_all

    configure_logging()
    serve_all(registry(collect_every=timedelta(seconds=args.collect_every),
                       overdue_every=timedelta(seconds=args.overdue_every)))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from utvag_cli.demo import run_demo

    return run_demo(prefect_port=args.prefect_port, answer_delay=args.answer_delay)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="utvag", description="Utväg case workflows")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("init", help="create the key file and migrate the database")
    p.set_defaults(handler=cmd_init)
    p = sub.add_parser("serve", help="serve the deployments")
    p.add_argument("--collect-every", type=int, default=30, help="seconds")
    p.add_argument("--overdue-every", type=int, default=3600, help="seconds")
    p.set_defaults(handler=cmd_serve)
    p = sub.add_parser("run", help="run the local stack with a demo case")
    p.add_argument("--prefect-port", type=int, default=4200)
    p.add_argument("--answer-delay", type=float, default=20.0,
                   help="seconds the simulated agencies take to answer")
    p.set_defaults(handler=cmd_run)
    cases.add_parser(sub)
    from utvag_cli import sweep

    sweep.add_parser(sub)
    during.add_parser(sub)
    after.add_parser(sub)
    demo_advance.add_parser(sub)
    ops.add_parsers(sub)
    return parser


def main(argv: list[str] | None = None, *, stdin: TextIO | None = None) -> int:
    """`stdin`: where commands read what must never be an argument (default sys.stdin)."""
    args = build_parser().parse_args(argv)
    args.stdin = stdin if stdin is not None else sys.stdin
    try:
        code: int = args.handler(args)
    except (UsageError, CaseNotFound) as exc:
        err(f"error: {exc}")
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
