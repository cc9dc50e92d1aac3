"""`utvag during ...`: the coordinator's answers in the during phase.

    utvag during needs CASE --need housing --need occupation [--network mentor] --by STAFF_ID
    utvag during provider add NAME
    utvag during provider vet NAME --on DATE --follow-up-due DATE --by STAFF_ID
    utvag during provider follow-up NAME --verdict V --on DATE --next-due DATE --by STAFF_ID
    utvag during intervention CASE --kind K --start DATE --end DATE --cost KRONOR
                              [--provider NAME] --by STAFF_ID
    utvag during approve-plan CASE --by STAFF_ID
    utvag during statement CASE --supports yes|no --by STAFF_ID   (police coordinator)
    utvag during complete-grant CASE --by STAFF_ID
    utvag during ledger [--year YYYY]
    utvag during relocate | approve-relocation | destination | work-order |
                 belongings-delivered ...         see `utvag_cli/relocation.py`
"""

from __future__ import annotations

import argparse
from datetime import date
from enum import StrEnum
from typing import TypeVar

from models.action_plan import FollowUpVerdict, InterventionKind, InterventionRefused
from models.enums import Need, NetworkRole, WaitKind
from models.grants import Budget
from services import action_plan, grants
from services.action_plan import InterventionIn, ProviderNotFound
from utvag_cli import relocation
from utvag_cli.answering import answer, cli_of
from utvag_cli.output import out
from utvag_cli.usage import UsageError, yes_no

E = TypeVar("E", bound=StrEnum)


def _parse(enum: type[E], value: str, field: str) -> E:
    try:
        return enum(value)
    except ValueError:
        raise UsageError(f"{field}: one of {', '.join(e.value for e in enum)}") from None


def cmd_needs(args: argparse.Namespace) -> int:
    answer(args, WaitKind.NEEDS_ASSESSMENT,
           {"needs": args.need or [], "network": args.network or []}, options={"needs": "need"})
    return 0


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{field}: a date YYYY-MM-DD") from None


def _kronor(value: str) -> int:
    if not value.isdigit():
        raise UsageError("cost: whole kronor (digits only, e.g. 48000)")
    return int(value)


def cmd_provider(args: argparse.Namespace) -> int:
    rt = cli_of(args).rt
    try:
        if args.provider_command == "add":
            action_plan.register_provider(rt, args.name)
        elif args.provider_command == "vet":
            action_plan.vet_provider(rt, args.name, by=args.by, on=_date(args.on, "on"),
                                     next_follow_up_due=_date(args.follow_up_due,
                                                              "follow-up-due"))
        else:
            action_plan.record_follow_up(
                rt, args.name, verdict=_parse(FollowUpVerdict, args.verdict, "verdict"),
                by=args.by, on=_date(args.on, "on"),
                next_follow_up_due=_date(args.next_due, "next-due"))
    except (ProviderNotFound, ValueError) as exc:
        raise UsageError(str(exc)) from None
    out(f"provider {args.name}: {args.provider_command} recorded")
    return 0


def cmd_intervention(args: argparse.Namespace) -> int:
    item = InterventionIn(kind=_parse(InterventionKind, args.kind, "kind"),
                          start=_date(args.start, "start"), planned_end=_date(args.end, "end"),
                          cost_sek=_kronor(args.cost), provider=args.provider)
    try:
        action_plan.add_intervention(cli_of(args).rt, args.case, item, by=args.by)
    except (InterventionRefused, ProviderNotFound) as exc:
        raise UsageError(f"intervention refused: {exc}") from None
    out(f"{args.case}: intervention {item.kind.value} added ({item.cost_sek} kr)")
    return 0


def cmd_approve_plan(args: argparse.Namespace) -> int:
    answer(args, WaitKind.ACTION_PLAN, {})
    return 0


def cmd_statement(args: argparse.Namespace) -> int:
    answer(args, WaitKind.GRANT_STATEMENT, {"supports": yes_no(args.supports, "supports")})
    return 0


def cmd_complete_grant(args: argparse.Namespace) -> int:
    answer(args, WaitKind.GRANT_COMPLETION, {})
    return 0


def cmd_ledger(args: argparse.Namespace) -> int:
    rt = cli_of(args).rt
    year = args.year or rt.now().year
    granted, cases = grants.ledger(rt, year)
    budget = Budget(year)
    out(f"{year}: {cases} cases granted, {granted} kr of {budget.appropriation_sek} kr; "
        f"{budget.appropriation_sek - granted} kr left")
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    during = sub.add_parser("during", help="answer the decisions of the during phase")
    commands = during.add_subparsers(dest="during_command", required=True)
    p = commands.add_parser("needs", help="record the needs assessment before the meeting")
    p.add_argument("case")
    p.add_argument("--need", action="append", help=", ".join(n.value for n in Need))
    p.add_argument("--network", action="append",
                   help="a network resource by role: " + ", ".join(r.value for r in NetworkRole))
    p.add_argument("--by", required=True, help="your staff id")
    p.set_defaults(handler=cmd_needs)
    provider = commands.add_parser("provider", help="the registry of external providers")
    pc = provider.add_subparsers(dest="provider_command", required=True)
    p = pc.add_parser("add", help="register a provider (unvetted)")
    p.add_argument("name")
    p = pc.add_parser("vet", help="record that a provider was vetted and approved")
    p.add_argument("name")
    p.add_argument("--on", required=True)
    p.add_argument("--follow-up-due", required=True)
    p.add_argument("--by", required=True)
    p = pc.add_parser("follow-up", help="record a provider's follow-up report")
    p.add_argument("name")
    p.add_argument("--verdict", required=True, help=", ".join(v.value for v in FollowUpVerdict))
    p.add_argument("--on", required=True)
    p.add_argument("--next-due", required=True)
    p.add_argument("--by", required=True)
    provider.set_defaults(handler=cmd_provider)
    for sub_parser in pc.choices.values():
        sub_parser.set_defaults(handler=cmd_provider)
    p = commands.add_parser("intervention", help="add an intervention to the action plan")
    p.add_argument("case")
    p.add_argument("--kind", required=True, help=", ".join(k.value for k in InterventionKind))
    p.add_argument("--start", required=True)
    p.add_argument("--end", required=True)
    p.add_argument("--cost", required=True, help="whole kronor")
    p.add_argument("--provider", help="registered provider (default: the municipality)")
    p.add_argument("--by", required=True)
    p.set_defaults(handler=cmd_intervention)
    p = commands.add_parser("approve-plan", help="approve the case's action plan")
    p.add_argument("case")
    p.add_argument("--by", required=True)
    p.set_defaults(handler=cmd_approve_plan)
    p = commands.add_parser("statement", help="the police coordinator's statement on the grant")
    p.add_argument("case")
    p.add_argument("--supports", required=True, help="yes or no")
    p.add_argument("--by", required=True)
    p.set_defaults(handler=cmd_statement)
    p = commands.add_parser("complete-grant", help="the grant application has been completed")
    p.add_argument("case")
    p.add_argument("--by", required=True)
    p.set_defaults(handler=cmd_complete_grant)
    relocation.add_parsers(commands)
    p = commands.add_parser("ledger", help="the year's state-grant ledger")
    p.add_argument("--year", type=int)
    p.set_defaults(handler=cmd_ledger)
