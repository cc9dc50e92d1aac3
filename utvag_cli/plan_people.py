"""`utvag plan ...`: the plan and the people around it (docs/plan-and-people.md), through
the case service as the person logged in.

    utvag plan relapse-report CASE --kind substance_abuse|lost_contact --on DATE
    utvag plan confirm-closure CASE --confirm yes|no      (a second person)
    utvag plan versions CASE
    utvag plan provider-concern CASE --provider-id N --decision keep|end_interventions
    utvag plan meeting CASE --held-on DATE --participant ROLE [...] --participated yes|no
                       --agreed yes|no
    utvag plan guardian CASE --role mother|father|other_guardian|appointed_guardian
                        --consents yes|no     (the name: one line on stdin, never an argument)
    utvag plan permit PROVIDER --reference REF --valid-from DATE [--valid-until DATE]
"""

from __future__ import annotations

import argparse
import getpass
from typing import Any

from utvag_cli.answering import case_command, case_path, cli_of, no_by, send
from utvag_cli.output import out
from utvag_cli.usage import UsageError, yes_no


def cmd_relapse_report(args: argparse.Namespace) -> int:
    send(args, case_path(args, "/relapse-reports"), {"kind": args.kind, "on": args.on})
    return 0


def cmd_confirm_closure(args: argparse.Namespace) -> int:
    send(args, case_path(args, "/closure/confirmation"),
         {"confirm": yes_no(args.confirm, "confirm")})
    return 0


def cmd_versions(args: argparse.Namespace) -> int:
    versions: list[dict[str, Any]] = cli_of(args).service.get(case_path(args,
                                                                        "/plan/versions"))
    for v in versions:
        out(f"v{v['version']}  {v['status']:<8}  {v['interventions']} interventions  "
            f"{v['cost_sek'] if v['cost_sek'] is not None else '-'} kr  {v['reason']}")
    return 0


def cmd_provider_concern(args: argparse.Namespace) -> int:
    send(args, case_path(args, "/provider-concerns"),
         {"provider_id": args.provider_id, "decision": args.decision},
         options={"provider_id": "provider-id"})
    return 0


def cmd_meeting(args: argparse.Namespace) -> int:
    send(args, case_path(args, "/meeting"),
         {"held_on": args.held_on, "participants": args.participant or [],
          "defector_participated": yes_no(args.participated, "participated"),
          "defector_agreed": yes_no(args.agreed, "agreed")},
         options={"held_on": "held-on", "participants": "participant",
                  "defector_participated": "participated", "defector_agreed": "agreed"})
    return 0


def _name(args: argparse.Namespace) -> str:
    """The guardian's name from stdin: prompted without echo on a terminal, else a line."""
    stdin = cli_of(args).stdin
    line = getpass.getpass("Guardian's name: ") if stdin.isatty() else stdin.readline()
    name = line.strip()
    if not name:
        raise UsageError("name: give the guardian's name on stdin (one line)")
    return name


def cmd_guardian(args: argparse.Namespace) -> int:
    consents = yes_no(args.consents, "consents")
    send(args, case_path(args, "/guardians"),
         {"role": args.role, "name": _name(args), "consents": consents})
    return 0


def cmd_permit(args: argparse.Namespace) -> int:
    done = cli_of(args).service.post("/providers/permits", {
        "name": args.provider, "reference": args.reference, "valid_from": args.valid_from,
        "valid_until": args.valid_until})
    out(f"{done['provider']}: {done['summary']}")
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    plan = sub.add_parser("plan", help="relapse reports, closure confirmation, plan "
                                       "versions, meetings, guardians, permits")
    commands = plan.add_subparsers(dest="plan_command", required=True)
    p = case_command(commands, "relapse-report", "report a relapse into substance abuse "
                                                 "or lost contact")
    p.add_argument("--kind", required=True, help="substance_abuse or lost_contact")
    p.add_argument("--on", required=True, help="when (YYYY-MM-DD)")
    p.set_defaults(handler=cmd_relapse_report)
    p = case_command(commands, "confirm-closure", "confirm or decline a proposed closure")
    p.add_argument("--confirm", required=True, help="yes or no")
    p.set_defaults(handler=cmd_confirm_closure)
    p = case_command(commands, "versions", "the action plan's versions")
    p.set_defaults(handler=cmd_versions)
    p = case_command(commands, "provider-concern", "decide on a provider whose follow-up "
                                                   "lapsed or failed")
    p.add_argument("--provider-id", type=int, required=True)
    p.add_argument("--decision", required=True, help="keep or end_interventions")
    p.set_defaults(handler=cmd_provider_concern)
    p = case_command(commands, "meeting", "record the collaboration meeting")
    p.add_argument("--held-on", required=True, help="YYYY-MM-DD")
    p.add_argument("--participant", action="append",
                   help="an organisation by role (repeat): social_services, police, ...")
    p.add_argument("--participated", required=True, help="yes or no")
    p.add_argument("--agreed", required=True, help="yes or no")
    p.set_defaults(handler=cmd_meeting)
    p = case_command(commands, "guardian", "record a child's guardian (name on stdin)")
    p.add_argument("--role", required=True,
                   help="mother, father, other_guardian, appointed_guardian")
    p.add_argument("--consents", required=True, help="yes or no")
    p.set_defaults(handler=cmd_guardian)
    p = no_by(commands.add_parser("permit", help="a provider's protected-housing permit"))
    p.add_argument("provider", help="the provider's registered name")
    p.add_argument("--reference", required=True)
    p.add_argument("--valid-from", required=True, help="YYYY-MM-DD")
    p.add_argument("--valid-until", default=None, help="YYYY-MM-DD (open if left out)")
    p.set_defaults(handler=cmd_permit)
