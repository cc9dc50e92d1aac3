"""`utvag audit ...`: the auditor's lists, through the case service.

    utvag audit log [--case CASE] [--outcome allowed|denied|break_glass] [--limit N]
    utvag audit break-glass             openings not yet reviewed, oldest first
    utvag audit review ID               mark an opening reviewed (as the person logged in)
"""

from __future__ import annotations

import argparse
from typing import Any

from utvag_cli.answering import cli_of, no_by
from utvag_cli.output import out


def cmd_log(args: argparse.Namespace) -> int:
    entries: list[dict[str, Any]] = cli_of(args).service.get(
        "/audit/access-log", case=args.case, outcome=args.outcome, limit=args.limit)
    for e in entries:
        fields = f"  [{', '.join(e['fields'])}]" if e["fields"] else ""
        out(f"{e['at'][:19]}  {e['outcome']:<11} {e['staff_id']} ({e['organisation']})  "
            f"{e['action']}  {e['case_number'] or '-'}  {e['purpose']}{fields}")
    if not entries:
        out("no entries")
    return 0


def cmd_break_glass(args: argparse.Namespace) -> int:
    openings: list[dict[str, Any]] = cli_of(args).service.get("/audit/break-glass")
    for o in openings:
        out(f"#{o['id']}  {o['case_number']}  {o['staff_id']} ({o['organisation']})  "
            f"{o['opened_at'][:16]} - {o['expires_at'][:16]}  reason: {o['reason']}")
    if not openings:
        out("no break-glass openings waiting for review")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    cli_of(args).service.post(f"/audit/break-glass/{args.opening}/review")
    out(f"break-glass opening #{args.opening} reviewed")
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = sub.add_parser("audit", help="the access log and break-glass openings (auditors)")
    commands = audit.add_subparsers(dest="audit_command", required=True)
    p = commands.add_parser("log", help="the access log, newest first")
    p.add_argument("--case", help="one case number")
    p.add_argument("--outcome", choices=["allowed", "denied", "break_glass"])
    p.add_argument("--limit", type=int, default=200, help="at most this many (1-1000)")
    p.set_defaults(handler=cmd_log)
    commands.add_parser("break-glass", help="openings not yet reviewed"
                        ).set_defaults(handler=cmd_break_glass)
    p = no_by(commands.add_parser("review", help="mark an opening reviewed"))
    p.add_argument("opening", type=int, help="the opening's number (#ID)")
    p.set_defaults(handler=cmd_review)
