"""`utvag person ...`: the person's rights through the case service (the responsible
coordinator, as logged in). Names and identity numbers are never argument values (shell
history, process list): they are read from stdin, prompted without echo on a terminal.

    utvag person correct CASE --reason TEXT [--name] [--identity-number]
        (the corrected values, one line each in that order, from stdin)
    utvag person export CASE --received-on YYYY-MM-DD --out FILE [--html]
                            [--include-destination]
        (the subject-access export, written to a new file readable by you only)
    utvag person hold CASE --reason TEXT        a legal hold: the case is not culled
    utvag person lift-hold CASE --reason TEXT   lift it
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
from datetime import date

from utvag_cli.answering import case_command, case_path, cli_of
from utvag_cli.output import out
from utvag_cli.usage import UsageError


def _read(args: argparse.Namespace, what: str) -> str:
    stdin = cli_of(args).stdin
    value = (getpass.getpass(f"{what} (not shown): ") if stdin.isatty()
             else stdin.readline()).strip()
    if not value:
        raise UsageError(f"{what.replace(' ', '_')}: one line on stdin")
    return value


def cmd_correct(args: argparse.Namespace) -> int:
    if not (args.name or args.identity_number):
        raise UsageError("name: say what to correct (--name, --identity-number)")
    body: dict[str, str] = {"reason": args.reason}
    if args.name:
        body["name"] = _read(args, "name")
    if args.identity_number:
        body["identity_number"] = _read(args, "identity number")
    done = cli_of(args).service.post(case_path(args, "/person/correction"), body)
    out(f"{done['case_number']}: corrected {', '.join(done['fields'])} (journaled)")
    for told in done["tell"]:
        out(f"  tell {told['recipient']}: received {', '.join(told['fields'])} "
            f"on {told['at'][:10]}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    try:
        received = date.fromisoformat(args.received_on)
    except ValueError:
        raise UsageError("received-on: a date, YYYY-MM-DD") from None
    made = cli_of(args).service.post(case_path(args, "/subject-access"), {
        "received_on": received.isoformat(), "format": "json",
        "include_destination": args.include_destination})
    if args.html:
        from services.subject_access import SubjectAccessExport
        from services.subject_access_html import render_html

        content = render_html(SubjectAccessExport.model_validate(made))
    else:
        content = json.dumps(made, ensure_ascii=False, indent=2)
    try:  # a new file, the owner's alone: it holds the person's data
        fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise UsageError(f"out: cannot create a new file there ({type(exc).__name__})") \
            from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(content)
    out(f"subject-access export written to {args.out} (0600; journaled on the case)")
    return 0


def cmd_hold(args: argparse.Namespace) -> int:
    path = "/legal-hold" + ("/lift" if args.person_command == "lift-hold" else "")
    done = cli_of(args).service.post(case_path(args, path), {"reason": args.reason})
    out(f"{done['case_number']}: {done['summary']} (journaled)")
    return 0


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    person = sub.add_parser("person", help="the person's rights: correction, subject "
                                           "access; legal holds against culling")
    commands = person.add_subparsers(dest="person_command", required=True)
    p = case_command(commands, "correct", "correct the name or identity number (values "
                                          "from stdin, one line each)")
    p.add_argument("--reason", required=True, help="why (journaled, encrypted)")
    p.add_argument("--name", action="store_true", help="correct the name")
    p.add_argument("--identity-number", action="store_true",
                   help="correct the identity number")
    p.set_defaults(handler=cmd_correct)
    p = case_command(commands, "export", "the subject-access export (GDPR art. 15)")
    p.add_argument("--received-on", required=True, help="the day the request came in")
    p.add_argument("--out", required=True, help="a new file to write it to")
    p.add_argument("--html", action="store_true", help="Swedish HTML instead of JSON")
    p.add_argument("--include-destination", action="store_true",
                   help="the new municipality and address, if the policy lets you read them")
    p.set_defaults(handler=cmd_export)
    for name, what in (("hold", "a legal hold: the case is not culled while it stands"),
                       ("lift-hold", "lift the case's legal hold")):
        p = case_command(commands, name, what)
        p.add_argument("--reason", required=True, help="why (journaled, encrypted)")
        p.set_defaults(handler=cmd_hold)
