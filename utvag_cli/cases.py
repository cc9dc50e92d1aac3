"""`utvag case ...`: open, show, decide, consent, run."""

from __future__ import annotations

import argparse
import getpass
import json
from pathlib import Path

from models.enums import WaitKind
from models.referral import ReferralError
from services import intake, views
from utvag_cli.answering import answer, cli_of
from utvag_cli.output import err, out
from utvag_cli.render import case_lines
from utvag_cli.usage import UsageError, yes_no


def cmd_open(args: argparse.Namespace) -> int:
    cli = cli_of(args)
    path = Path(args.referral)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"referral: cannot read {path}: {exc.__class__.__name__}") from None
    try:
        opened = intake.open_case(cli.rt, raw)
    except ReferralError as exc:
        err("referral rejected, nothing was written:")
        for line in exc.errors:
            err(f"  {line}")
        return 2
    if not opened.created:
        out(f"{opened.case_number}: this person already has an open case; no new case opened")
        return 0
    out(f"{opened.case_number}: case opened")
    if not args.no_flow:
        try:
            cli.runs.start(cli.rt, opened.case_id)
            out(f"{opened.case_number}: new-case flow started")
        except Exception as exc:  # noqa: BLE001 - the case stands even if Prefect is down
            err(f"{opened.case_number}: flow not started ({exc.__class__.__name__}); "
                "start it with `utvag case run`")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    """The one place personal data is shown: to a local user. The read is journaled
    before anything is read (`services.views.case_view`), so a reader that stops early
    (`| head -2`) has been journaled all the same."""
    view = views.case_view(cli_of(args).rt, args.case, viewer=getpass.getuser(),
                           purpose="case shown with personal data (utvag case show)")
    for line in case_lines(view):
        out(line)
    return 0


def cmd_decide(args: argparse.Namespace) -> int:
    answer(args, WaitKind.COORDINATOR_ANSWER,
           {"criterion": args.criterion, "holds": yes_no(args.holds, "holds"),
            "note": args.note or ""})
    return 0


def cmd_consent(args: argparse.Namespace) -> int:
    answer(args, WaitKind.CONSENT, {"agency": args.agency, "given": not args.withdraw,
                                    "legal_basis": args.basis}, options={"legal_basis": "basis"})
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    cli = cli_of(args)
    case_id, number = views.case_id_of(cli.rt, args.case)
    out(f"{number}: flow run {cli.runs.start(cli.rt, case_id)}")
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    case = sub.add_parser("case", help="open, show and decide cases")
    commands = case.add_subparsers(dest="case_command", required=True)
    p = commands.add_parser("open", help="open a case from a referral JSON file")
    p.add_argument("referral")
    p.add_argument("--no-flow", action="store_true", help="do not start the new-case flow")
    p.set_defaults(handler=cmd_open)
    p = commands.add_parser("show", help="the case and its journal as a timeline")
    p.add_argument("case")
    p.set_defaults(handler=cmd_show)
    p = commands.add_parser("decide", help="answer an eligibility criterion")
    p.add_argument("case")
    p.add_argument("--criterion", required=True)
    p.add_argument("--holds", required=True, help="yes or no")
    p.add_argument("--by", required=True, help="your staff id")
    p.add_argument("--note", help="evidence note (stays in Utväg's database)")
    p.set_defaults(handler=cmd_decide)
    p = commands.add_parser("consent", help="record consent for an agency")
    p.add_argument("case")
    p.add_argument("--agency", required=True)
    p.add_argument("--withdraw", action="store_true")
    p.add_argument("--basis", default="samtycke", help="legal basis")
    p.add_argument("--by", required=True, help="your staff id")
    p.set_defaults(handler=cmd_consent)
    p = commands.add_parser("run", help="start a new-case flow run for a case")
    p.add_argument("case")
    p.set_defaults(handler=cmd_run)
    from utvag_cli.sweep import add_assess

    add_assess(commands)
