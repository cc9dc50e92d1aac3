"""`utvag during ...`: the during phase, through the case service as the person logged in.

    utvag during needs CASE --need housing --need occupation [--network mentor]
    utvag during provider add NAME
    utvag during provider vet NAME --on DATE --follow-up-due DATE
    utvag during provider follow-up NAME --verdict V --on DATE --next-due DATE
    utvag during intervention CASE --kind K --start DATE --end DATE --cost KRONOR
                              [--provider NAME]
    utvag during approve-plan CASE
    utvag during statement CASE --supports yes|no   (the police contact of the case)
    utvag during complete-grant CASE
    utvag during ledger [--year YYYY]               (the police grants officer)
    utvag during relocate | approve-relocation | destination | work-order |
                 belongings-delivered ...         see `utvag_cli/relocation.py`
"""

from __future__ import annotations

import argparse
from datetime import date
from enum import StrEnum
from typing import TypeVar

from models.action_plan import FollowUpVerdict, InterventionKind
from models.enums import Need, NetworkRole
from utvag_cli import relocation
from utvag_cli.answering import case_command, case_path, cli_of, no_by, send
from utvag_cli.output import out
from utvag_cli.usage import UsageError, yes_no

E = TypeVar("E", bound=StrEnum)


def _parse(enum: type[E], value: str, field: str) -> E:
    try:
        return enum(value)
    except ValueError:
        raise UsageError(f"{field}: one of {', '.join(e.value for e in enum)}") from None


def _date(value: str, field: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise UsageError(f"{field}: a date YYYY-MM-DD") from None


def _kronor(value: str) -> int:
    if not value.isdigit():
        raise UsageError("cost: whole kronor (digits only, e.g. 48000)")
    return int(value)


def cmd_needs(args: argparse.Namespace) -> int:
    needs = [_parse(Need, n, "need") for n in args.need or []]
    network = [_parse(NetworkRole, n, "network") for n in args.network or []]
    send(args, case_path(args, "/needs"), {"needs": needs, "network": network})
    return 0


def cmd_provider(args: argparse.Namespace) -> int:
    service = cli_of(args).service
    if args.provider_command == "add":
        done = service.post("/providers", {"name": args.name})
    elif args.provider_command == "vet":
        done = service.post("/providers/vetting", {
            "name": args.name, "on": _date(args.on, "on"),
            "follow_up_due": _date(args.follow_up_due, "follow-up-due")})
    else:
        done = service.post("/providers/follow-ups", {
            "name": args.name, "verdict": _parse(FollowUpVerdict, args.verdict, "verdict"),
            "on": _date(args.on, "on"), "next_due": _date(args.next_due, "next-due")})
    out(f"provider {done['provider']}: {done['summary']}")
    return 0


def cmd_intervention(args: argparse.Namespace) -> int:
    send(args, case_path(args, "/plan/interventions"),
         {"kind": _parse(InterventionKind, args.kind, "kind"),
          "start": _date(args.start, "start"), "planned_end": _date(args.end, "end"),
          "cost_sek": _kronor(args.cost), "provider": args.provider})
    return 0


def cmd_approve_plan(args: argparse.Namespace) -> int:
    send(args, case_path(args, "/plan/approval"))
    return 0


def cmd_statement(args: argparse.Namespace) -> int:
    send(args, case_path(args, "/grant/statement"),
         {"supports": yes_no(args.supports, "supports")})
    return 0


def cmd_complete_grant(args: argparse.Namespace) -> int:
    send(args, case_path(args, "/grant/completion"))
    return 0


def cmd_ledger(args: argparse.Namespace) -> int:
    led = cli_of(args).service.get("/ledger", year=args.year)
    out(f"{led['year']}: {led['cases_granted']} cases granted, {led['granted_sek']} kr of "
        f"{led['appropriation_sek']} kr; {led['left_sek']} kr left")
    return 0



def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    during = sub.add_parser("during", help="answer the decisions of the during phase")
    commands = during.add_subparsers(dest="during_command", required=True)
    p = case_command(commands, "needs", "record the needs assessment before the meeting")
    p.add_argument("--need", action="append", help=", ".join(n.value for n in Need))
    p.add_argument("--network", action="append",
                   help="a network resource by role: " + ", ".join(r.value for r in NetworkRole))
    p.set_defaults(handler=cmd_needs)
    provider = commands.add_parser("provider", help="the registry of external providers")
    pc = provider.add_subparsers(dest="provider_command", required=True)
    p = no_by(pc.add_parser("add", help="register a provider (unvetted)"))
    p.add_argument("name")
    p = no_by(pc.add_parser("vet", help="record that a provider was vetted and approved"))
    p.add_argument("name")
    p.add_argument("--on", required=True)
    p.add_argument("--follow-up-due", required=True)
    p = no_by(pc.add_parser("follow-up", help="record a provider's follow-up report"))
    p.add_argument("name")
    p.add_argument("--verdict", required=True, help=", ".join(v.value for v in FollowUpVerdict))
    p.add_argument("--on", required=True)
    p.add_argument("--next-due", required=True)
    for sub_parser in pc.choices.values():
        sub_parser.set_defaults(handler=cmd_provider)
    p = case_command(commands, "intervention", "add an intervention to the action plan")
    p.add_argument("--kind", required=True, help=", ".join(k.value for k in InterventionKind))
    p.add_argument("--start", required=True)
    p.add_argument("--end", required=True)
    p.add_argument("--cost", required=True, help="whole kronor")
    p.add_argument("--provider", help="registered provider (default: the municipality)")
    p.set_defaults(handler=cmd_intervention)
    case_command(commands, "approve-plan", "approve the case's action plan"
          ).set_defaults(handler=cmd_approve_plan)
    p = case_command(commands, "statement", "the police coordinator's statement on the grant")
    p.add_argument("--supports", required=True, help="yes or no")
    p.set_defaults(handler=cmd_statement)
    case_command(commands, "complete-grant", "the grant application has been completed"
          ).set_defaults(handler=cmd_complete_grant)
    relocation.add_parsers(commands)
    p = commands.add_parser("ledger", help="the year's state-grant ledger")
    p.add_argument("--year", type=int)
    p.set_defaults(handler=cmd_ledger)
