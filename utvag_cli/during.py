"""`utvag during ...`: the coordinator's answers in the during phase.

    utvag during needs CASE --need housing --need occupation [--network mentor] --by STAFF_ID
"""

from __future__ import annotations

import argparse
from enum import StrEnum
from typing import TypeVar

from flows.resume import wake_case
from models.enums import Need, NetworkRole
from tasks.meeting import record_needs
from utvag_cli.output import out

E = TypeVar("E", bound=StrEnum)


class UsageError(ValueError):
    pass


def _parse(enum: type[E], values: list[str], field: str) -> list[E]:
    try:
        return [enum(v) for v in values]
    except ValueError:
        raise UsageError(f"{field}: one of {', '.join(e.value for e in enum)}") from None


def cmd_needs(args: argparse.Namespace) -> int:
    needs = _parse(Need, args.need or [], "need")
    network = _parse(NetworkRole, args.network or [], "network")
    case = record_needs(args.case, needs=needs, network=network, by=args.by)
    woken = wake_case(case.id, run_input={"needs": [n.value for n in needs],
                                          "network": [r.value for r in network],
                                          "recorded_by": args.by})
    out(f"{case.case_number}: needs recorded ({', '.join(needs) or 'none'}); flow {woken}")
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
