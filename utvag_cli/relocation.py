"""`utvag during ...` for the relocation and what follows it, through the case service.
The destination and the address are never argument values (see
`utvag_cli.secret_input`); nor is a municipality code anywhere: the municipality you
act for is the one in your login.

    utvag during relocate CASE --independent yes|no --deep-support yes|no [--fast-path]
                          [--address-file PATH]
        (destination code and address: line 1 and 2 of PATH, else of stdin;
         prompted without echo on a terminal)
    utvag during approve-relocation CASE
    utvag during destination CASE      the destination and address (social services of
                                       the placing, or the receiving, municipality)
    utvag during work-order CASE       the mover's order (no destination)
    utvag during belongings-delivered CASE
"""

from __future__ import annotations

import argparse

from utvag_cli.answering import case_command, case_path, cli_of, send
from utvag_cli.output import out
from utvag_cli.secret_input import (
    FromTheLogin,
    NeverOnCommandLine,
    SecretInputError,
    read_destination_and_address,
)
from utvag_cli.usage import UsageError, yes_no

RELOCATION_OPTIONS = {"lives_independently": "independent",
                      "needs_deep_support": "deep-support", "fast_path": "fast-path"}


def cmd_relocate(args: argparse.Namespace) -> int:
    independent = yes_no(args.independent, "independent")
    deep_support = yes_no(args.deep_support, "deep-support")
    try:
        destination, address = read_destination_and_address(address_file=args.address_file,
                                                             stdin=cli_of(args).stdin)
    except SecretInputError as exc:
        raise UsageError(str(exc)) from None
    send(args, case_path(args, "/relocation"),
         {"destination": destination, "address": address,
          "lives_independently": independent, "needs_deep_support": deep_support,
          "fast_path": args.fast_path}, options=RELOCATION_OPTIONS)
    return 0


def cmd_approve_relocation(args: argparse.Namespace) -> int:
    send(args, case_path(args, "/relocation/approval"))
    return 0


def cmd_destination(args: argparse.Namespace) -> int:
    """Shown to the placing or receiving social services only; journaled before the
    service reads it."""
    shown = cli_of(args).service.get(case_path(args, "/destination"))
    out(f"destination: {shown['destination']}  address: {shown['address']}")
    return 0


def cmd_work_order(args: argparse.Namespace) -> int:
    order = cli_of(args).service.get(case_path(args, "/belongings/work-order"))
    if order["provider"] is None:
        out(f"{order['case_number']}: no provider moves the belongings")
    else:
        out(f"{order['case_number']}: {order['provider']} collects the belongings in "
            f"municipality {order['collect_in']} and delivers them to {order['deliver_to']}")
    return 0


def cmd_belongings_delivered(args: argparse.Namespace) -> int:
    send(args, case_path(args, "/belongings/delivered"))
    return 0


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = case_command(commands, "relocate",
                     "decide the relocation (destination and address from stdin or "
                     "--address-file, never arguments)")
    p.add_argument("--address-file", help="file: line 1 the destination municipality code, "
                                          "line 2 the address (default: stdin)")
    for old in ("--destination", "--address"):
        p.add_argument(old, action=NeverOnCommandLine, help=argparse.SUPPRESS)
    p.add_argument("--independent", required=True, help="can live independently: yes or no")
    p.add_argument("--deep-support", required=True, help="needs deeper support: yes or no")
    p.add_argument("--fast-path", action="store_true",
                   help="protective decision now; approve within 72 h")
    p.set_defaults(handler=cmd_relocate)
    case_command(commands, "approve-relocation", "approve a fast-path relocation"
                 ).set_defaults(handler=cmd_approve_relocation)
    p = case_command(commands, "destination",
                     "show the destination (social services of the placing or receiving "
                     "municipality)")
    p.add_argument("--municipality", action=FromTheLogin, help=argparse.SUPPRESS)
    p.add_argument("--agency", action=FromTheLogin, help=argparse.SUPPRESS)
    p.set_defaults(handler=cmd_destination)
    case_command(commands, "work-order", "the moving provider's order (no destination)"
                 ).set_defaults(handler=cmd_work_order)
    p = case_command(commands, "belongings-delivered",
                     "social services confirm the belongings have arrived")
    p.add_argument("--municipality", action=FromTheLogin, help=argparse.SUPPRESS)
    p.set_defaults(handler=cmd_belongings_delivered)
