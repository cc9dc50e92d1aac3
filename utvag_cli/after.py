"""`utvag after ...`: closure with an outcome, follow-up indicators, reopening and the
receiving municipality's answer to the transfer, through the case service as the person
logged in (the municipality answering is the one in the login, never a typed code).

    utvag after close CASE --outcome completed|dropped_out|relapsed|moved_abroad|deceased|other
    utvag after indicators CASE --months 6|12|24 --stable-housing yes|no --occupation yes|no
                            --no-new-crime yes|no
    utvag after reopen CASE --reason TEXT
    utvag after transfer CASE --accept yes|no --payer placing|receiving --from DATE
"""

from __future__ import annotations

import argparse

from utvag_cli.answering import case_command, case_path, send
from utvag_cli.secret_input import FromTheLogin
from utvag_cli.usage import UsageError, yes_no

OUTCOMES = ("completed", "dropped_out", "relapsed", "moved_abroad", "deceased", "other")


def cmd_close(args: argparse.Namespace) -> int:
    if args.outcome not in OUTCOMES:
        raise UsageError("outcome: " + ", ".join(OUTCOMES))
    send(args, case_path(args, "/closure"), {"outcome": args.outcome})
    return 0


def cmd_indicators(args: argparse.Namespace) -> int:
    send(args, case_path(args, "/indicators"),
         {"months": args.months,
          "stable_housing": yes_no(args.stable_housing, "stable-housing"),
          "occupation": yes_no(args.occupation, "occupation"),
          "no_new_crime": yes_no(args.no_new_crime, "no-new-crime")},
         options={"stable_housing": "stable-housing", "no_new_crime": "no-new-crime"})
    return 0


def cmd_reopen(args: argparse.Namespace) -> int:
    send(args, case_path(args, "/reopening"), {"reason": args.reason})
    return 0


def cmd_transfer(args: argparse.Namespace) -> int:
    send(args, case_path(args, "/transfer"),
         {"accept": yes_no(args.accept, "accept"), "cost_payer": args.payer,
          "cost_from": args.cost_from},
         options={"cost_payer": "payer", "cost_from": "from"})
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    after = sub.add_parser("after", help="closure, follow-up and reopening")
    commands = after.add_subparsers(dest="after_command", required=True)
    p = case_command(commands, "close", "close the case with an outcome")
    p.add_argument("--outcome", required=True, help=", ".join(OUTCOMES))
    p.set_defaults(handler=cmd_close)
    p = case_command(commands, "indicators", "follow-up indicators at 6/12/24 months")
    p.add_argument("--months", type=int, required=True)
    p.add_argument("--stable-housing", required=True)
    p.add_argument("--occupation", required=True)
    p.add_argument("--no-new-crime", required=True)
    p.set_defaults(handler=cmd_indicators)
    p = case_command(commands, "reopen", "reopen a closed case (the journal keeps both)")
    p.add_argument("--reason", required=True)
    p.set_defaults(handler=cmd_reopen)
    p = case_command(commands, "transfer",
                     "answer the transfer of responsibility (receiving social services)")
    p.add_argument("--accept", required=True, help="yes or no")
    p.add_argument("--payer", required=True, help="placing or receiving")
    p.add_argument("--from", dest="cost_from", required=True, help="costs from (YYYY-MM-DD)")
    p.add_argument("--municipality", action=FromTheLogin, help=argparse.SUPPRESS)
    p.set_defaults(handler=cmd_transfer)
