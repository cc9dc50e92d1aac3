"""`utvag case ...`: open, list, show, decide, consent, assess, disclosed, assign,
break-glass (through the case service, as the person logged in) and `case run`
(operators, local: it needs the Prefect credential)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from models.enums import Agency, Criterion
from models.relapse import AssessmentDecision
from utvag_cli.answering import case_command, case_path, cli_of, send
from utvag_cli.output import out
from utvag_cli.render import case_lines
from utvag_cli.usage import UsageError, yes_no

OPENED = {
    "opened": "{number}: case opened; its flow starts",
    "existing": "{number}: this person already has an open case; no new case opened",
    "accepted_for_review": "referral accepted for review; no case opened (the coordinators "
                           "concerned are told)",
}


def cmd_open(args: argparse.Namespace) -> int:
    path = Path(args.referral)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"referral: cannot read {path}: {exc.__class__.__name__}") from None
    if not isinstance(raw, dict):
        raise UsageError("referral: a JSON object")
    done = cli_of(args).service.post("/cases", raw)
    out(OPENED[done["status"]].format(number=done["case_number"]))
    return 0


# How a relation reads: `placing` is the municipality responsible for the case today (the
# placing one until an accepted transfer takes effect, then the receiving one).
RELATION_LABELS = {"placing": "responsible"}


def cmd_list(args: argparse.Namespace) -> int:
    """Your caseload: no personal data, so nothing here is a read of a person."""
    found: list[dict[str, Any]] = cli_of(args).service.get("/cases")
    if not found:
        out("no cases")
    for case in found:
        waits = "; ".join(f"{'OVERDUE ' if w['overdue'] else ''}waits for {w['kind']} "
                          f"since {w['since'][:10]} (deadline {w['deadline'][:10]})"
                          for w in case["waits"])
        relations = ", ".join(RELATION_LABELS.get(r, r) for r in case["relations"])
        out(f"{case['case_number']}  {case['phase']} / {case['status']}  ({relations})"
            + (f"  {waits}" if waits else ""))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    """The case with personal data. The service journals the read (who, from the login)
    before it answers, so a reader that stops early (`| head -2`) was journaled too."""
    from services.views import CaseView

    view = CaseView.model_validate(cli_of(args).service.get(case_path(args)))
    for line in case_lines(view):
        out(line)
    return 0


def cmd_disclosed(args: argparse.Namespace) -> int:
    """What was disclosed to your agency about a case (agency staff)."""
    shown = cli_of(args).service.get(case_path(args, "/disclosed"))
    out(f"{shown['case_number']}  disclosed to {shown['agency']}")
    out(f"  person:       {shown['name']}, {shown['identity_number']}")
    for r in shown["requests"]:
        out("  " + "  ".join(str(v) for v in r.values()))
    return 0


def cmd_decide(args: argparse.Namespace) -> int:
    send(args, case_path(args, "/criteria"),
         {"criterion": args.criterion, "holds": yes_no(args.holds, "holds"),
          "note": args.note or ""})
    return 0


def cmd_consent(args: argparse.Namespace) -> int:
    send(args, case_path(args, "/consents"),
         {"agency": args.agency, "given": not args.withdraw, "legal_basis": args.basis})
    return 0


def cmd_assess(args: argparse.Namespace) -> int:
    send(args, case_path(args, "/relapse-assessments"),
         {"flag_id": args.flag, "decision": args.decision, "note": args.note or ""})
    return 0


def cmd_assign(args: argparse.Namespace) -> int:
    send(args, case_path(args, "/assignments"),
         {"staff_id": args.staff_id, "organisation": args.organisation, "role": args.role})
    return 0


def cmd_break_glass(args: argparse.Namespace) -> int:
    opened = cli_of(args).service.post(case_path(args, "/break-glass"),
                                       {"reason": args.reason})
    out(f"{opened['case_number']}: opened in an emergency until {opened['expires_at'][:16]} "
        "(journaled; the case's coordinators are told; the auditor reviews it)")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from services import views

    cli = cli_of(args)
    case_id, number = views.case_id_of(cli.rt, args.case)
    out(f"{number}: flow run {cli.runs.start(cli.rt, case_id)}")
    return 0



def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    case = sub.add_parser("case", help="open, show and decide cases")
    commands = case.add_subparsers(dest="case_command", required=True)
    p = commands.add_parser("open", help="open a case from a referral JSON file")
    p.add_argument("referral")
    p.set_defaults(handler=cmd_open)
    commands.add_parser("list", help="your cases: phase, status, what each waits for"
                        ).set_defaults(handler=cmd_list)
    case_command(commands, "show", "the case and its journal as a timeline (the read is journaled)"
          ).set_defaults(handler=cmd_show)
    case_command(commands, "disclosed", "what was disclosed to your agency (agency staff)"
          ).set_defaults(handler=cmd_disclosed)
    p = case_command(commands, "decide", "answer an eligibility criterion")
    p.add_argument("--criterion", required=True, help=", ".join(c.value for c in Criterion))
    p.add_argument("--holds", required=True, help="yes or no")
    p.add_argument("--note", help="evidence note (stays in Utväg's database)")
    p.set_defaults(handler=cmd_decide)
    p = case_command(commands, "consent", "record consent for an agency")
    p.add_argument("--agency", required=True, help=", ".join(a.value for a in Agency))
    p.add_argument("--withdraw", action="store_true")
    p.add_argument("--basis", default="samtycke", help="legal basis")
    p.set_defaults(handler=cmd_consent)
    p = case_command(commands, "assess", "record social services' assessment of a relapse flag")
    p.add_argument("--flag", type=int, required=True, help="relapse flag id")
    p.add_argument("--decision", required=True, choices=[d.value for d in AssessmentDecision])
    p.add_argument("--note", help="stays in Utväg's database; only its presence is journaled")
    p.set_defaults(handler=cmd_assess)
    p = case_command(commands, "assign", "assign a handler or police contact (coordinators)")
    p.add_argument("--staff-id", required=True)
    p.add_argument("--organisation", required=True, help="e.g. municipality:0180, "
                                                         "police:region-stockholm")
    p.add_argument("--role", required=True, choices=["coordinator", "social_handler",
                                                     "police_contact", "police_regional"])
    p.set_defaults(handler=cmd_assign)
    p = case_command(commands, "break-glass", "open a case outside your scope in an emergency")
    p.add_argument("--reason", required=True, help="why (at least 10 characters; journaled)")
    p.set_defaults(handler=cmd_break_glass)
    p = commands.add_parser("run", help="operators (local): start a new-case flow run")
    p.add_argument("case")
    p.set_defaults(handler=cmd_run)
