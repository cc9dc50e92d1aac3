"""`utvag during ...` for the relocation and what follows it. The destination and the
address are never argument values (see `utvag_cli.secret_input`).

    utvag during relocate CASE --independent yes|no --deep-support yes|no [--fast-path]
                          [--address-file PATH] --by STAFF_ID
        (destination code and address: line 1 and 2 of PATH, else of stdin;
         prompted without echo on a terminal)
    utvag during approve-relocation CASE --by STAFF_ID
    utvag during destination CASE --agency AGENCY --by STAFF_ID        (code on stdin)
    utvag during work-order CASE                  the provider's order (no destination)
    utvag during belongings-delivered CASE --by STAFF_ID               (code on stdin)

"code on stdin": the caller's own municipality code, prompted without echo or one line
from a pipe; for the receiving social services it is the destination.
"""

from __future__ import annotations

import argparse

from models.enums import WaitKind
from models.relocation import DisclosureDenied
from services import belongings, relocation
from utvag_cli.answering import answer, cli_of
from utvag_cli.output import out
from utvag_cli.secret_input import (
    NeverOnCommandLine,
    SecretInputError,
    read_destination_and_address,
    read_municipality,
)
from utvag_cli.usage import UsageError, yes_no


def cmd_relocate(args: argparse.Namespace) -> int:
    independent = yes_no(args.independent, "independent")
    deep_support = yes_no(args.deep_support, "deep-support")
    try:
        destination, address = read_destination_and_address(address_file=args.address_file,
                                                             stdin=cli_of(args).stdin)
    except SecretInputError as exc:
        raise UsageError(str(exc)) from None
    answer(args, WaitKind.RELOCATION,
           {"destination": destination, "address": address,
            "lives_independently": independent, "needs_deep_support": deep_support,
            "fast_path": args.fast_path},
           options={"lives_independently": "independent",
                    "needs_deep_support": "deep-support", "fast_path": "fast-path"})
    return 0


def cmd_approve_relocation(args: argparse.Namespace) -> int:
    answer(args, WaitKind.RELOCATION_APPROVAL, {})
    return 0


def municipality(args: argparse.Namespace) -> str:
    """The caller's own municipality code, from stdin (never an argument)."""
    try:
        return read_municipality(stdin=cli_of(args).stdin)
    except SecretInputError as exc:
        raise UsageError(str(exc)) from None


def cmd_destination(args: argparse.Namespace) -> int:
    """Shows the destination to the placing or receiving social services only (journaled)."""
    try:
        destination, address = relocation.read_destination(
            cli_of(args).rt, args.case, viewer_agency=args.agency,
            viewer_municipality=municipality(args), by=args.by)
    except DisclosureDenied as exc:
        raise UsageError(str(exc)) from None
    out(f"destination: {destination}  address: {address}")
    return 0


def cmd_work_order(args: argparse.Namespace) -> int:
    order = belongings.work_order(cli_of(args).rt, args.case)
    out(order.text() if order else f"{args.case}: no provider moves the belongings")
    return 0


def cmd_belongings_delivered(args: argparse.Namespace) -> int:
    answer(args, WaitKind.BELONGINGS, {"municipality": municipality(args)})
    return 0


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser("relocate", allow_abbrev=False,
                            help="decide the relocation (destination and address from stdin "
                                 "or --address-file, never arguments)")
    p.add_argument("case")
    p.add_argument("--address-file", help="file: line 1 the destination municipality code, "
                                          "line 2 the address (default: stdin)")
    for old in ("--destination", "--address"):
        p.add_argument(old, action=NeverOnCommandLine, help=argparse.SUPPRESS)
    p.add_argument("--independent", required=True, help="can live independently: yes or no")
    p.add_argument("--deep-support", required=True, help="needs deeper support: yes or no")
    p.add_argument("--fast-path", action="store_true",
                   help="protective decision now; approve within 72 h")
    p.add_argument("--by", required=True)
    p.set_defaults(handler=cmd_relocate)
    p = commands.add_parser("approve-relocation", help="approve a fast-path relocation")
    p.add_argument("case")
    p.add_argument("--by", required=True)
    p.set_defaults(handler=cmd_approve_relocation)
    p = commands.add_parser("destination", allow_abbrev=False,
                            help="show the destination (social services only; your "
                                 "municipality code on stdin)")
    p.add_argument("case")
    p.add_argument("--agency", required=True)
    p.add_argument("--municipality", action=NeverOnCommandLine, help=argparse.SUPPRESS)
    p.add_argument("--by", required=True)
    p.set_defaults(handler=cmd_destination)
    p = commands.add_parser("work-order", help="the moving provider's order (no destination)")
    p.add_argument("case")
    p.set_defaults(handler=cmd_work_order)
    p = commands.add_parser("belongings-delivered", allow_abbrev=False,
                            help="social services confirm the belongings have arrived (your "
                                 "municipality code on stdin)")
    p.add_argument("case")
    p.add_argument("--municipality", action=NeverOnCommandLine, help=argparse.SUPPRESS)
    p.add_argument("--by", required=True)
    p.set_defaults(handler=cmd_belongings_delivered)
