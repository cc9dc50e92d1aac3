"""`utvag after ...`: closure with an outcome, follow-up indicators, reopening.

    utvag after close CASE --outcome completed|dropped_out|relapsed|moved_abroad|deceased|other
                       --by STAFF_ID
    utvag after indicators CASE --months 6|12|24 --stable-housing yes|no --occupation yes|no
                            --no-new-crime yes|no --by STAFF_ID
    utvag after reopen CASE --reason TEXT --by STAFF_ID
    utvag after transfer CASE --accept yes|no --payer placing|receiving --from DATE
                          --by STAFF_ID   (receiving social services; their municipality
                          code on stdin, never an argument: it is the destination)
"""

from __future__ import annotations

import argparse

from models.enums import Outcome, WaitKind
from services import closure
from services.closure import ClosureError
from utvag_cli.answering import answer, cli_of
from utvag_cli.output import out
from utvag_cli.relocation import municipality
from utvag_cli.secret_input import NeverOnCommandLine
from utvag_cli.usage import UsageError, yes_no


def cmd_close(args: argparse.Namespace) -> int:
    try:
        case = closure.close_with_outcome(cli_of(args).rt, args.case,
                                          outcome=Outcome(args.outcome), by=args.by)
    except ValueError as exc:  # ClosureError, or an unknown outcome
        raise UsageError(str(exc) if isinstance(exc, ClosureError)
                         else "outcome: " + ", ".join(o.value for o in closure.CLOSURE_OUTCOMES)
                         ) from None
    out(f"{case.case_number}: closed ({args.outcome})")
    return 0


def cmd_indicators(args: argparse.Namespace) -> int:
    try:
        closure.record_indicators(
            cli_of(args).rt, args.case, months=args.months,
            stable_housing=yes_no(args.stable_housing, "stable-housing"),
            occupation=yes_no(args.occupation, "occupation"),
            no_new_crime=yes_no(args.no_new_crime, "no-new-crime"), by=args.by)
    except ClosureError as exc:
        raise UsageError(str(exc)) from None
    out(f"{args.case}: follow-up at {args.months} months recorded")
    return 0


def cmd_reopen(args: argparse.Namespace) -> int:
    try:
        case = closure.reopen(cli_of(args).rt, args.case, by=args.by, reason=args.reason)
    except ClosureError as exc:
        raise UsageError(str(exc)) from None
    out(f"{case.case_number}: reopened in the during phase; the recover-stalled-cases "
        f"deployment starts its run within minutes (now: `utvag case run "
        f"{case.case_number}`)")
    return 0


def cmd_transfer(args: argparse.Namespace) -> int:
    answer(args, WaitKind.TRANSFER,
           {"accept": yes_no(args.accept, "accept"), "cost_payer": args.payer,
            "cost_from": args.cost_from, "municipality": municipality(args)},
           options={"cost_payer": "payer", "cost_from": "from"})
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    after = sub.add_parser("after", help="closure, follow-up and reopening")
    commands = after.add_subparsers(dest="after_command", required=True)
    p = commands.add_parser("close", help="close the case with an outcome")
    p.add_argument("case")
    p.add_argument("--outcome", required=True)
    p.add_argument("--by", required=True)
    p.set_defaults(handler=cmd_close)
    p = commands.add_parser("indicators", help="follow-up indicators at 6/12/24 months")
    p.add_argument("case")
    p.add_argument("--months", type=int, required=True)
    p.add_argument("--stable-housing", required=True)
    p.add_argument("--occupation", required=True)
    p.add_argument("--no-new-crime", required=True)
    p.add_argument("--by", required=True)
    p.set_defaults(handler=cmd_indicators)
    p = commands.add_parser("reopen", help="reopen a closed case (the journal keeps both)")
    p.add_argument("case")
    p.add_argument("--reason", required=True)
    p.add_argument("--by", required=True)
    p.set_defaults(handler=cmd_reopen)
    p = commands.add_parser("transfer", allow_abbrev=False,
                            help="answer the transfer of responsibility (your municipality "
                                 "code on stdin)")
    p.add_argument("case")
    p.add_argument("--accept", required=True, help="yes or no")
    p.add_argument("--payer", required=True, help="placing or receiving")
    p.add_argument("--from", dest="cost_from", required=True, help="costs from (YYYY-MM-DD)")
    p.add_argument("--municipality", action=NeverOnCommandLine, help=argparse.SUPPRESS)
    p.add_argument("--by", required=True)
    p.set_defaults(handler=cmd_transfer)
